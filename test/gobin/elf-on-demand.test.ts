// ElfFile.openOnDemand reads the headers, then only the ranges asked for: the same
// sections, programs and bytes as the file read whole, the same errors on bad input.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dwarf } from '../../gobin/dwarf/index.js';
import { ElfFile } from '../../gobin/elf.js';
import { GobinError } from '../../gobin/errors.js';
import { probeBinaries } from '../support/probes.js';
import { errorCode as codeOf } from '../support/error-code.js';

const probes = (await probeBinaries()).filter((p) => ['plain', 'stripped', 'pie', 'arm64'].includes(p.variant));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'elf-on-demand-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('ElfFile.openOnDemand', () => {
  it('has probes', () => expect(probes.length).toBeGreaterThan(0));

  it.each(probes.map((p) => [`${p.toolchain.version} ${p.variant}`, p] as const))('%s: the headers, sections and DWARF of the file read whole', async (_name, p) => {
    const whole = ElfFile.parse(await readFile(p.path), p.path);
    const lazy = ElfFile.openOnDemand(p.path);
    expect(lazy.sections).toEqual(whole.sections);
    expect(lazy.programs).toEqual(whole.programs);
    expect([lazy.type, lazy.machine, lazy.entry, lazy.size]).toEqual([whole.type, whole.machine, whole.entry, whole.data.length]);
    for (const sec of lazy.sections) expect(Buffer.from(lazy.sectionData(sec)).equals(Buffer.from(whole.sectionData(sec)))).toBe(true);
    if (!p.stripped) expect(Dwarf.fromElf(lazy).field('net/http.Request.ctx')).toEqual(Dwarf.fromElf(whole).field('net/http.Request.ctx'));
    expect(Buffer.from(lazy.data).equals(Buffer.from(whole.data))).toBe(true);
  });

  it('bad input: the errors of the file read whole', async () => {
    const notElf = join(dir, 'not-elf');
    await writeFile(notElf, 'hello');
    expect(codeOf(() => ElfFile.openOnDemand(notElf))).toBe('ERR_NOT_ELF');
    expect(codeOf(() => ElfFile.openOnDemand(join(dir, 'missing')))).toBe('ENOENT');
    const p = probes[0];
    const bytes = await readFile(p.path);
    const cut = join(dir, 'cut');
    const shoff = Number(bytes.readBigUInt64LE(0x28));
    await writeFile(cut, bytes.subarray(0, shoff)); // the section headers are gone
    expect(codeOf(() => ElfFile.openOnDemand(cut))).toBe(codeOf(() => ElfFile.parse(bytes.subarray(0, shoff), cut)));
    expect(codeOf(() => ElfFile.openOnDemand(cut))).toBe('ERR_TRUNCATED');
    const elf = ElfFile.openOnDemand(p.path);
    expect(() => elf.slice(elf.size - 4, 8, 'a range past the end')).toThrow(GobinError);
  });
});
