import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTable, defaultTablePath, parseTable, serializeTable } from '../../offsets/index.js';
import type { Observation } from '../../offsets/observation.js';
import { offsetsCliIn } from '../support/built-cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Runs the built `offsets` CLI in a child process, as a user would, from another working directory. */
function offsets(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return offsetsCliIn(tmpdir(), ...args);
}

const CTX = 'net/http.Request.ctx';
const PAT = 'net/http.Request.pat';
const STREAM = 'google.golang.org/grpc/internal/transport.Stream.id';

function observations(): Observation[] {
  const obs: Observation[] = [];
  const go: [string, number, number | null][] = [
    ['go1.21.0', 232, null], ['go1.21.4', 232, null], ['go1.21.5', 240, null], ['go1.21.13', 240, null], ['go1.22.0', 232, 248], ['go1.22.12', 240, 248],
  ];
  for (const [version, ctx, pat] of go) {
    for (const arch of ['amd64', 'arm64'] as const) {
      obs.push({ module: 'std', version, source: 'go.dev', arch, field: CTX, result: { status: 'ok', offset: ctx } });
      obs.push({ module: 'std', version, source: 'go.dev', arch, field: PAT, result: pat === null ? { status: 'absent' } : { status: 'ok', offset: pat + (arch === 'arm64' ? 8 : 0) } });
    }
  }
  for (const version of ['v1.59.0', 'v1.60.0', 'v1.60.3']) {
    obs.push({ module: 'google.golang.org/grpc', version, source: 'proxy', arch: 'amd64', field: STREAM, result: { status: 'ok', offset: version === 'v1.59.0' ? 0 : 8 } });
  }
  return obs;
}

