// Bad input: every failure is a GobinError with a stable code that names the
// section and offset; never a hang, a crash or unbounded memory.
import fc from 'fast-check';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Dwarf } from '../../gobin/dwarf/index.js';
import { ElfSections, inflateBounded, inflateZdebug, type SectionMap } from '../../gobin/dwarf/sections.js';
import { ElfFile } from '../../gobin/elf.js';
import { GobinError } from '../../gobin/errors.js';
import { cProbe } from '../oracle/dwarf/oracle.js';
import { probeBinaries } from '../support/probes.js';

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const cstr = (s: string): number[] => [...Buffer.from(s), 0];
const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];

// DW_TAG / DW_AT / DW_FORM numbers used below.
const T = { cu: 0x11, struct: 0x13, member: 0x0d, typedef: 0x16, base: 0x24 };
const A = { name: 0x03, size: 0x0b, loc: 0x38, type: 0x49 };
const F = { string: 0x08, data1: 0x0b, ref4: 0x13, strp: 0x0e };

function abbrevs(extra: Array<[number, number, boolean, Array<[number, number]>]> = []): number[] {
  const table: Array<[number, number, boolean, Array<[number, number]>]> = [
    [1, T.cu, true, [[A.name, F.string]]],
    [2, T.struct, true, [[A.name, F.string], [A.size, F.data1]]],
    [3, T.member, false, [[A.name, F.string], [A.type, F.ref4], [A.loc, F.data1]]],
    [4, T.typedef, false, [[A.name, F.string], [A.type, F.ref4]]],
    [5, T.base, false, [[A.name, F.string], [A.size, F.data1]]],
    ...extra,
  ];
  return [...table.flatMap(([code, tag, kids, attrs]) => [...uleb(code), ...uleb(tag), kids ? 1 : 0, ...attrs.flatMap(([a, f]) => [...uleb(a), ...uleb(f)]), 0, 0]), 0];
}

/** A DWARF 4 unit whose DIEs `body` builds, given the offset (from the unit start) each DIE will have. */
function unit(body: (at: () => number) => number[][]): Uint8Array {
  const dies: number[] = [];
  const at = (): number => 11 + dies.length;
  for (const die of body(at)) dies.push(...die);
  const content = [4, 0, ...u32(0), 8, ...dies];
  return Uint8Array.from([...u32(content.length), ...content]);
}

/** CU { struct p.T { a: typedef p.A } ; typedef p.A -> <target> ; base int }, with p.A's target chosen by the test. */
function structWithTypedef(target: (offsets: { typedefA: number; typedefB: number; base: number }) => number): SectionMap {
  // Fixed layout: offsets are computed once with a dry run.
  const layout = (refs: { typedefA: number; typedefB: number; base: number }): { bytes: Uint8Array; offs: typeof refs } => {
    const offs = { typedefA: 0, typedefB: 0, base: 0 };
    const bytes = unit((at) => {
      const out: number[][] = [];
      const push = (d: number[]): number => {
        const o = at() + out.flat().length;
        out.push(d);
        return o;
      };
      push([1, ...cstr('p')]);
      push([2, ...cstr('p.T'), 8]);
      push([3, ...cstr('a'), ...u32(refs.typedefA), 0]);
      push([0]);
      offs.typedefA = push([4, ...cstr('p.A'), ...u32(target(refs))]);
      offs.typedefB = push([4, ...cstr('p.B'), ...u32(refs.typedefA)]);
      offs.base = push([5, ...cstr('int'), 8]);
      push([0]);
      return out;
    });
    return { bytes, offs };
  };
  const first = layout({ typedefA: 0, typedefB: 0, base: 0 });
  return { info: layout(first.offs).bytes, abbrev: Uint8Array.from(abbrevs()) };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof GobinError) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'ok';
}

