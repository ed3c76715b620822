/* Finding a key in a Go map[string][]string (net/http.Header) from outside
 * the process, in both of Go's map implementations:
 *
 * - Go 1.15-1.23, runtime.hmap: an array of 1<<B buckets, each with 8
 *   tophash bytes, 8 keys, 8 elems and an overflow pointer. A slot holds an
 *   entry when its tophash is >= minTopHash (5); 0-4 mark empty and
 *   evacuated slots. While the map grows, entries not yet evacuated are in
 *   oldbuckets (half as many, or as many for a same-size grow).
 * - Go 1.24+, internal/runtime/maps.Map (Swiss tables): a map of up to 8
 *   entries is one group at dirPtr (dirLen == 0); a bigger one has a
 *   directory of dirLen table pointers, each table an array of
 *   lengthMask+1 groups. A group is an 8-byte control word and 8 slots
 *   {key, elem}; a slot is full when its control byte's top bit is clear.
 *
 * Both layouts put the i-th control (tophash) byte at byte i of the group:
 * one scan reads either. The struct field offsets come from the table or the
 * target like every other offset; the bucket and group layout of
 * map[string][]string (where its keys and elems sit) is fixed by the
 * compiler's layout rules and set by the agent (agent/go-map.ts). */
#pragma once

#include <linux/types.h>
#include <bpf/bpf_helpers.h>

/* 1 when the target's maps are Swiss tables (Go 1.24+). */
const volatile __u64 map_swiss = 0;
/* runtime.hmap fields (Go <= 1.23). */
const volatile __u64 off_hmap_flags = 0;
const volatile __u64 off_hmap_B = 0;
const volatile __u64 off_hmap_buckets = 0;
const volatile __u64 off_hmap_oldbuckets = 0;
/* internal/runtime/maps fields (Go 1.24+). */
const volatile __u64 off_map_dirptr = 0;
const volatile __u64 off_map_dirlen = 0;
const volatile __u64 off_table_groups = 0;      /* table.groups (a groupsReference) */
const volatile __u64 off_groupsref_data = 0;    /* groupsReference.data */
const volatile __u64 off_groupsref_mask = 0;    /* groupsReference.lengthMask */
/* One bucket or group of map[string][]string. */
const volatile __u64 map_group_size = 0;
const volatile __u64 map_key0 = 0;          /* offset of slot 0's key */
const volatile __u64 map_key_stride = 0;    /* from one slot's key to the next */
const volatile __u64 map_elem0 = 0;
const volatile __u64 map_elem_stride = 0;
const volatile __u64 map_overflow = 0;      /* hmap buckets: the overflow pointer; 0 for Swiss groups */

#define MAP_SLOTS 8
#define MAP_GROUP_MAX 512    /* >= map_group_size: 336 (bucket) or 328 (group) */
#define HMAP_MAX_B 6         /* up to 64 buckets scanned... */
#define MAP_MAX_OVERFLOW 4   /* ...each with up to 4 overflow buckets */
#define MAP_MAX_TABLES 8     /* Swiss: directory entries scanned */
#define MAP_MAX_GROUPS 16    /* Swiss: groups per table */
#define HMAP_SAME_SIZE_GROW 8 /* hmap.flags: sameSizeGrow */
#define MAP_KEY_MAX 16

/* A []string's first element, as a Go string: where it is and how long. */
struct go_str {
	__u64 ptr;
	__u64 len;
};

/* Scalars only: scan_group, a global function, takes it by pointer. */
struct map_scan {
	__u8 group[MAP_GROUP_MAX];
	__u64 key[2];        /* the key, zero-padded to 16 bytes: compared a word at a time */
	__u64 key_len;
	__u64 found;
	struct go_str value; /* the first string of the found []string */
	__u64 base;          /* buckets array, or the directory */
	__u64 groups;        /* Swiss: the groups of the table being scanned */
	__u64 next;          /* hmap: the overflow bucket after the one scanned */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct map_scan);
} map_scan_scratch SEC(".maps");

/* Looks for the key in one bucket or group at addr; sets s->found and
 * s->value, and s->next to the overflow bucket to scan next (hmap) or 0.
 * Global, not inlined: the verifier checks it once, on its own, instead of
 * at each of its callers (it was most of server_enter's verification). */
