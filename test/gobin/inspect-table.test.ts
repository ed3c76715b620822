// `offsets inspect BINARY --table FILE` through the built launcher (bin/offsets.cjs → dist/bundle/):
// every tracked field's offset for the binary's Go version, unknown fields, and, for a
// binary with DWARF, DWARF's offset and whether the table agrees. The table is built in
// the test from observations the project's DWARF reader took from the plain probe of one
// matrix toolchain; the expected offsets come from Go's own debug/dwarf (test/oracle/dwarf)
// run with that toolchain, and the binary's Go version from `go version -m`.
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dwarf } from '../../gobin/dwarf/index.js';
import { ElfFile } from '../../gobin/elf.js';
import { buildTable, canonicalGoVersion, defaultTablePath, parseGoVersion, serializeTable } from '../../offsets/index.js';
import type { Observation } from '../../offsets/observation.js';
import { goVersionM } from '../oracle/buildinfo/goversion.js';
import { runOracle } from '../oracle/dwarf/oracle.js';
import { buildProbe, probeSourceHash } from '../support/probes.js';
import { matrixToolchains } from '../support/toolchains.js';
import { offsetsCli } from '../support/built-cli.js';

const root = join(import.meta.dirname, '..', '..');

// One toolchain (the newest of the matrix), its plain and stripped probe: the same
// fixture and cache as probeBinaries(), without building the other toolchains' probes.
const toolchains = await matrixToolchains();
const tc = toolchains[toolchains.length - 1];
const srcHash = await probeSourceHash();
const plain = await buildProbe(tc, 'plain', srcHash);
const stripped = await buildProbe(tc, 'stripped', srcHash);

/** Tracked std fields for this test; the last exists in no Go version (observed absent). */
const FIELDS = ['net/http.Request.ctx', 'net/http.Request.Method', 'net/http.Request.URL', 'net/url.URL.Path', 'runtime.g.goid', 'bufio.Reader.buf', 'net/http.Request.noSuchField'];
/** Scanned only for an old Go line: unknown for the probe's version. */
const ONLY_OLD = 'net/http.Transport.idleConn';
const OLD = 'go1.12.17';

let dir: string;
let version: string;
/** Go debug/dwarf's offset for each selector (null: no such member). */
let oracle: Map<string, number | null>;
/** What the project's reader observed in the plain probe. */
let observed: Map<string, number | null>;

const offsets = offsetsCli;

function obs(field: string, v: string, offset: number | null, module = 'std'): Observation {
  return { module, version: v, source: 'test', arch: 'amd64', field, result: offset === null ? { status: 'absent' } : { status: 'ok', offset } };
}

async function writeTable(name: string, observations: Observation[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, serializeTable(buildTable(observations)));
  return path;
}

/** The table every case starts from: FIELDS at the probe's version, ONLY_OLD at OLD, and a module the probe does not use. */
function baseObservations(change: Record<string, number> = {}): Observation[] {
  return [
    ...FIELDS.map((f) => obs(f, version, change[f] ?? observed.get(f)!)),
    obs(ONLY_OLD, OLD, 8),
    obs('golang.org/x/net/http2.Framer.w', 'v0.17.0', 16, 'golang.org/x/net'),
  ];
}

