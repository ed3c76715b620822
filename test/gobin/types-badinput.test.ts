// Bad input for the type-descriptor reader, on real stripped probes of the oldest and
// newest toolchains (2-byte and varint names, typelinks and the sequential 1.27 layout):
// targeted corruptions (a cyclic graph, a pointer outside every section, a truncated
// name, hostile counts) give a typed error naming section and offset, or a bounded
// success; and a fast-check property: whatever bytes of the types area or the module
// data change, reading ends in a result or a GobinError, never another exception or a hang.
import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ElfFile, GoBinary, GobinError } from '../../gobin/index.js';
import { probeBinaries, type ProbeBinary } from '../support/probes.js';
import { matrixToolchains } from '../support/toolchains.js';

const probes = await probeBinaries();
const toolchains = await matrixToolchains();
const pick = (version: string, variant: string): ProbeBinary => {
  const p = probes.find((q) => q.toolchain.version === version && q.variant === variant);
  if (!p) throw new Error(`bad-input tests need the ${version} ${variant} probe; none was built`);
  return p;
};
const oldest = toolchains[0].version;
const newest = toolchains[toolchains.length - 1].version;
const targets = [pick(oldest, 'stripped'), pick(newest, 'stripped'), pick(newest, 'arm64-stripped')];

/** A patchable copy of a probe, addressed by virtual address. */
async function patchable(p: ProbeBinary) {
  const data = new Uint8Array(await readFile(p.path));
  const elf = ElfFile.parse(data, p.path);
  const td = GoBinary.fromElf(elf).types();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const off = (addr: number) => {
    const o = elf.vaddrToFileOffset(addr);
    if (o === undefined) throw new Error(`0x${addr.toString(16)} is not in the file`);
    return o;
  };
  return {
    data,
    td,
    u64: (addr: number) => Number(view.getBigUint64(off(addr), true)),
    setU64: (addr: number, v: number | bigint) => view.setBigUint64(off(addr), BigInt(v), true),
    setI32: (addr: number, v: number) => view.setInt32(off(addr), v, true),
    setBytes: (addr: number, bytes: number[]) => data.set(bytes, off(addr)),
    read: () => GoBinary.fromElf(ElfFile.parse(data, 'patched')).types(),
  };
}

/** Expects a typed descriptor error that names a section and an offset. */
function expectTypedError(fn: () => unknown, code: string, message: RegExp): GobinError {
  let caught: unknown;
  const t0 = performance.now();
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(performance.now() - t0).toBeLessThan(5_000);
  expect(caught).toBeInstanceOf(GobinError);
  const e = caught as GobinError;
  expect(e.code).toBe(code);
  expect(e.message).toMatch(message);
  expect(e.where?.section).toBeTruthy();
  expect(e.where?.offset).toBeTypeOf('number');
  expect(e.message).toMatch(/\(.+, offset 0x[0-9a-f]+\)$/);
  return e;
}

