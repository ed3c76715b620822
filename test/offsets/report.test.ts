import { describe, expect, it } from 'vitest';
import { buildTable, lookupForBinary, owningModule, tableReport } from '../../offsets/index.js';
import type { Observation } from '../../offsets/observation.js';
import type { ModuleInfo } from '../../gobin/modinfo.js';

const grpcField = 'google.golang.org/grpc/internal/transport.Stream.id';
const otelField = 'go.opentelemetry.io/otel/sdk/trace.recordingSpan.name';
const obs: Observation[] = [];
for (const v of ['go1.21.0', 'go1.21.3']) obs.push({ module: 'std', version: v, source: 'go.dev', arch: 'amd64', field: 'net/http.Request.ctx', result: { status: 'ok', offset: 232 } });
for (const v of ['v1.60.0', 'v1.60.2']) obs.push({ module: 'google.golang.org/grpc', version: v, source: 'proxy', arch: 'amd64', field: grpcField, result: { status: 'ok', offset: 8 } });
obs.push({ module: 'go.opentelemetry.io/otel/sdk', version: 'v1.20.0', source: 'proxy', arch: 'amd64', field: otelField, result: { status: 'ok', offset: 24 } });
obs.push({ module: 'go.opentelemetry.io/otel', version: 'v1.20.0', source: 'proxy', arch: 'amd64', field: 'go.opentelemetry.io/otel/trace.SpanContext.traceID', result: { status: 'ok', offset: 0 } });
const table = buildTable(obs);

describe('owningModule', () => {
  it('picks the longest module path that owns the package', () => {
    expect(owningModule(table, 'go.opentelemetry.io/otel/sdk/trace')).toBe('go.opentelemetry.io/otel/sdk');
    expect(owningModule(table, 'go.opentelemetry.io/otel/trace')).toBe('go.opentelemetry.io/otel');
    expect(owningModule(table, 'go.opentelemetry.io/otel/sdk/trace.other.f')).toBe('go.opentelemetry.io/otel/sdk');
    expect(owningModule(table, 'net/http')).toBe('std');
    expect(owningModule(table, 'google.golang.org/grpcx/foo')).toBeUndefined();
    expect(owningModule(table, 'example.com/nothing')).toBeUndefined();
  });
});

describe('tableReport', () => {
  it('answers every field for one binary, using replacements, and lists what is unknown', () => {
    const report = tableReport(table, {
      goVersion: 'go1.21.2 X:boringcrypto',
      arch: 'amd64',
      modules: [
        { path: 'google.golang.org/grpc', version: 'v1.50.0', replace: { path: 'example.com/fork/grpc', version: 'v1.60.1' } },
        { path: 'go.opentelemetry.io/otel/sdk', version: '(devel)' },
      ],
    });
    expect(report.fields.map((f) => [f.field, f.status, f.offset])).toEqual([
      [otelField, 'unknown', null],
      [grpcField, 'inferred', 8],
      ['net/http.Request.ctx', 'inferred', 232],
    ]);
    expect(report.unknown.map((f) => f.field)).toEqual([otelField]);
    expect(report.unknown[0].message).toContain('(devel)');
    expect(report.modulesNotInBinary).toEqual(['go.opentelemetry.io/otel']);
  });

  it('turns a bad version into unknown fields instead of throwing', () => {
    const report = tableReport(table, { goVersion: 'gibberish', arch: 'amd64', modules: [{ path: 'google.golang.org/grpc', version: 'v1.x' }] });
    expect(report.fields.every((f) => f.status === 'unknown')).toBe(true);
    expect(report.unknown.map((f) => f.message)).toEqual([expect.stringContaining('v1.x'), expect.stringContaining('gibberish')]);
  });

  it('a directory replace has no version: unknown for that module only', () => {
    const binary = { goVersion: 'go1.21.0', arch: 'amd64' as const, modules: [{ path: 'google.golang.org/grpc', version: 'v1.60.0', replace: { path: '../grpc' } }] };
    expect(lookupForBinary(table, grpcField, binary)).toMatchObject({ status: 'unknown', offset: null });
    expect(lookupForBinary(table, 'net/http.Request.ctx', binary)).toMatchObject({ status: 'scanned', offset: 232 });
    expect(lookupForBinary(table, otelField, binary)).toBeUndefined();
  });
});

describe('tableReport with buildinfo as gobin reads it', () => {
  it('accepts ModuleInfo (replace: null) directly', () => {
    const modules: ModuleInfo[] = [
      { path: 'google.golang.org/grpc', version: 'v1.60.2', sum: 'h1:x', replace: null },
    ];
    const report = tableReport(table, { goVersion: 'go1.21.3', arch: 'amd64', modules });
    expect(report.fields.find((f) => f.field === grpcField)).toMatchObject({ status: 'scanned', offset: 8 });
  });
});
