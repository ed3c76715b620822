// Bad input: each kind of broken or foreign file yields a GobinError whose code names
// the problem; the reader never crashes, hangs, or returns a half-read table.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cachePath } from '../../common/cache-dir.js';
import { ElfFile, GoBinary, GobinError, type GobinErrorCode } from '../../gobin/index.js';
import { probeBinaries } from '../support/probes.js';
import { goBuildOnce } from '../support/toolchains.js';
const probes = await probeBinaries();
// The newest toolchain's: the patches below assume the Go 1.18+ buildinfo and 1.20+ pclntab layouts.
const stripped = probes.filter((p) => p.variant === 'stripped' && p.arch === 'amd64').at(-1);
if (!stripped) throw new Error('bad-input tests need an amd64 stripped probe binary; none was built');
const original = new Uint8Array(await readFile(stripped.path));

/** Runs every reader entry point; returns the GobinError code, or 'ok'. */
function outcome(data: Uint8Array): GobinErrorCode | 'ok' {
  try {
    const bin = GoBinary.fromElf(ElfFile.parse(data, 'mutated'));
    bin.buildInfo();
    const fns = bin.functions();
    for (const f of fns.filter((x) => x.name.startsWith('net/http.(*conn)'))) bin.returnSites(f);
    return 'ok';
  } catch (err) {
    if (err instanceof GobinError) return err.code;
    throw err;
  }
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof GobinError) return err.code;
    throw err;
  }
  return 'no error';
}

function patched(edit: (b: Uint8Array, v: DataView) => void): Uint8Array {
  const b = original.slice();
  edit(b, new DataView(b.buffer));
  return b;
}

const elf = ElfFile.parse(original, stripped.path);
const pcln = elf.section('.gopclntab')!;
const binfo = elf.section('.go.buildinfo')!;

describe('foreign files', () => {
  it('a text file is ERR_NOT_ELF', async () => {
    const pkg = await readFile(join(dirname(fileURLToPath(import.meta.url)), '../../package.json'));
    expect(code(() => ElfFile.parse(pkg, 'package.json'))).toBe('ERR_NOT_ELF');
    expect(code(() => ElfFile.parse(new Uint8Array(0), 'empty'))).toBe('ERR_NOT_ELF');
  });
  it('a non-Go ELF (/bin/true) is ERR_NOT_GO', async () => {
    const bin = await GoBinary.open('/bin/true');
    expect(code(() => bin.buildInfo())).toBe('ERR_NOT_GO');
    expect(code(() => bin.functions())).toBe('ERR_NOT_GO');
  });
  it('a 32-bit Go ELF (GOARCH=386) is ERR_ELF_UNSUPPORTED', async () => {
    const tc = stripped.toolchain;
    const out = cachePath('reader-probes', tc.version, 'gosym-386', 'gosym');
    await goBuildOnce(tc, out, { cwd: join(dirname(fileURLToPath(import.meta.url)), '../oracle/gosym'), env: { GOARCH: '386', CGO_ENABLED: '0' }, what: 'a GOARCH=386 binary' });
    await expect(GoBinary.open(out)).rejects.toMatchObject({ code: 'ERR_ELF_UNSUPPORTED' });
  });
});

describe('truncated probe', () => {
  for (const len of [0, 3, 16, 63, 64, 1000, original.length >> 1, pcln.offset + 100]) {
    it(`at ${len} bytes`, () => {
      const c = outcome(original.subarray(0, len));
      expect(c).toBe(len < 4 ? 'ERR_NOT_ELF' : 'ERR_TRUNCATED');
    });
  }
});

describe('flipped bytes in the probe', () => {
  const cases: Array<[string, (b: Uint8Array, v: DataView) => void, GobinErrorCode]> = [
    ['ELF class 32-bit', (b) => (b[4] = 1), 'ERR_ELF_UNSUPPORTED'],
    ['big-endian', (b) => (b[5] = 2), 'ERR_ELF_UNSUPPORTED'],
    ['pclntab magic', (b) => (b[pcln.offset] ^= 0xff), 'ERR_PCLNTAB_UNSUPPORTED'],
    ['pclntab padding', (b) => (b[pcln.offset + 4] = 7), 'ERR_PCLNTAB_MALFORMED'],
    ['pclntab pointer size', (b) => (b[pcln.offset + 7] = 3), 'ERR_PCLNTAB_UNSUPPORTED'],
    ['pclntab function count', (_b, v) => v.setUint32(pcln.offset + 8, 0x7fffffff, true), 'ERR_PCLNTAB_MALFORMED'],
    ['pclntab function table offset', (_b, v) => v.setUint32(pcln.offset + 8 + 7 * 8, 0xfffffff, true), 'ERR_PCLNTAB_MALFORMED'],
    ['buildinfo magic', (b) => (b[binfo.offset + 1] ^= 0xff), 'ERR_NO_BUILDINFO'],
    ['buildinfo version length', (b) => b.set([0xff, 0xff, 0xff, 0x7f], binfo.offset + 32), 'ERR_BUILDINFO_MALFORMED'],
    ['section header offset', (_b, v) => v.setUint32(0x28, 0x7ffffff0, true), 'ERR_TRUNCATED'],
  ];
  for (const [name, edit, want] of cases) it(name, () => expect(outcome(patched(edit))).toBe(want));

  it('an unsorted function table', () => {
    const hdr = new DataView(original.buffer, original.byteOffset + pcln.offset);
    const ftab = pcln.offset + Number(hdr.getBigUint64(8 + 7 * 8, true));
    // Entry 10's pc offset becomes larger than entry 11's.
    expect(outcome(patched((_b, v) => v.setUint32(ftab + 10 * 8, 0x7ffffff, true)))).toBe('ERR_PCLNTAB_MALFORMED');
  });
});
