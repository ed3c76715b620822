// The bucket and group layouts of map[string][]string that bpf/go_map.h scans
// net/http.Header with (agent/go-map.ts), against Go's own debug/dwarf on the
// plain httpapp of every matrix toolchain: the compiler's bucket type before
// Go 1.24, its Swiss-table group from 1.24 on.
import { describe, expect, it } from 'vitest';
import { GO_MAP_LAYOUT } from '../../agent/go-map.js';
import { dwarfTruth } from '../tracker/debian-modules-oracle/oracle.js';
import { matrixToolchains } from '../support/toolchains.js';
import { buildApp } from './support.js';

const BUCKET = 'bucket<string,[]string>';
const GROUP = 'noalg.map.group[string][]string';
const SLOT = 'noalg.struct { key string; elem []string }';

describe('map[string][]string layout', async () => {
  const toolchains = await matrixToolchains();
  it('the matrix has toolchains of both map implementations', () => {
    const minors = toolchains.map((tc) => Number(tc.minor.split('.')[1]));
    expect(minors.some((m) => m < 24) && minors.some((m) => m >= 24)).toBe(true);
  });
  for (const tc of toolchains) {
    it(`${tc.version}: matches the DWARF of a real binary`, async () => {
      const bin = await buildApp(tc, 'plain');
      if (Number(tc.minor.split('.')[1]) < 24) {
        const t = await dwarfTruth(bin, [`${BUCKET}.#size`, `${BUCKET}.tophash`, `${BUCKET}.keys`, `${BUCKET}.values`, `${BUCKET}.overflow`]);
        const L = GO_MAP_LAYOUT.buckets;
        expect({ size: L.map_group_size, key0: L.map_key0, elem0: L.map_elem0, overflow: L.map_overflow, tophash: 0 }).toEqual({
          size: t[`${BUCKET}.#size`],
          key0: t[`${BUCKET}.keys`],
          elem0: t[`${BUCKET}.values`],
          overflow: t[`${BUCKET}.overflow`],
          tophash: t[`${BUCKET}.tophash`],
        });
        // Keys and elems are arrays of 8: the strides are their element sizes.
        expect((L.map_elem0 - L.map_key0) / 8).toBe(L.map_key_stride);
        expect((L.map_overflow - L.map_elem0) / 8).toBe(L.map_elem_stride);
      } else {
        const t = await dwarfTruth(bin, [`${GROUP}.#size`, `${GROUP}.ctrl`, `${GROUP}.slots`, `${SLOT}.#size`, `${SLOT}.key`, `${SLOT}.elem`]);
        const L = GO_MAP_LAYOUT.swiss;
        expect({ size: L.map_group_size, ctrl: 0, key0: L.map_key0, stride: L.map_key_stride, elemInSlot: L.map_elem0 - L.map_key0 }).toEqual({
          size: t[`${GROUP}.#size`],
          ctrl: t[`${GROUP}.ctrl`],
          key0: (t[`${GROUP}.slots`] as number) + (t[`${SLOT}.key`] as number),
          stride: t[`${SLOT}.#size`],
          elemInSlot: t[`${SLOT}.elem`],
        });
        expect(L.map_elem_stride).toBe(L.map_key_stride);
      }
    });
  }
});
