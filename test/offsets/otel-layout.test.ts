import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../offsets/canonical-json.js';
import { compareTables } from '../../offsets/compare.js';
import { buildTable } from '../../offsets/index.js';
import { parseAnyTable, type LoadedTable } from '../../offsets/loaded-table.js';
import type { Observation } from '../../offsets/observation.js';
import { diffIn, historyIn, lookupIn } from '../../offsets/otel/answer.js';
import { exportOtel } from '../../offsets/otel/export.js';
import { fromOtelVersion, toOtelVersion, type OtelFile } from '../../offsets/otel/layout.js';
import { OTEL_REFERENCE_PATH } from './otel-reference.js';

const own = (obs: Observation[]): LoadedTable => ({ layout: 'go-offsets', origin: 'test', table: buildTable(obs), filing: new Map(), nulls: 0 });
const ok = (offset: number) => ({ status: 'ok' as const, offset });
const obsOf = (module: string, field: string, arch: 'amd64' | 'arm64', values: [string, Observation['result']][]): Observation[] =>
  values.map(([version, result]) => ({ module, version, source: 'test', arch, field, result }));

/** The real file with its null entries removed (and what that empties). */
function withoutNulls(doc: OtelFile): OtelFile {
  return doc
    .map((m) => ({
      ...m,
      packages: m.packages
        .map((p) => ({
          ...p,
          structs: p.structs
            .map((s) => ({ ...s, fields: s.fields.map((f) => ({ ...f, offsets: f.offsets.filter((o) => o.offset !== null) })).filter((f) => f.offsets.length) }))
            .filter((s) => s.fields.length),
        }))
        .filter((p) => p.structs.length),
    }))
    .filter((m) => m.packages.length);
}

describe("OpenTelemetry's real offsets file", async () => {
  const text = await readFile(OTEL_REFERENCE_PATH, 'utf8');
  const original = JSON.parse(text) as OtelFile;
  const loaded = parseAnyTable(text, OTEL_REFERENCE_PATH);

  it('exports back to the same file, but for the nulls, which are left out and listed one by one', () => {
    const out = exportOtel(loaded);
    expect(canonicalJson(out.doc)).toBe(canonicalJson(withoutNulls(original)));
    // OpenTelemetry's own printing (two-space JSON and a newline) is kept byte for byte.
    expect(out.text).toBe(JSON.stringify(withoutNulls(original), null, 2) + '\n');
    const nulls: string[] = [];
    for (const m of original) for (const p of m.packages) for (const s of p.structs) for (const f of s.fields) for (const o of f.offsets) if (o.offset === null) for (const v of o.versions) nulls.push(`${p.package}.${s.struct}.${f.field}@${fromOtelVersion(m.module === 'std' ? 'std' : 'x', v).canonical}`);
    expect(nulls.length).toBeGreaterThan(1000);
    expect(loaded.nulls).toBe(nulls.length);
    expect(out.leftOut.every((l) => l.reason === 'otel-null')).toBe(true);
    expect(out.leftOut.map((l) => `${l.field}@${l.version}`).sort()).toEqual(nulls.sort());
  });

  it('moves each field to its owning module and remembers where OpenTelemetry filed it', () => {
    const mods = loaded.table.modules;
    expect(Object.keys(mods['go.opentelemetry.io/otel/trace'].fields)).toContain('go.opentelemetry.io/otel/trace.SpanContext.traceID');
    expect(Object.keys(mods['go.opentelemetry.io/otel'].fields).some((f) => f.startsWith('go.opentelemetry.io/otel/trace.'))).toBe(false);
    expect(Object.keys(mods['google.golang.org/genproto/googleapis/rpc'].fields)).toEqual([
      'google.golang.org/genproto/googleapis/rpc/status.Status.Code',
      'google.golang.org/genproto/googleapis/rpc/status.Status.Message',
    ]);
    expect(loaded.filing.get('go.opentelemetry.io/otel/trace.SpanContext.traceID')).toEqual({ otelModule: 'go.opentelemetry.io/otel', keying: 'same-version', versionsOf: 'go.opentelemetry.io/otel/trace' });
    expect(loaded.filing.get('net/http.Request.ctx')).toEqual({ otelModule: 'std', keying: 'owner', versionsOf: 'std' });
  });

  it("answers a genproto field by grpc's version, and says so", () => {
    const r = lookupIn(loaded, { field: 'google.golang.org/genproto/googleapis/rpc/status.Status.Code', moduleVersion: 'v1.60.0', arch: 'amd64', policy: 'exact' });
    expect(r).toMatchObject({ module: 'google.golang.org/genproto/googleapis/rpc', version: 'v1.60.0', offset: 40, status: 'scanned' });
    expect(r.otel).toMatchObject({ otelModule: 'google.golang.org/grpc', keying: 'follows', versionsOf: 'google.golang.org/grpc' });
    expect(r.otel!.note).toMatch(/follow google\.golang\.org\/grpc's version there, not google\.golang\.org\/genproto\/googleapis\/rpc's own/);
    const trace = lookupIn(loaded, { field: 'go.opentelemetry.io/otel/trace.SpanContext.spanID', moduleVersion: 'v1.21.0', arch: 'amd64' });
    expect(trace).toMatchObject({ module: 'go.opentelemetry.io/otel/trace', offset: 16, status: 'scanned', otel: { otelModule: 'go.opentelemetry.io/otel', keying: 'same-version' } });
    // A field filed under its owner carries nothing extra: the answer is the one our own table gives.
    expect(lookupIn(loaded, { field: 'net/http.Request.ctx', go: '1.21.13', arch: 'amd64' })).toEqual({ field: 'net/http.Request.ctx', module: 'std', version: 'go1.21.13', arch: 'amd64', offset: 232, status: 'scanned', policy: 'range' });
  });

  it("diffs two grpc versions over every field keyed by grpc's version, genproto's included", () => {
    const d = diffIn(loaded, 'google.golang.org/grpc', 'v1.63.0', 'v1.64.0', 'amd64', 'exact');
    expect(d.map((x) => [x.field, x.a.offset, x.a.status, x.b.offset, x.b.status])).toEqual([
      ['google.golang.org/genproto/googleapis/rpc/status.Status.Message', 48, 'scanned', null, 'no-value'],
      ['google.golang.org/grpc/internal/transport.http2Client.nextID', 404, 'scanned', 432, 'scanned'],
    ]);
  });

  it('answers a null as no-value, never as absent', () => {
    const r = lookupIn(loaded, { field: 'net/http.Request.pat', go: '1.21.0', arch: 'amd64' });
    expect(r).toMatchObject({ offset: null, status: 'no-value' });
    expect(r.message).toMatch(/null there: no value/);
    expect(lookupIn(loaded, { field: 'net/http.Request.pat', go: '1.22.0', arch: 'amd64' })).toMatchObject({ offset: 248, status: 'scanned' });
    const h = historyIn(loaded, 'net/http.Request.pat');
    expect(h.rows.map((row) => row.value)).toEqual(['no-value', 248, 264]);
  });
});