describe('hand-built DWARF', () => {
  it('reads the well-formed unit (the builder is right)', () => {
    const d = Dwarf.fromSections(structWithTypedef((o) => o.base));
    expect(d.structs()).toEqual([{ name: 'p.T', size: 8, members: [{ name: 'a', offset: 0, size: 8, typeName: 'p.A', embedded: false }] }]);
  });

  it('a typedef cycle is ERR_DWARF_MALFORMED, not a stack overflow', () => {
    const d = Dwarf.fromSections(structWithTypedef((o) => o.typedefB));
    expect(code(() => d.structs())).toMatch(/^ERR_DWARF_MALFORMED: type references nest deeper than 64 \(a cycle\?\) \(\.debug_info, offset 0x/);
  });

  it('a type reference outside every unit', () => {
    const d = Dwarf.fromSections(structWithTypedef(() => 0xfffff));
    expect(code(() => d.structs())).toMatch(/^ERR_DWARF_MALFORMED: DIE reference 0xfffff is not inside any unit's DIEs \(\.debug_info, offset 0xfffff\)/);
  });

  it('an abbreviation code the table lacks', () => {
    const info = unit(() => [[1, ...cstr('p')], [9], [0]]);
    expect(code(() => Dwarf.fromSections({ info, abbrev: Uint8Array.from(abbrevs()) }).structs())).toMatch(/^ERR_DWARF_MALFORMED: DIE uses abbreviation code 9.*\(\.debug_info, offset 0xe\)/);
  });

  it('an unknown form', () => {
    const info = unit(() => [[1, ...cstr('p')], [6, 1, 2], [0]]);
    const abbrev = Uint8Array.from(abbrevs([[6, T.base, false, [[A.name, 0x7f]]]]));
    expect(code(() => Dwarf.fromSections({ info, abbrev }).structs())).toMatch(/^ERR_DWARF_UNSUPPORTED: unknown attribute form 0x7f \(\.debug_info/);
  });

  it('a string offset past .debug_str', () => {
    const info = unit(() => [[1, ...cstr('p')], [6, ...u32(0x1000)], [0]]);
    const abbrev = Uint8Array.from(abbrevs([[6, T.struct, false, [[A.name, F.strp]]]]));
    expect(code(() => Dwarf.fromSections({ info, abbrev, str: Uint8Array.from(cstr('x')) }).structs())).toMatch(/^ERR_DWARF_MALFORMED: string offset 0x1000 is outside \.debug_str \(2 bytes\)/);
  });

  it('a unit longer than the section, an unsupported version, an abbrev offset out of range', () => {
    const info = unit(() => [[1, ...cstr('p')], [0]]);
    const abbrev = Uint8Array.from(abbrevs());
    expect(code(() => Dwarf.fromSections({ info: info.subarray(0, info.length - 1), abbrev }))).toMatch(/^ERR_TRUNCATED: unit length .* \(\.debug_info, offset 0x0\)/);
    const v9 = Uint8Array.from(info);
    v9[4] = 9;
    expect(code(() => Dwarf.fromSections({ info: v9, abbrev }))).toMatch(/^ERR_DWARF_UNSUPPORTED: DWARF version 9/);
    const farAbbrev = Uint8Array.from(info);
    farAbbrev[6] = 0xff;
    expect(code(() => Dwarf.fromSections({ info: farAbbrev, abbrev }).structs())).toMatch(/^ERR_DWARF_MALFORMED: unit at 0x0: abbreviation offset 0xff is outside \.debug_abbrev/);
  });
});

describe('compressed sections', () => {
  const bomb = deflateSync(Buffer.alloc(64 << 20));

  it('a zlib bomb stops at its declared size: ERR_DECOMPRESS_LIMIT', () => {
    expect(code(() => inflateBounded(bomb, 1024, '.debug_info', 0x40))).toMatch(/^ERR_DECOMPRESS_LIMIT: \.debug_info: inflates past its declared size of 1024 bytes \(\.debug_info, offset 0x40\)/);
  });

  it('a declared size past the absolute limit is refused before inflating', () => {
    expect(code(() => inflateBounded(bomb, 2 ** 40, '.debug_info', 0))).toMatch(/^ERR_DECOMPRESS_LIMIT: .*exceeds the limit of 1073741824 bytes/);
    expect(code(() => inflateBounded(bomb, 64 << 20, '.debug_info', 0, 1 << 20))).toMatch(/^ERR_DECOMPRESS_LIMIT/);
  });

  it('.zdebug: bad magic, short stream', () => {
    expect(code(() => inflateZdebug(Buffer.from('ZLIX\0\0\0\0\0\0\0\x10xxxx'), '.zdebug_info', 0))).toMatch(/^ERR_DECOMPRESS: \.zdebug_info: missing "ZLIB" header/);
    const header = Buffer.from([...Buffer.from('ZLIB'), 0, 0, 0, 0, 0, 0, 0x10, 0]);
    expect(code(() => inflateZdebug(Buffer.concat([header, bomb.subarray(0, 20)]), '.zdebug_info', 0))).toMatch(/^ERR_DECOMPRESS: \.zdebug_info: zlib stream does not inflate/);
  });

  it('a real SHF_COMPRESSED .debug_info whose Elf64_Chdr understates its size', async () => {
    const path = await cProbe('dwarf5-zlib');
    const bytes = Uint8Array.from(await import('node:fs/promises').then((fs) => fs.readFile(path)));
    const sec = ElfFile.parse(bytes, path).section('.debug_info')!;
    new DataView(bytes.buffer).setBigUint64(sec.offset + 8, 16n, true); // ch_size
    const elf = ElfFile.parse(bytes, path);
    expect(code(() => Dwarf.fromElf(elf).structs())).toMatch(/^ERR_DECOMPRESS_LIMIT: \.debug_info: inflates past its declared size of 16 bytes/);
  });
});

describe('property: mutated real DWARF gives a result or a GobinError, quickly', () => {
  /** Inflated sections of a real binary. */
  async function realSections(path: string): Promise<SectionMap> {
    const src = new ElfSections(await ElfFile.open(path));
    return { info: src.get('info'), abbrev: src.get('abbrev'), str: src.get('str'), line_str: src.get('line_str'), str_offsets: src.get('str_offsets'), addr: src.get('addr') };
  }

  function exercise(sections: SectionMap): void {
    const started = performance.now();
    try {
      const d = Dwarf.fromSections(sections);
      d.field('net/http.Request.ctx');
      d.structs();
    } catch (err) {
      if (!(err instanceof GobinError)) throw err;
      expect(err.where?.section ?? err.message).toBeTruthy();
    }
    // A generous bound: a hang or a blow-up shows as minutes, a healthy read takes milliseconds.
    expect(performance.now() - started).toBeLessThan(10_000);
  }

  const mutation = (length: number) =>
    fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.array(fc.nat(length - 1), { minLength: 1, maxLength: 8 }), xor: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.array(fc.nat(length - 1), { minLength: 1, maxLength: 1 }), xor: fc.constant(0) }),
    );

  function mutate(bytes: Uint8Array, m: { kind: 'flip' | 'truncate'; at: number[]; xor: number }): Uint8Array {
    if (m.kind === 'truncate') return bytes.slice(0, m.at[0]);
    const out = Uint8Array.from(bytes);
    for (const i of m.at) out[i] ^= m.xor;
    return out;
  }

  for (const [label, load] of [
    ['gcc DWARF 5', () => cProbe('dwarf5').then(realSections)],
    ['gcc DWARF 2', () => cProbe('dwarf2').then(realSections)],
    ['Go probe', async () => realSections((await probeBinaries()).find((p) => p.variant === 'plain')!.path)],
  ] as const) {
    it(`${label}: flipped or truncated .debug_info / .debug_abbrev / .debug_str_offsets`, async () => {
      const sections = await load();
      const runs = label === 'Go probe' ? 40 : 300;
      for (const name of ['info', 'abbrev', 'str_offsets'] as const) {
        const target = sections[name];
        if (!target || target.length === 0) continue;
        fc.assert(fc.property(mutation(target.length), (m) => exercise({ ...sections, [name]: mutate(target, m) })), { numRuns: runs, seed: 42 });
      }
    });
  }

  it('random bytes as .debug_info and .debug_abbrev', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.uint8Array({ maxLength: 128 }), (info, abbrev) => exercise({ info, abbrev })),
      { numRuns: 2000, seed: 7 },
    );
    // Random bodies behind a valid unit header reach the DIE decoder, not just the header checks.
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 400 }), fc.uint8Array({ maxLength: 128 }), (body, abbrev) => {
        const content = [4, 0, ...u32(0), 8, ...body];
        exercise({ info: Uint8Array.from([...u32(content.length), ...content]), abbrev: Uint8Array.from([...abbrevs(), ...abbrev]) });
      }),
      { numRuns: 2000, seed: 8 },
    );
  });
});
