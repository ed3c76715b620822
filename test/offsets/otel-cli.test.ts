import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTablePath } from '../../offsets/index.js';
import { offsetsCliIn } from '../support/built-cli.js';
import { OTEL_REFERENCE_PATH } from './otel-reference.js';

/** Runs the built `offsets` CLI in a child process, as a user would, from another working directory. */
function offsets(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return offsetsCliIn(tmpdir(), ...args);
}

describe("offsets export / compare and OpenTelemetry's layout through --table, end to end", () => {
  let dir: string;
  let exported: string;
  const ours = defaultTablePath();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'offsets-otel-cli-'));
    exported = join(dir, 'otel.json');
    const r = await offsets('export', '--format', 'otel', '--out', exported);
    expect(r).toMatchObject({ code: 0, stdout: '' });
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('a lookup in the exported file gives the same answer as the repository table', async () => {
    const args = ['lookup', 'net/http.Request.ctx', '--go', '1.21.13', '--json'];
    const fromExport = await offsets(...args, '--table', exported);
    const fromOurs = await offsets(...args);
    expect(fromExport).toMatchObject({ code: 0, stderr: '' });
    expect(fromExport.stdout).toBe(fromOurs.stdout);
    expect(JSON.parse(fromExport.stdout)).toMatchObject({ field: 'net/http.Request.ctx', status: 'scanned' });
  });

  it('history and diff read the exported file too', async () => {
    const h = await offsets('history', 'net/http.Request.ctx', '--table', exported);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^net\/http.Request.ctx \(std\)\narch +from/);
    const d = await offsets('diff', '--go', '1.21.13', '--go', '1.22.12', '--table', exported, '--json');
    expect(d.code).toBe(0);
    expect(JSON.parse(d.stdout).differences.map((x: { field: string }) => x.field)).toContain('net/http.Request.pat');
  });

  it('our table and its export agree on everything they share: exit 0', async () => {
    const r = await offsets('compare', ours, exported, '--json');
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.totals.disagree).toBe(0);
    expect(c.totals.agree).toBeGreaterThan(300);
    // absent comes back as OpenTelemetry's null: listed, not agreed
    expect(c.fields.flatMap((f: { noValue: { a: unknown; b: unknown }[] }) => f.noValue).every((p: { a: unknown; b: unknown }) => p.a === 'absent' && p.b === 'no-value')).toBe(true);
    expect(c.totals.onlyB).toBe(0);
  });

  it("compares our table with OpenTelemetry's real file field by field", async () => {
    const text = await offsets('compare', ours, OTEL_REFERENCE_PATH);
    const json = JSON.parse((await offsets('compare', ours, OTEL_REFERENCE_PATH, '--json')).stdout);
    expect(text.code).toBe(json.totals.disagree > 0 ? 3 : 0);
    expect(text.stdout).toContain(`field versions in both: ${json.totals.agree + json.totals.disagree + json.totals.noValue}: ${json.totals.agree} agree, ${json.totals.disagree} disagree`);
    expect(text.stdout).toMatch(/\nnet\/http\.Request\.ctx +amd64 +std +\d+ +0 +0\n/);
    // genproto's fields are keyed by grpc's versions there, so they overlap nothing of ours
    expect(text.stdout).toMatch(/google\.golang\.org\/genproto\/googleapis\/rpc\/status\.Status\.Code amd64 \(versions of google\.golang\.org\/grpc\): v1\.0\.0\.\.v1\.85\.0-dev \(242\)/);
  });

  it('a disagreement is a line of its own and exit 3', async () => {
    const doc = JSON.parse(await readFile(exported, 'utf8'));
    const std = doc.find((m: { module: string }) => m.module === 'std');
    const ctx = std.packages.find((p: { package: string }) => p.package === 'net/http').structs.find((s: { struct: string }) => s.struct === 'Request').fields.find((f: { field: string }) => f.field === 'ctx');
    const entry = ctx.offsets.find((o: { versions: string[] }) => o.versions.includes('1.21.13'));
    entry.versions = entry.versions.filter((v: string) => v !== '1.21.13');
    ctx.offsets.push({ offset: 999, versions: ['1.21.13'] });
    const doctored = join(dir, 'doctored.json');
    await writeFile(doctored, JSON.stringify(doc));
    const r = await offsets('compare', ours, doctored);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/\ndisagree:\n {2}net\/http\.Request\.ctx amd64 go1\.21\.13: A \d+, B 999\n/);
  });

  it("answers a null of OpenTelemetry's as no value, exit 3, and a genproto field by grpc's version", async () => {
    const n = await offsets('lookup', 'net/http.Request.pat', '--go', '1.21.0', '--table', OTEL_REFERENCE_PATH, '--json');
    expect(n.code).toBe(3);
    expect(JSON.parse(n.stdout)).toMatchObject({ offset: null, status: 'no-value' });
    const t = await offsets('lookup', 'net/http.Request.pat', '--go', '1.21.0', '--table', OTEL_REFERENCE_PATH);
    expect(t.stdout).toMatch(/: no value \(null in OpenTelemetry's table\)\n/);
    const g = await offsets('lookup', 'google.golang.org/genproto/googleapis/rpc/status.Status.Code', '--module', 'google.golang.org/grpc@v1.60.0', '--table', OTEL_REFERENCE_PATH, '--json');
    expect(g.code).toBe(0);
    expect(JSON.parse(g.stdout)).toMatchObject({ offset: 40, status: 'scanned', otel: { filedUnder: 'google.golang.org/grpc', keying: 'follows', versionsOf: 'google.golang.org/grpc' } });
    const wrong = await offsets('lookup', 'google.golang.org/genproto/googleapis/rpc/status.Status.Code', '--module', 'google.golang.org/genproto/googleapis/rpc@v0.0.0-20240102000000-0123456789ab', '--table', OTEL_REFERENCE_PATH);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^offsets: ERR_BAD_USAGE: .*keys its offsets by google\.golang\.org\/grpc's version/);
  });

  it("exporting OpenTelemetry's file counts and lists the nulls it leaves out on stderr", async () => {
    const r = await offsets('export', '--format', 'otel', '--table', OTEL_REFERENCE_PATH);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^offsets: export: left out 1359 field versions in \d+ fields: nulls of the OpenTelemetry table read/);
    expect(r.stderr).toMatch(/\n {2}net\/http\.Request\.pat: go1\.19, go1\.19\.1, /);
    expect(JSON.parse(r.stdout)[0].module).toBe('github.com/segmentio/kafka-go');
  });

  it('a file in neither layout, and bad usage, are one-line errors with exit 1', async () => {
    const neither = join(dir, 'neither.json');
    await writeFile(neither, '{"modules": {}}');
    for (const args of [
      ['lookup', 'net/http.Request.ctx', '--go', '1.21.13', '--table', neither],
      ['history', 'net/http.Request.ctx', '--table', neither],
      ['compare', ours, neither],
      ['export', '--format', 'otel', '--table', neither],
    ]) {
      const r = await offsets(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/^offsets: ERR_TABLE_FORMAT: .*neither a go-offsets table .* nor OpenTelemetry's offsets layout.*\n$/);
    }
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '[{"module": "std", "packages": [{"package": "net/http"}]}]');
    const s = await offsets('compare', bad, ours);
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/^offsets: ERR_TABLE_SCHEMA: .*OpenTelemetry's offsets layout at \/0\/packages\/0: must have required property 'structs'\n$/);
    const f = await offsets('export', '--format', 'csv');
    expect(f.code).toBe(1);
    expect(f.stderr).toMatch(/^offsets: ERR_BAD_USAGE: unknown export format "csv"/);
  });
});