describe('the null and absent distinction, on a small file', () => {
  const doc: OtelFile = [
    {
      module: 'std',
      packages: [{ package: 'net/http', structs: [{ struct: 'Request', fields: [{ field: 'pat', offsets: [{ offset: null, versions: ['1.21.0', '1.21.2'] }, { offset: 248, versions: ['1.21.1', '1.22.0'] }] }] }] }],
    },
  ];
  const otel = parseAnyTable(JSON.stringify(doc), 'small');

  it('no policy infers from a null', () => {
    // go1.21.1 lies between two nulls; nothing is known at them, so range cannot infer at go1.21.1's neighbours either.
    for (const policy of ['exact', 'range', 'stable'] as const) {
      expect(lookupIn(otel, { field: 'net/http.Request.pat', go: '1.21.0', arch: 'amd64', policy }).status).toBe('no-value');
    }
    expect(lookupIn(otel, { field: 'net/http.Request.pat', go: '1.21.5', arch: 'amd64', policy: 'range' }).status).toBe('unknown');
  });

  it('compare keeps absent apart from a null: neither agreement nor disagreement', () => {
    const ours = own([
      ...obsOf('std', 'net/http.Request.pat', 'amd64', [['go1.21.0', { status: 'absent' }], ['go1.21.1', ok(248)], ['go1.22.0', ok(256)], ['go1.23.0', ok(264)]]),
    ]);
    const c = compareTables(ours, otel);
    expect(c.totals).toEqual({ agree: 1, disagree: 1, noValue: 1, onlyA: 1, onlyB: 1 });
    expect(c.fields[0].noValue).toEqual([{ version: 'go1.21.0', a: 'absent', b: 'no-value' }]);
    expect(c.fields[0].disagree).toEqual([{ version: 'go1.22.0', a: 256, b: 248 }]);
    expect(c.fields[0].onlyA).toEqual(['go1.23.0']);
    expect(c.fields[0].onlyB).toEqual(['go1.21.2']);
  });
});

