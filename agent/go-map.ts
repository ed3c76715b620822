/**
 * Where the keys and elems of a map[string][]string (net/http.Header) sit in
 * one bucket (runtime.hmap, Go <= 1.23) or one group (Swiss tables,
 * internal/runtime/maps, Go 1.24+): the constants bpf/go_map.h scans with.
 *
 * These follow from the compiler's layout rules, not from a struct of the
 * runtime's, so the table has no row for them:
 * - a bucket (cmd/compile/internal/reflectdata MapBucketType) is
 *   tophash [8]uint8, keys [8]K, elems [8]E, overflow *bucket;
 * - a group (SwissMapGroupType) is ctrl uint64, then 8 slots {key K; elem E}.
 * With K = string (2 words) and E = []string (3 words) on a 64-bit target,
 * nothing needs padding. test/agent/go-map.test.ts checks both against the
 * DWARF of real binaries (map.bucket[string][]string, map.group[...]).
 */
const WORD = 8;
const SLOTS = 8;
const KEY = 2 * WORD; // string: ptr, len
const ELEM = 3 * WORD; // []string: ptr, len, cap

export const GO_MAP_LAYOUT = {
  buckets: {
    map_swiss: 0,
    map_group_size: SLOTS + SLOTS * KEY + SLOTS * ELEM + WORD,
    map_key0: SLOTS,
    map_key_stride: KEY,
    map_elem0: SLOTS + SLOTS * KEY,
    map_elem_stride: ELEM,
    map_overflow: SLOTS + SLOTS * KEY + SLOTS * ELEM,
  },
  swiss: {
    map_swiss: 1,
    map_group_size: WORD + SLOTS * (KEY + ELEM),
    map_key0: WORD,
    map_key_stride: KEY + ELEM,
    map_elem0: WORD + KEY,
    map_elem_stride: KEY + ELEM,
    map_overflow: 0,
  },
} as const;
