// `offsets dwarf` through the built launcher (bin/offsets.cjs → dist/bundle/). The
// build is scripts/setup.sh's job (`npm run build`); this file refuses to run
// against a missing or stale dist/ rather than test old code.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Dwarf } from '../../gobin/dwarf/index.js';
import { ElfFile } from '../../gobin/elf.js';
import { probeBinaries } from '../support/probes.js';
import { offsetsCli } from '../support/built-cli.js';

const root = join(import.meta.dirname, '..', '..');
const probes = await probeBinaries();
const plain = probes.find((p) => p.variant === 'plain')!;
const stripped = probes.find((p) => p.variant === 'stripped')!;

const offsets = offsetsCli;

beforeAll(() => {
  const built = join(root, 'dist', 'cli', 'commands', 'dwarf.js');
  let builtAt = 0;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    throw new Error(`${built} is missing: run \`npm run build\` (scripts/setup.sh does) before these tests`);
  }
  const sources = [join(root, 'cli', 'commands', 'dwarf.ts'), ...readdirSync(join(root, 'gobin', 'dwarf')).map((f) => join(root, 'gobin', 'dwarf', f))];
  const stale = sources.filter((s) => statSync(s).mtimeMs > builtAt);
  if (stale.length) throw new Error(`dist/ is older than ${stale.join(', ')}: run \`npm run build\``);
});

describe('offsets dwarf', () => {
  it('has probes', () => {
    expect(plain).toBeDefined();
    expect(stripped).toBeDefined();
  });

  it('--json prints the contract shape, null for absent types and fields', async () => {
    const r = await offsets('dwarf', plain.path, 'net/http.Request.ctx', 'net/http.Request.nope', 'no/such.Type.f', '--json');
    expect(r.code).toBe(0);
    const want = Dwarf.fromElf(await ElfFile.open(plain.path)).findStruct('net/http.Request')!.members.find((m) => m.name === 'ctx')!;
    expect(JSON.parse(r.stdout)).toEqual([
      { type: 'net/http.Request', field: 'ctx', offset: want.offset, size: 16 },
      { type: 'net/http.Request', field: 'nope', offset: null, size: null },
      { type: 'no/such.Type', field: 'f', offset: null, size: null },
    ]);
    expect(want.offset).toBeGreaterThan(0);
  });

  it('--all --json prints every member of every struct', async () => {
    const r = await offsets('dwarf', plain.path, '--all', '--json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as unknown[];
    const structs = Dwarf.fromElf(await ElfFile.open(plain.path)).structs();
    expect(rows).toEqual(structs.flatMap((s) => s.members.map((m) => ({ type: s.name, field: m.name, offset: m.offset, size: m.size }))));
  });

  it('prints a text table without --json', async () => {
    const r = await offsets('dwarf', plain.path, 'net/http.Request.ctx', 'runtime.g.nope');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['TYPE', 'FIELD', 'OFFSET', 'SIZE']);
    expect(lines[1].split(/\s+/)).toEqual(['net/http.Request', 'ctx', expect.stringMatching(/^\d+$/), '16']);
    expect(lines[2].split(/\s+/)).toEqual(['runtime.g', 'nope', '-', '-']);
  });

  it('a stripped binary exits non-zero with ERR_NO_DWARF', async () => {
    const r = await offsets('dwarf', stripped.path, 'net/http.Request.ctx', '--json');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/ERR_NO_DWARF.*no DWARF/);
    expect(r.stdout).toBe('');
  });

  it('bad selectors, missing arguments and --help', async () => {
    const bad = await offsets('dwarf', plain.path, 'nodot');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/ERR_BAD_SELECTOR/);
    expect((await offsets('dwarf', plain.path)).code).not.toBe(0);
    const missing = await offsets('dwarf', join(root, 'no-such-binary'), 'a.B.c');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ERR_OPEN.*no-such-binary.*ENOENT/);
    // The reader's typed errors pass through as they are (not wrapped as ERR_OPEN).
    const notElf = await offsets('dwarf', join(root, 'package.json'), '--all');
    expect(notElf.code).toBe(1);
    expect(notElf.stderr).toMatch(/^offsets: ERR_NOT_ELF: /);
    const help = await offsets('dwarf', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: offsets dwarf .*<binary> \[selectors\.\.\.\]/);
  });

  it('a reader that closes the pipe early (`| head`) ends the output quietly, no EPIPE crash', async () => {
    const child = spawn(process.execPath, [join(root, 'bin', 'offsets.cjs'), 'dwarf', plain.path, '--all'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