// Struct descriptor (64-bit): 48-byte header (string nameOff at +40, ptrToThis at +44),
// PkgPath name pointer at +48, fields slice (pointer, len, cap) at +56; each field is
// name pointer, type pointer, offset word (24 bytes).
describe('targeted corruption of net/http.Request', () => {
  for (const p of targets) {
    describe(`${p.toolchain.version} ${p.variant}`, () => {
      it('a cyclic type graph (a field of the struct itself, ptrToThis to itself) ends, with the cycle read as it is', async () => {
        const b = await patchable(p);
        const req = b.td.descriptorAddress('net/http.Request')!;
        const fields = b.u64(req + 56);
        b.setU64(fields + 8, req); // field 0's type: the struct itself
        b.setI32(req + 44, req - b.td.moduleData.types); // pointer-to-this: itself
        const t0 = performance.now();
        const td = b.read();
        expect(performance.now() - t0).toBeLessThan(5_000);
        const s = td.findStruct('net/http.Request')!;
        expect(s.members[0].size).toBe(s.size);
      });

      it('a pointer outside every section: ERR_TYPES_MALFORMED at the field', async () => {
        const b = await patchable(p);
        const req = b.td.descriptorAddress('net/http.Request')!;
        const fields = b.u64(req + 56);
        b.setU64(fields + 24 + 8, 0x7fff_dead_0000); // field 1's type
        const e = expectTypedError(b.read, 'ERR_TYPES_MALFORMED', /field type points to 0x7fffdead0000, outside the types area/);
        expect(e.where!.section).not.toBe('address space');
      });

      it('a field name pointer outside every segment: ERR_TYPES_MALFORMED', async () => {
        const b = await patchable(p);
        const fields = b.u64(b.td.descriptorAddress('net/http.Request')! + 56);
        b.setU64(fields, 0x10); // field 0's name
        expectTypedError(b.read, 'ERR_TYPES_MALFORMED', /name flags .* outside every loaded segment/);
      });

      it('a truncated name (its length runs past the end of the segment): ERR_TYPES_MALFORMED', async () => {
        const b = await patchable(p);
        const elf = ElfFile.parse(b.data, p.path);
        const req = b.td.descriptorAddress('net/http.Request')!;
        const seg = elf.loadSegments().find((s) => req >= s.vaddr && req < s.vaddr + s.filesz)!;
        const end = seg.vaddr + seg.filesz;
        // flags 0, then a length of 0x50 (varint since 1.17, 2 bytes big-endian before), then the end of the segment.
        const varint = Number(p.toolchain.minor.split('.')[1]) >= 17;
        const name = varint ? [0, 0x50] : [0, 0, 0x50];
        b.setBytes(end - name.length, name);
        const fields = b.u64(req + 56);
        b.setU64(fields, end - name.length);
        expectTypedError(b.read, 'ERR_TYPES_MALFORMED', /name bytes .* outside every loaded segment/);
      });

      it('a hostile field count: ERR_TYPES_MALFORMED, no allocation of it', async () => {
        const b = await patchable(p);
        const req = b.td.descriptorAddress('net/http.Request')!;
        b.setU64(req + 64, 2 ** 40); // len
        b.setU64(req + 72, 2 ** 40); // cap
        expectTypedError(b.read, 'ERR_TYPES_MALFORMED', /descriptors list more fields|run outside the types area/);
      });

      it('length > capacity: ERR_TYPES_MALFORMED', async () => {
        const b = await patchable(p);
        const req = b.td.descriptorAddress('net/http.Request')!;
        b.setU64(req + 72, 1);
        expectTypedError(b.read, 'ERR_TYPES_MALFORMED', /struct fields: length \d+ > capacity 1/);
      });

      it('an invalid kind: ERR_TYPES_MALFORMED', async () => {
        const b = await patchable(p);
        const req = b.td.descriptorAddress('net/http.Request')!;
        b.setBytes(req + 23, [0]);
        expectTypedError(b.read, 'ERR_TYPES_MALFORMED', /invalid kind 0/);
      });

      it('module data whose types area is not mapped: ERR_NO_TYPES', async () => {
        const b = await patchable(p);
        const { addr } = b.td.moduleData;
        const typesWord = b.td.layout.md.types;
        b.setU64(addr + 8 * typesWord, 0x10);
        let caught: unknown;
        try {
          b.read();
        } catch (err) {
          caught = err;
        }
        expect(caught).toBeInstanceOf(GobinError);
        expect((caught as GobinError).code).toBe('ERR_NO_TYPES');
        expect((caught as GobinError).message).toMatch(/runtime.firstmoduledata not found .*rejected 0x[0-9a-f]+ \(\[types, etypes\) not mapped\)/);
      });
    });
  }
});

describe('mutated types area and module data (fast-check)', () => {
  for (const p of targets) {
    it(`${p.toolchain.version} ${p.variant}: a result or a GobinError, in bounded time`, async () => {
      const b = await patchable(p);
      const original = b.data.slice();
      const elf = ElfFile.parse(original, p.path);
      const md = b.td.moduleData;
      const typesOff = elf.vaddrToFileOffset(md.types)!;
      const regions: Array<[number, number]> = [
        [typesOff, md.etypes - md.types], // descriptors and names
        [elf.vaddrToFileOffset(b.td.descriptorAddress('net/http.Request')!)!, 80], // one struct descriptor
        [elf.vaddrToFileOffset(md.addr)!, 8 * b.td.layout.md.words], // the module data
      ];
      const mutation = fc.record({
        region: fc.nat({ max: regions.length - 1 }),
        edits: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 16 }),
      });
      const outcomes = { ok: 0, error: 0 };
      fc.assert(
        fc.property(mutation, ({ region, edits }) => {
          const [start, len] = regions[region];
          const data = original.slice();
          for (const [at, byte] of edits) data[start + (at % len)] = byte;
          const t0 = performance.now();
          try {
            const td = GoBinary.fromElf(ElfFile.parse(data, 'mutated')).types();
            td.structs();
            // The agent's targeted read of a few structs, on the same bytes.
            GoBinary.fromElf(ElfFile.parse(data, 'mutated')).typesOf(['net/http.Request', 'runtime.g']).structs();
            outcomes.ok++;
          } catch (err) {
            if (!(err instanceof GobinError)) throw err;
            outcomes.error++;
          }
          expect(performance.now() - t0).toBeLessThan(5_000);
        }),
        { numRuns: 200, seed: 0x7e5c12 },
      );
      expect(outcomes.ok + outcomes.error).toBe(200);
      expect(outcomes.error).toBeGreaterThan(0);
    });
  }
});