describe('offsets lookup / history / diff, end to end', () => {
  let dir: string;
  let table: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'offsets-cli-'));
    table = join(dir, 'offsets.json');
    await writeFile(table, serializeTable(buildTable(observations())));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('prints the issue’s JSON for a scanned version', async () => {
    const r = await offsets('lookup', CTX, '--go', '1.21.5', '--table', table, '--json');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toEqual({ field: CTX, go: '1.21.5', arch: 'amd64', offset: 240, status: 'scanned', policy: 'range' });
  });

  it('infers inside a run, says so, and names the policy', async () => {
    const r = await offsets('lookup', CTX, '--go', 'go1.21.9 X:boringcrypto', '--table', table);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${CTX} go1.21.9 amd64: 240 (inferred under policy range)`);
    expect(r.stdout).toContain('go1.21.5 and go1.21.13 agree');
  });

  it('answers unknown, with exit 3, past the newest scanned patch', async () => {
    const r = await offsets('lookup', CTX, '--go', '1.22.13', '--table', table, '--json');
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ offset: null, status: 'unknown', policy: 'range' });
    const near = await offsets('lookup', CTX, '--go', '1.22.13', '--policy', 'nearest', '--table', table, '--json');
    expect(near.code).toBe(0);
    expect(JSON.parse(near.stdout)).toMatchObject({ offset: 240, status: 'inferred', policy: 'nearest', message: expect.stringContaining('WARNING') });
  });

  it('reports absent with exit 0, and per-arch offsets', async () => {
    const absent = await offsets('lookup', PAT, '--go', '1.21.13', '--table', table, '--json');
    expect(absent.code).toBe(0);
    expect(JSON.parse(absent.stdout)).toMatchObject({ offset: null, status: 'absent' });
    const arm = await offsets('lookup', PAT, '--go', '1.22.0', '--arch', 'arm64', '--table', table, '--json');
    expect(JSON.parse(arm.stdout)).toMatchObject({ arch: 'arm64', offset: 256, status: 'scanned' });
  });

  it('looks module fields up by --module, and (devel) is unknown rather than an error', async () => {
    const r = await offsets('lookup', STREAM, '--module', 'google.golang.org/grpc@v1.60.1', '--table', table, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ module: 'google.golang.org/grpc', version: 'v1.60.1', offset: 8, status: 'inferred' });
    const devel = await offsets('lookup', STREAM, '--module', 'google.golang.org/grpc@(devel)', '--table', table, '--json');
    expect(devel.code).toBe(3);
    expect(JSON.parse(devel.stdout)).toMatchObject({ status: 'unknown', offset: null, message: expect.stringContaining('(devel)') });
  });

  it.each([
    [['lookup', 'net/http.Request.nope', '--go', '1.21.5'], 'ERR_UNKNOWN_FIELD'],
    [['lookup', CTX, '--go', 'one.twenty'], 'ERR_BAD_GO_VERSION'],
    [['lookup', CTX], 'ERR_BAD_GO_VERSION'],
    [['lookup', CTX, '--go', '1.21.5', '--policy', 'guess'], 'ERR_BAD_POLICY'],
    [['lookup', CTX, '--go', '1.21.5', '--arch', '386'], 'ERR_BAD_ARCH'],
    [['lookup', STREAM, '--module', 'google.golang.org/grpc@v1.x'], 'ERR_BAD_MODULE_VERSION'],
    [['lookup', STREAM, '--module', 'example.com/other@v1.0.0'], 'ERR_UNKNOWN_MODULE'],
    [['lookup', STREAM, '--go', '1.21.5'], 'ERR_BAD_USAGE'],
    [['diff', '--go', '1.21.5'], 'ERR_BAD_USAGE'],
    [['diff', '--module', 'example.com/x@v1.0.0', '--module', 'example.com/x@v1.1.0'], 'ERR_UNKNOWN_MODULE'],
    [['history', 'net/http.Request.nope'], 'ERR_UNKNOWN_FIELD'],
  ])('%j fails with %s', async (args, code) => {
    const r = await offsets(...args, '--table', table);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`offsets: ${code}: `);
    expect(r.stdout).toBe('');
  });

  it('refuses a corrupt table and one of another format version', async () => {
    const text = await readFile(table, 'utf8');
    const corrupt = join(dir, 'corrupt.json');
    await writeFile(corrupt, text.slice(0, 200));
    const r1 = await offsets('lookup', CTX, '--go', '1.21.5', '--table', corrupt);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain(`offsets: ERR_TABLE_JSON: ${corrupt}: not valid JSON`);
    const v2 = join(dir, 'v2.json');
    await writeFile(v2, text.replace('"formatVersion": 1', '"formatVersion": 2'));
    const r2 = await offsets('history', CTX, '--table', v2);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain('ERR_TABLE_FORMAT');
    expect(r2.stderr).toContain('format version 2');
  });

  it('history prints every run, per arch where archs differ', async () => {
    const r = await offsets('history', PAT, '--table', table);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => l.split(/\s+/));
    expect(lines).toEqual([
      [PAT, '(std)'],
      ['arch', 'from', 'to', 'versions', 'offset'],
      ['amd64', 'go1.21.0', 'go1.21.13', '4', 'absent'],
      ['amd64', 'go1.22.0', 'go1.22.12', '2', '248'],
      ['arm64', 'go1.21.0', 'go1.21.13', '4', 'absent'],
      ['arm64', 'go1.22.0', 'go1.22.12', '2', '256'],
    ]);
  });

  it('diff prints only the fields that differ', async () => {
    const r = await offsets('diff', '--go', '1.21.13', '--go', '1.22.12', '--table', table);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => l.split(/\s+/))).toEqual([
      ['field', '1.21.13', '1.22.12'],
      [PAT, 'absent', '248'],
    ]);
    const mod = await offsets('diff', '--module', 'google.golang.org/grpc@v1.59.0', '--module', 'google.golang.org/grpc@v1.60.3', '--table', table, '--json');
    expect(JSON.parse(mod.stdout).differences).toEqual([{ field: STREAM, a: { offset: 0, status: 'scanned' }, b: { offset: 8, status: 'scanned' } }]);
    const same = await offsets('diff', '--go', '1.21.5', '--go', '1.21.13', '--table', table);
    expect(same.stdout).toContain('no field of std differs');
  });

  it.each(['lookup', 'history', 'diff'])('%s --help documents its options', async (cmd) => {
    const r = await offsets(cmd, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: offsets ${cmd}`);
    expect(r.stdout).toContain('--table <file>');
  });
});

describe('the packaged table (offsets/offsets.json)', () => {
  it('is found relative to the package, not the working directory', async () => {
    const packaged = defaultTablePath();
    expect(packaged).toBe(join(root, 'offsets', 'offsets.json'));
    if (existsSync(packaged)) {
      // Ask the CLI about the first field at its first scanned version; the oracle is the file itself.
      const t = parseTable(await readFile(packaged, 'utf8'));
      const std = t.modules.std;
      const [field, entry] = Object.entries(std.fields)[0];
      const run = 'runs' in entry ? entry.runs[0] : entry.byArch.amd64![0];
      const r = await offsets('lookup', field, '--go', run[0], '--policy', 'exact', '--json');
      expect(JSON.parse(r.stdout)).toMatchObject({ field, offset: typeof run[2] === 'number' ? run[2] : null });
    } else {
      const r = await offsets('lookup', CTX, '--go', '1.21.5');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`ERR_TABLE_READ: cannot read table ${packaged}`);
    }
  });
});