const sorted = (xs: string[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

beforeAll(async () => {
  // This file tests the built CLI: refuse a missing or stale dist/ rather than test old code.
  const built = join(root, 'dist', 'cli', 'commands', 'inspect.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` (scripts/setup.sh does)`);
  const sources = ['cli/commands/inspect.ts', 'offsets/report.ts', 'offsets/lookup.ts', 'offsets/load.ts'].map((f) => join(root, f));
  const stale = sources.filter((s) => statSync(s).mtimeMs > statSync(built).mtimeMs);
  if (stale.length) throw new Error(`dist/ is older than ${stale.join(', ')}: run \`npm run build\``);

  dir = await mkdtemp(join(tmpdir(), 'inspect-table-'));
  const want = await goVersionM(tc, plain.path);
  expect(want.goVersion).toBe(tc.version);
  version = canonicalGoVersion(parseGoVersion(want.goVersion));
  const structs = await runOracle(tc, plain.path);
  oracle = new Map(
    [...FIELDS, ONLY_OLD].map((sel) => {
      const dot = sel.lastIndexOf('.');
      const member = structs.find((s) => s.name === sel.slice(0, dot))?.members.find((m) => m.name === sel.slice(dot + 1));
      return [sel, member ? member.offset : null];
    }),
  );
  const dwarf = Dwarf.fromElf(await ElfFile.open(plain.path));
  observed = new Map(FIELDS.map((f) => [f, dwarf.field(f).offset]));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe(`offsets inspect with a table (${tc.version} probe)`, () => {
  it('the observations agree with Go debug/dwarf, and cover scanned and absent fields', () => {
    for (const f of FIELDS) expect(observed.get(f), f).toBe(oracle.get(f));
    expect(oracle.get('net/http.Request.ctx')).toBeGreaterThan(0);
    expect(oracle.get('net/http.Request.noSuchField')).toBeNull();
    expect(oracle.get(ONLY_OLD)).toEqual(expect.any(Number));
  });

  it('plain probe: every tracked field, DWARF values, all agreeing; the unscanned field unknown', async () => {
    const table = await writeTable('base.json', baseObservations());
    const r = await offsets('inspect', plain.path, '--table', table, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(got.table).toEqual({ path: table, policy: 'range' });
    const known = FIELDS.map((f) => {
      const off = oracle.get(f)!;
      return { field: f, module: 'std', version, offset: off, status: off === null ? 'absent' : 'scanned', policy: 'range', dwarf: off, agrees: true };
    });
    const unknown = { field: ONLY_OLD, module: 'std', version, offset: null, status: 'unknown', policy: 'range', message: expect.any(String), dwarf: oracle.get(ONLY_OLD) };
    expect(got.fields).toEqual(sorted([...FIELDS, ONLY_OLD]).map((f) => (f === ONLY_OLD ? unknown : known.find((k) => k.field === f))));
    // The module the binary does not use contributes no field; the rest of the report is the plain inspect one.
    expect(got.fields.some((f: { module: string }) => f.module !== 'std')).toBe(false);
    const bare = JSON.parse((await offsets('inspect', plain.path, '--no-table', '--json')).stdout);
    expect(bare.fields).toBeUndefined();
    expect(bare.table).toBeUndefined();
    expect({ ...got, fields: undefined, table: undefined }).toEqual({ ...bare, fields: undefined, table: undefined });
  });

  it('stripped probe: the same offsets from the table alone, no DWARF columns', async () => {
    const table = await writeTable('base.json', baseObservations());
    const r = await offsets('inspect', stripped.path, '--table', table, '--json');
    expect(r.code, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(got.stripped).toBe(true);
    expect(got.goVersion).toBe((await goVersionM(tc, stripped.path)).goVersion);
    for (const f of got.fields) {
      expect(f).not.toHaveProperty('dwarf');
      expect(f).not.toHaveProperty('agrees');
      // Same toolchain and source: the plain build's DWARF (Go debug/dwarf) is the oracle for the stripped one.
      if (f.field !== ONLY_OLD) expect(f.offset, f.field).toBe(oracle.get(f.field));
    }
    expect(got.fields.filter((f: { status: string }) => f.status === 'unknown').map((f: { field: string }) => f.field)).toEqual([ONLY_OLD]);
    const text = await offsets('inspect', stripped.path, '--table', table);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ {2}field +module +version +offset +status$/m);
    expect(text.stdout).toMatch(new RegExp(`^ {2}net/http\\.Request\\.ctx +std +${version.replace(/\./g, '\\.')} +${oracle.get('net/http.Request.ctx')} +scanned$`, 'm'));
    expect(text.stdout).toContain(`  unknown ${ONLY_OLD}: `);
  });

  it('a table without the binary\'s Go version: every field unknown under range, inferred with a warning under nearest', async () => {
    // Two old releases that differ (so policy stable does not apply); the newer one has the probe's values.
    const ctxNow = observed.get('net/http.Request.ctx')!;
    const table = await writeTable('old.json', [
      ...FIELDS.map((f) => obs(f, OLD, f === 'net/http.Request.ctx' ? ctxNow + 8 : observed.get(f)!)),
      ...FIELDS.map((f) => obs(f, 'go1.13.15', observed.get(f)!)),
    ]);
    const r = await offsets('inspect', plain.path, '--table', table, '--json');
    expect(r.code, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(got.fields.map((f: { field: string }) => f.field)).toEqual(sorted(FIELDS));
    for (const f of got.fields) {
      expect(f).toEqual({ field: f.field, module: 'std', version, offset: null, status: 'unknown', policy: 'range', message: expect.any(String), dwarf: oracle.get(f.field) });
    }
    const near = JSON.parse((await offsets('inspect', plain.path, '--table', table, '--policy', 'nearest', '--json')).stdout);
    expect(near.table.policy).toBe('nearest');
    const ctx = near.fields.find((f: { field: string }) => f.field === 'net/http.Request.ctx');
    expect(ctx).toMatchObject({ status: 'inferred', policy: 'nearest', offset: ctxNow, dwarf: oracle.get('net/http.Request.ctx'), agrees: true });
    expect(ctx.message).toMatch(/^WARNING/);
    expect(ctx.message).toContain('go1.13.15');
  });

  it('a table with a wrong offset is reported as disagreeing with DWARF', async () => {
    const wrong = oracle.get('net/http.Request.ctx')! + 8;
    const table = await writeTable('wrong.json', baseObservations({ 'net/http.Request.ctx': wrong }));
    const r = await offsets('inspect', plain.path, '--table', table, '--json');
    expect(r.code, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout);
    const ctx = got.fields.find((f: { field: string }) => f.field === 'net/http.Request.ctx');
    expect(ctx).toEqual({ field: 'net/http.Request.ctx', module: 'std', version, offset: wrong, status: 'scanned', policy: 'range', dwarf: oracle.get('net/http.Request.ctx'), agrees: false });
    expect(got.fields.filter((f: { agrees?: boolean }) => f.agrees === false).map((f: { field: string }) => f.field)).toEqual(['net/http.Request.ctx']);
    const text = await offsets('inspect', plain.path, '--table', table);
    expect(text.stdout).toMatch(/^ {2}field +module +version +offset +status +dwarf +agrees$/m);
    expect(text.stdout).toMatch(new RegExp(`^ {2}net/http\\.Request\\.ctx +std +\\S+ +${wrong} +scanned +${oracle.get('net/http.Request.ctx')} +NO$`, 'm'));
    expect(text.stdout).toContain('1 disagreeing with DWARF');
    expect(text.stdout).toContain(`DISAGREES net/http.Request.ctx: table ${wrong}, DWARF ${oracle.get('net/http.Request.ctx')}`);
  });

  it('bad table input: typed errors, exit 1, nothing on stdout', async () => {
    const missing = await offsets('inspect', plain.path, '--table', join(dir, 'nope.json'), '--json');
    expect([missing.code, missing.stdout]).toEqual([1, '']);
    expect(missing.stderr).toMatch(/^offsets: ERR_TABLE_READ: /);
    const corrupt = join(dir, 'corrupt.json');
    await writeFile(corrupt, '{"format": "go-offsets-table", ');
    const bad = await offsets('inspect', plain.path, '--table', corrupt);
    expect([bad.code, bad.stdout]).toEqual([1, '']);
    expect(bad.stderr).toMatch(/^offsets: ERR_TABLE_JSON: /);
    const policy = await offsets('inspect', plain.path, '--table', await writeTable('base.json', baseObservations()), '--policy', 'closest');
    expect([policy.code, policy.stdout]).toEqual([1, '']);
    expect(policy.stderr).toMatch(/^offsets: ERR_BAD_POLICY: /);
  });

  it('without --table: the packaged table when it exists, else no table section (and the text says so)', async () => {
    const existed = existsSync(defaultTablePath());
    const r = await offsets('inspect', stripped.path, '--json');
    expect(r.code, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout);
    if (existed) {
      expect(got.table).toEqual({ path: defaultTablePath(), policy: 'range' });
      expect(Array.isArray(got.fields)).toBe(true);
    } else {
      expect(got).not.toHaveProperty('fields');
      const text = await offsets('inspect', stripped.path);
      expect(text.stdout).toContain(`offsets table  none (${defaultTablePath()}: not generated yet; give --table FILE)`);
    }
  });
});