describe('export of our own table', () => {
  it('writes absent as null, leaves failed scans out and lists them, files otel/trace under otel', () => {
    const t = own([
      ...obsOf('std', 'net/http.Request.pat', 'amd64', [['go1.20', { status: 'absent' }], ['go1.21.0', { status: 'failed', error: 'x' }], ['go1.22rc1', ok(248)], ['go1.22.0', ok(248)]]),
      ...obsOf('std', 'runtime.g.goid', 'arm64', [['go1.22.0', ok(152)]]),
      ...obsOf('std', 'net/url.URL.Path', 'amd64', [['go1.22.0', ok(56)]]),
      ...obsOf('std', 'net/url.URL.Path', 'arm64', [['go1.22.0', ok(64)]]),
      ...obsOf('go.opentelemetry.io/otel/trace', 'go.opentelemetry.io/otel/trace.SpanContext.traceID', 'amd64', [['v1.21.0', ok(0)]]),
      ...obsOf('google.golang.org/genproto/googleapis/rpc', 'google.golang.org/genproto/googleapis/rpc/status.Status.Code', 'amd64', [['v0.0.0-20240102000000-0123456789ab', ok(40)]]),
    ]);
    const out = exportOtel(t);
    expect(out.doc).toEqual([
      { module: 'go.opentelemetry.io/otel', packages: [{ package: 'go.opentelemetry.io/otel/trace', structs: [{ struct: 'SpanContext', fields: [{ field: 'traceID', offsets: [{ offset: 0, versions: ['1.21.0'] }] }] }] }] },
      {
        module: 'std',
        packages: [
          { package: 'net/http', structs: [{ struct: 'Request', fields: [{ field: 'pat', offsets: [{ offset: null, versions: ['1.20.0'] }, { offset: 248, versions: ['1.22.0-rc1', '1.22.0'] }] }] }] },
          { package: 'net/url', structs: [{ struct: 'URL', fields: [{ field: 'Path', offsets: [{ offset: 56, versions: ['1.22.0'] }] }] }] },
        ],
      },
    ]);
    expect(out.leftOut).toEqual(
      expect.arrayContaining([
        { field: 'net/http.Request.pat', version: 'go1.21.0', reason: 'failed' },
        { field: 'runtime.g.goid', reason: 'arch-not-scanned' },
        { field: 'google.golang.org/genproto/googleapis/rpc/status.Status.Code', reason: 'keyed-by-own-version' },
      ]),
    );
    expect(out.leftOut).toHaveLength(3);
    expect(out.otherArchDiffers).toEqual(['net/url.URL.Path']);
    expect(exportOtel(t, 'arm64').doc.find((m) => m.module === 'std')!.packages.find((p) => p.package === 'net/url')!.structs[0].fields[0].offsets).toEqual([{ offset: 64, versions: ['1.22.0'] }]);
    // and the versions come back as they were
    const back = parseAnyTable(out.text, 'back');
    expect(back.table.modules.std.versions.map((v) => v[0])).toEqual(['go1.20', 'go1.22rc1', 'go1.22.0']);
  });

  it('version spellings convert both ways', () => {
    for (const [mod, ours, theirs] of [['std', 'go1.20', '1.20.0'], ['std', 'go1.21.0', '1.21.0'], ['std', 'go1.9beta1', '1.9.0-beta1'], ['x', 'v2.0.0+incompatible', '2.0.0+incompatible'], ['x', 'v1.0.0-RC1', '1.0.0-RC1']]) {
      expect(toOtelVersion(mod, ours)).toBe(theirs);
      expect(fromOtelVersion(mod, theirs).canonical).toBe(ours);
    }
  });
});

describe('bad input', () => {
  const code = (text: string): string => {
    try {
      parseAnyTable(text, 'bad.json');
    } catch (err) {
      return `${(err as { code: string }).code}: ${(err as Error).message}`;
    }
    return 'no error';
  };
  const field = (module: string, pkg: string, versions: string[], offset: number | null = 8) =>
    JSON.stringify([{ module, packages: [{ package: pkg, structs: [{ struct: 'T', fields: [{ field: 'f', offsets: [{ offset, versions }] }] }] }] }]);

  it('names what is wrong, with a stable code', () => {
    expect(code('{"modules": {}}')).toMatch(/^ERR_TABLE_FORMAT: bad.json: neither a go-offsets table .* nor OpenTelemetry's offsets layout/);
    expect(code('42')).toMatch(/^ERR_TABLE_FORMAT: /);
    expect(code('[1, 2')).toMatch(/^ERR_TABLE_JSON: /);
    expect(code('[{"module": "std"}]')).toMatch(/^ERR_TABLE_SCHEMA: bad.json: violates OpenTelemetry's offsets layout at \/0: must have required property 'packages'/);
    expect(code(field('std', 'net/http', ['1.21.0'], -8))).toMatch(/^ERR_TABLE_SCHEMA: .*\/offset/);
    expect(code(field('std', 'net/http', ['one.two']))).toMatch(/^ERR_BAD_GO_VERSION: bad.json: net\/http.T.f: /);
    expect(code(field('github.com/a/b', 'github.com/a/b', ['x1']))).toMatch(/^ERR_BAD_MODULE_VERSION: /);
    expect(code(field('std', 'net/http', ['1.20', '1.20.0']))).toMatch(/^ERR_TABLE_INCONSISTENT: bad.json: net\/http.T.f: version 1.20.0 is listed twice/);
    expect(code(field('std', 'github.com/a/b', ['1.20.0']))).toMatch(/^ERR_TABLE_INCONSISTENT: .*cannot be filed under module std/);
    expect(code(field('github.com/a/b', 'github.com/a/b', ['1.0.0']))).toBe('no error');
  });
});

describe('generated validator', () => {
  it('offsets/otel/otel-validator.generated.ts is up to date with its schema', async () => {
    const { generateOtelValidatorSource, OTEL_VALIDATOR_PATH } = await import('../../offsets/generate-validator.js');
    expect(await readFile(OTEL_VALIDATOR_PATH, 'utf8')).toBe(await generateOtelValidatorSource());
  });
});