__noinline int scan_group(struct map_scan *s, __u64 addr)
{
	if (!s)
		return 0;
	s->next = 0;
	__u64 size = map_group_size;
	if (!addr || size > MAP_GROUP_MAX || size < MAP_SLOTS)
		return 0;
	if (bpf_probe_read_user(s->group, size, (void *)addr) != 0)
		return 0;
#pragma clang loop unroll(disable)
	for (int i = 0; i < MAP_SLOTS; i++) {
		__u8 ctrl = s->group[i];
		if (map_swiss ? (ctrl & 0x80) : ctrl < 5)
			continue; /* empty, deleted or evacuated */
		__u64 k = map_key0 + i * map_key_stride;
		if (k > MAP_GROUP_MAX - sizeof(struct go_str))
			return 0;
		struct go_str key;
		__builtin_memcpy(&key, &s->group[k], sizeof(key));
		if (key.len != s->key_len)
			continue;
		__u64 name[2] = {0, 0};
		if (bpf_probe_read_user(name, key.len & (MAP_KEY_MAX - 1), (void *)key.ptr) != 0)
			continue;
		if (name[0] != s->key[0] || name[1] != s->key[1])
			continue;
		__u64 e = map_elem0 + i * map_elem_stride;
		if (e > MAP_GROUP_MAX - sizeof(struct go_str))
			return 0;
		struct go_str slice; /* ptr, len of the []string (cap not needed) */
		__builtin_memcpy(&slice, &s->group[e], sizeof(slice));
		if (slice.len > 0 && bpf_probe_read_user(&s->value, sizeof(s->value), (void *)slice.ptr) == 0)
			s->found = 1;
		return 0;
	}
	if (map_overflow && map_overflow <= MAP_GROUP_MAX - 8)
		__builtin_memcpy(&s->next, &s->group[map_overflow & (MAP_GROUP_MAX - 1)], sizeof(s->next));
	return 0;
}

/* bpf_loop's context must live on the stack: it points at the scratch. */
struct scan_ctx {
	struct map_scan *s;
};

static long scan_bucket_chain(__u32 i, struct scan_ctx *ctx)
{
	struct map_scan *s = ctx->s;
	__u64 b = s->base + (__u64)i * map_group_size;
	for (int depth = 0; depth <= MAP_MAX_OVERFLOW && b && !s->found; depth++) {
		scan_group(s, b);
		b = s->next;
	}
	return s->found ? 1 : 0;
}

static long scan_table_group(__u32 g, struct scan_ctx *ctx)
{
	struct map_scan *s = ctx->s;
	scan_group(s, s->groups + (__u64)g * map_group_size);
	return s->found ? 1 : 0;
}

static long scan_table(__u32 i, struct scan_ctx *ctx)
{
	struct map_scan *s = ctx->s;
	__u64 table = 0;
	bpf_probe_read_user(&table, sizeof(table), (void *)(s->base + 8 * (__u64)i));
	if (!table)
		return 0;
	__u64 mask = 0;
	s->groups = 0;
	bpf_probe_read_user(&s->groups, 8, (void *)(table + off_table_groups + off_groupsref_data));
	bpf_probe_read_user(&mask, 8, (void *)(table + off_table_groups + off_groupsref_mask));
	struct scan_ctx inner = {s};
	bpf_loop(mask < MAP_MAX_GROUPS ? mask + 1 : MAP_MAX_GROUPS, scan_table_group, &inner, 0);
	return s->found ? 1 : 0;
}

/* Finds `key` (len < MAP_KEY_MAX) in the map[string][]string at map_ptr;
 * returns the scratch with found and value (its first string) set, or 0. */
static __always_inline struct map_scan *go_map_find(__u64 map_ptr, const char *key, __u32 key_len)
{
	__u32 zero = 0;
	struct map_scan *s = bpf_map_lookup_elem(&map_scan_scratch, &zero);
	if (!s || !map_ptr || !map_group_size || key_len == 0 || key_len >= MAP_KEY_MAX)
		return 0;
	s->found = 0;
	s->key_len = key_len;
	struct scan_ctx ctx = {s};
	__builtin_memcpy(s->key, key, sizeof(s->key));
	if (map_swiss) {
		__u64 hdr[2] = {0, 0}; /* dirPtr, dirLen */
		bpf_probe_read_user(&hdr[0], 8, (void *)(map_ptr + off_map_dirptr));
		bpf_probe_read_user(&hdr[1], 8, (void *)(map_ptr + off_map_dirlen));
		if ((__s64)hdr[1] <= 0) {
			scan_group(s, hdr[0]);
		} else {
			s->base = hdr[0];
			bpf_loop(hdr[1] < MAP_MAX_TABLES ? hdr[1] : MAP_MAX_TABLES, scan_table, &ctx, 0);
		}
		return s;
	}
	__u8 flags = 0, B = 0;
	__u64 buckets = 0, old = 0;
	bpf_probe_read_user(&flags, 1, (void *)(map_ptr + off_hmap_flags));
	bpf_probe_read_user(&B, 1, (void *)(map_ptr + off_hmap_B));
	bpf_probe_read_user(&buckets, 8, (void *)(map_ptr + off_hmap_buckets));
	bpf_probe_read_user(&old, 8, (void *)(map_ptr + off_hmap_oldbuckets));
	if (B > HMAP_MAX_B)
		B = HMAP_MAX_B;
	s->base = buckets;
	bpf_loop(1u << B, scan_bucket_chain, &ctx, 0);
	if (!s->found && old) {
		/* Entries a grow has not moved yet; evacuated slots are marked < 5. */
		__u8 oldB = (flags & HMAP_SAME_SIZE_GROW) || B == 0 ? B : B - 1;
		s->base = old;
		bpf_loop(1u << oldB, scan_bucket_chain, &ctx, 0);
	}
	return s;
}
