import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfigPath, defaultImportPath, fieldsAt, loadConfig, parseConfig, withinBounds } from '../../tracker/config.js';
import fc from 'fast-check';
import { compareGoVersions, parseGoVersion } from '../../offsets/go-version.js';
import { compareModuleVersions, parseModuleVersion } from '../../offsets/module-version.js';

const minimal = () => ({ modules: [{ module: 'std', packages: [{ path: 'net/http', structs: [{ name: 'Request', fields: ['ctx'] }] }] }] });

function rejects(doc: unknown): ConfigError {
  try {
    parseConfig(doc, 'test.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('ERR_CONFIG');
    return err as ConfigError;
  }
  throw new Error('the config was accepted');
}

describe('tracker config', () => {
  it('accepts a minimal config and flattens its fields', () => {
    const c = parseConfig(minimal());
    expect(c.modules[0].fields).toEqual([{ selector: 'net/http.Request.ctx', pkg: 'net/http', type: 'Request', field: 'ctx' }]);
  });

  it('the schema rejects bad entries with a JSON pointer to them', () => {
    const badField = minimal();
    (badField.modules[0].packages[0].structs[0].fields as unknown[]).push(42);
    expect(rejects(badField).pointer).toBe('/modules/0/packages/0/structs/0/fields/1');

    const unknownProp = minimal() as any;
    unknownProp.modules[0].packages[0].structs[0].colour = 'red';
    const e = rejects(unknownProp);
    expect(e.pointer).toBe('/modules/0/packages/0/structs/0');
    expect(e.message).toContain('unknown property "colour"');

    const badStdBound = minimal() as any;
    badStdBound.modules[0].minVersion = 'v1.2.3';
    expect(rejects(badStdBound).pointer).toBe('/modules/0/minVersion');

    const badModuleBound = { modules: [{ module: 'example.test/m', minVersion: 'go1.21', packages: [{ path: 'example.test/m', structs: [{ name: 'T', fields: ['f'] }] }] }] };
    expect(rejects(badModuleBound).pointer).toBe('/modules/0/minVersion');

    const missing = { modules: [{ module: 'std', packages: [{ path: 'net/http', structs: [{ name: 'Request' }] }] }] };
    const m = rejects(missing);
    expect(m.pointer).toBe('/modules/0/packages/0/structs/0');
    expect(m.message).toContain('missing property "fields"');

    expect(rejects({ modules: [] }).pointer).toBe('/modules');
  });

  it('keys a field by the module that defines its package', () => {
    const wrongModule = { modules: [{ module: 'google.golang.org/grpc', packages: [{ path: 'google.golang.org/genproto/googleapis/rpc/status', structs: [{ name: 'Status', fields: ['Code'] }] }] }] };
    const e = rejects(wrongModule);
    expect(e.pointer).toBe('/modules/0/packages/0/path');
    expect(e.message).toContain('belongs to the module that defines its package');
    const modInStd = { modules: [{ module: 'std', packages: [{ path: 'golang.org/x/net/http2', structs: [{ name: 'FrameHeader', fields: ['StreamID'] }] }] }] };
    expect(rejects(modInStd).pointer).toBe('/modules/0/packages/0/path');
  });

  it('rejects duplicates and inverted bounds', () => {
    const dup = minimal();
    (dup.modules[0].packages[0].structs[0].fields as unknown[]).push('ctx');
    expect(rejects(dup).pointer).toBe('/modules/0/packages/0/structs/0/fields/1');
    const inverted = minimal() as any;
    inverted.modules[0].packages[0].structs[0].fields[0] = { name: 'ctx', minVersion: 'go1.22', maxVersion: 'go1.21' };
    expect(rejects(inverted).pointer).toBe('/modules/0/packages/0/structs/0/fields/0');
  });

  it('applies version bounds, narrowed from module to struct to field', () => {
    const c = parseConfig({
      modules: [{ module: 'std', minVersion: 'go1.15', packages: [{ path: 'net/http', structs: [
        { name: 'pattern', minVersion: 'go1.22', fields: ['str', { name: 'x', minVersion: 'go1.23' }, { name: 'y', minVersion: 'go1.10' }] },
      ] }] }],
    });
    const sel = (v: string) => fieldsAt(c.modules[0], v).map((f) => f.selector);
    expect(sel('go1.21.13')).toEqual([]);
    expect(sel('go1.22.0')).toEqual(['net/http.pattern.str', 'net/http.pattern.y']);
    expect(sel('go1.23rc1')).toEqual(['net/http.pattern.str', 'net/http.pattern.y']);
    expect(sel('go1.23.4')).toEqual(['net/http.pattern.str', 'net/http.pattern.x', 'net/http.pattern.y']);
    expect(withinBounds('v1.60.0', { minVersion: 'v1.59.0', maxVersion: 'v1.60.0' })).toBe(true);
    expect(withinBounds('v1.60.1', { minVersion: 'v1.59.0', maxVersion: 'v1.60.0' })).toBe(false);
  });

  it("bounds answer as offsets/' version grammar orders: Go experiments and vendor suffixes, rc/beta, pseudo-versions", () => {
    const goVersion = fc
      .record({ minor: fc.integer({ min: 0, max: 30 }), patch: fc.integer({ min: 0, max: 20 }), pre: fc.option(fc.tuple(fc.constantFrom('rc', 'beta'), fc.integer({ min: 1, max: 4 })), { nil: undefined }) })
      .map(({ minor, patch, pre }) => (pre ? `go1.${minor}${pre[0]}${pre[1]}` : `go1.${minor}.${patch}`));
    const suffix = fc.constantFrom('', ' X:boringcrypto', ' X:nocoverageredesign', ' X:boringcrypto,nocoverageredesign', ' (Red Hat 1.21.9-1.el9)');
    fc.assert(
      fc.property(goVersion, suffix, goVersion, goVersion, (v, sfx, a, b) => {
        const [min, max] = compareGoVersions(parseGoVersion(a), parseGoVersion(b)) <= 0 ? [a, b] : [b, a];
        const want = compareGoVersions(parseGoVersion(v), parseGoVersion(min)) >= 0 && compareGoVersions(parseGoVersion(v), parseGoVersion(max)) <= 0;
        expect(withinBounds(`${v}${sfx}`, { minVersion: min, maxVersion: max })).toBe(want);
      }),
    );
    const moduleVersion = fc.oneof(
      fc.tuple(fc.nat(3), fc.nat(80), fc.nat(5)).map(([a, b, c]) => `v${a}.${b}.${c}`),
      fc.tuple(fc.nat(3), fc.nat(80), fc.nat(5), fc.constantFrom('rc.1', 'pre')).map(([a, b, c, p]) => `v${a}.${b}.${c}-${p}`),
      fc.tuple(fc.nat(3), fc.nat(80), fc.date({ min: new Date(2015, 0, 1), max: new Date(2030, 0, 1), noInvalidDate: true })).map(([a, b, d]) => `v${a}.${b}.0-${d.toISOString().replace(/\D/g, '').slice(0, 14)}-abcdef123456`),
    );
    fc.assert(
      fc.property(moduleVersion, moduleVersion, moduleVersion, (v, a, b) => {
        const p = (x: string) => (parseModuleVersion(x) as { parsed: Parameters<typeof compareModuleVersions>[0] }).parsed;
        const [min, max] = compareModuleVersions(p(a), p(b)) <= 0 ? [a, b] : [b, a];
        const want = compareModuleVersions(p(v), p(min)) >= 0 && compareModuleVersions(p(v), p(max)) <= 0;
        expect(withinBounds(v, { minVersion: min, maxVersion: max })).toBe(want);
      }),
    );
    expect(withinBounds('go1.21.0 X:boringcrypto', { minVersion: 'go1.21.0' })).toBe(true);
  });

  it('imports internal packages through their parent', () => {
    expect(defaultImportPath('google.golang.org/grpc/internal/transport')).toBe('google.golang.org/grpc');
    expect(defaultImportPath('net/http')).toBe('net/http');
  });

  it('loadConfig names the file, and reports JSON syntax errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tracker-config-'));
    await writeFile(join(dir, 'bad.json'), '{"modules": [');
    await expect(loadConfig(join(dir, 'bad.json'))).rejects.toMatchObject({ code: 'ERR_CONFIG', message: expect.stringContaining('bad.json') });
    await expect(loadConfig(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'ERR_CONFIG_READ' });
  });

  it('the default config validates and covers what OpenTelemetry Go auto-instrumentation reads', async () => {
    const c = await loadConfig(defaultConfigPath);
    const all = new Set(c.modules.flatMap((m) => m.fields.map((f) => f.selector)));
    const std = ['runtime.g.goid', 'runtime.hmap.buckets', 'net/http.Request.Method', 'net/http.Request.URL', 'net/http.Request.RemoteAddr',
      'net/http.Request.Header', 'net/http.Request.ctx', 'net/http.Request.Proto', 'net/http.Request.RequestURI', 'net/http.Request.Host',
      'net/http.Request.Pattern', 'net/http.Request.pat', 'net/http.Response.StatusCode', 'net/http.response.req', 'net/http.response.status',
      'net/http.pattern.str', 'net/url.URL.Scheme', 'net/url.URL.Opaque', 'net/url.URL.User', 'net/url.URL.Host', 'net/url.URL.Path',
      'net/url.URL.RawPath', 'net/url.URL.OmitHost', 'net/url.URL.ForceQuery', 'net/url.URL.RawQuery', 'net/url.URL.Fragment',
      'net/url.URL.RawFragment', 'net/url.Userinfo.username', 'bufio.Writer.buf', 'bufio.Writer.n', 'net.TCPAddr.IP', 'net.TCPAddr.Port'];
    for (const s of std) expect(all, s).toContain(s);
    const owner = (sel: string) => c.modules.find((m) => m.fields.some((f) => f.selector === sel))?.module;
    expect(owner('google.golang.org/grpc/internal/transport.Stream.id')).toBe('google.golang.org/grpc');
    expect(owner('google.golang.org/grpc.ClientConn.target')).toBe('google.golang.org/grpc');
    expect(owner('google.golang.org/genproto/googleapis/rpc/status.Status.Code')).toBe('google.golang.org/genproto/googleapis/rpc');
    expect(owner('golang.org/x/net/http2.MetaHeadersFrame.Fields')).toBe('golang.org/x/net');
    expect(owner('go.opentelemetry.io/otel/internal/global.tracer.delegate')).toBe('go.opentelemetry.io/otel');
    expect(owner('go.opentelemetry.io/otel/trace.SpanContext.traceID')).toBe('go.opentelemetry.io/otel/trace');
    expect(owner('github.com/segmentio/kafka-go.Message.Topic')).toBe('github.com/segmentio/kafka-go');
    expect(JSON.parse(await readFile(defaultConfigPath, 'utf8')).$schema).toBe('./schema/config.schema.json');
  });
});

describe('the precompiled schema validators', () => {
  it('are generated from the current tracker/schema/*.schema.json', async () => {
    const { generateValidatorSource, VALIDATORS } = await import('../../tracker/schema/generate-validators.js');
    expect(VALIDATORS.map((v) => v.schema.slice(v.schema.lastIndexOf('/') + 1))).toEqual(['config.schema.json', 'go-dev-index.schema.json']);
    for (const v of VALIDATORS) expect(await readFile(v.out, 'utf8'), v.out).toBe(await generateValidatorSource(v));
  });
});
