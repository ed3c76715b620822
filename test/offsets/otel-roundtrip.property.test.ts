import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildTable, tableObservations } from '../../offsets/index.js';
import { parseAnyTable, type LoadedTable } from '../../offsets/loaded-table.js';
import type { Observation, ObservationResult } from '../../offsets/observation.js';
import { exportOtel } from '../../offsets/otel/export.js';
import { syntheticObservations } from './synthetic.js';

const own = (obs: Observation[]): LoadedTable => ({ layout: 'go-offsets', origin: 'test', table: buildTable(obs), filing: new Map(), nulls: 0 });

/**
 * What an export must carry for one arch: every scanned (owning module, field,
 * version) with a value, an offset as is and absent as OpenTelemetry's null
 * (read back as no-value). Failed scans are left out. Fields OpenTelemetry keys
 * by another module's version (genproto under grpc) cannot be written from
 * their own versions and are left out too.
 */
function expected(obs: Observation[], arch: 'amd64' | 'arm64'): Map<string, number | 'no-value'> {
  const out = new Map<string, number | 'no-value'>();
  for (const o of tableObservations(buildTable(obs))) {
    if (o.arch !== arch || o.result.status === 'failed' || o.module === 'google.golang.org/genproto/googleapis/rpc') continue;
    out.set(`${o.field} ${o.version}`, o.result.status === 'ok' ? o.result.offset : 'no-value');
  }
  return out;
}

/**
 * The module each field sits under: the import puts a field under its owning module, which for
 * go.opentelemetry.io/otel/trace is that module even where a table (the synthetic one) lists it
 * under go.opentelemetry.io/otel: the version numbers are the same (offsets/otel/keying.ts).
 */
function modules(obs: Observation[]): Map<string, string> {
  return new Map(obs.map((o) => [o.field, o.field.startsWith('go.opentelemetry.io/otel/trace.') ? 'go.opentelemetry.io/otel/trace' : o.module]));
}

/** What the imported table answers at its scanned versions (its failed runs are OpenTelemetry's nulls). */
function imported(loaded: LoadedTable, owners: Map<string, string>): Map<string, number | 'no-value'> {
  const out = new Map<string, number | 'no-value'>();
  for (const o of tableObservations(loaded.table)) {
    expect(o.arch).toBe('amd64');
    expect(o.result.status).not.toBe('absent');
    expect(o.module, o.field).toBe(owners.get(o.field));
    out.set(`${o.field} ${o.version}`, o.result.status === 'ok' ? o.result.offset : 'no-value');
  }
  return out;
}

const goVersion = fc.tuple(fc.integer({ min: 19, max: 23 }), fc.integer({ min: -1, max: 6 })).map(([minor, patch]) =>
  patch < 0 ? `go1.${minor}rc1` : patch === 0 && minor < 21 ? `go1.${minor}` : `go1.${minor}.${patch}`,
);
const modVersion = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 5 }), fc.constantFrom('', '', '', '-rc.1', '+incompatible')).map(([minor, patch, tail]) => `v${tail === '+incompatible' ? 2 : 1}.${minor}.${patch}${tail}`);
const result: fc.Arbitrary<ObservationResult> = fc.oneof(
  { arbitrary: fc.constantFrom(0, 8, 16, 24).map((offset) => ({ status: 'ok' as const, offset })), weight: 6 },
  { arbitrary: fc.constant({ status: 'absent' as const }), weight: 1 },
  { arbitrary: fc.constant({ status: 'failed' as const, error: 'build failed' }), weight: 1 },
);
const arch = fc.constantFrom('amd64' as const, 'amd64' as const, 'arm64' as const);
const MODULE_FIELDS: [string, string[]][] = [
  ['google.golang.org/grpc', ['google.golang.org/grpc/internal/transport.Stream.id', 'google.golang.org/grpc.ClientConn.target']],
  ['go.opentelemetry.io/otel', ['go.opentelemetry.io/otel/internal/global.tracer.name']],
  ['go.opentelemetry.io/otel/trace', ['go.opentelemetry.io/otel/trace.SpanContext.traceID']],
  ['google.golang.org/genproto/googleapis/rpc', ['google.golang.org/genproto/googleapis/rpc/status.Status.Code']],
];
const observation: fc.Arbitrary<Observation> = fc.oneof(
  fc.record({ module: fc.constant('std'), version: goVersion, source: fc.constant('go.dev'), arch, field: fc.constantFrom('net/http.Request.ctx', 'net/http.Request.pat', 'runtime.g.goid'), result }),
  fc.constantFrom(...MODULE_FIELDS).chain(([module, fields]) => fc.record({ module: fc.constant(module), version: modVersion, source: fc.constant('proxy'), arch, field: fc.constantFrom(...fields), result })),
);
/** A consistent set: one result per (module, version, arch, field), as a tracker run gives. */
const observations = fc.uniqueArray(observation, { maxLength: 80, selector: (o) => `${o.module} ${o.version} ${o.arch} ${o.field}` });

describe("round trip through OpenTelemetry's layout", () => {
  it("export then import gives back exactly the table's scanned answers (absent as no-value, failed left out)", () => {
    fc.assert(
      fc.property(observations, (obs) => {
        const out = exportOtel(own(obs));
        const back = parseAnyTable(out.text, 'export');
        expect(imported(back, modules(obs))).toEqual(expected(obs, 'amd64'));
        // Every failed amd64 scan is listed as left out.
        const failed = tableObservations(buildTable(obs)).filter((o) => o.arch === 'amd64' && o.result.status === 'failed' && o.module !== 'google.golang.org/genproto/googleapis/rpc');
        expect(out.leftOut.filter((l) => l.reason === 'failed').map((l) => `${l.field} ${l.version}`).sort()).toEqual(failed.map((o) => `${o.field} ${o.version}`).sort());
        // Exporting the import again changes nothing but dropping the nulls (which were absent).
        const again = exportOtel(back);
        expect(parseAnyTable(again.text, 'again').table).toEqual(buildTable(tableObservations(back.table).filter((o) => o.result.status === 'ok')));
      }),
      { numRuns: 300 },
    );
  });

  it('the export is deterministic: the same observations in any order give the same bytes', () => {
    fc.assert(
      fc.property(observations.chain((obs) => fc.tuple(fc.constant(obs), fc.shuffledSubarray(obs, { minLength: obs.length, maxLength: obs.length }))), ([obs, shuffled]) => {
        expect(exportOtel(own(shuffled)).text).toBe(exportOtel(own(obs)).text);
      }),
      { numRuns: 200 },
    );
  });

  it('the full-size synthetic table survives the round trip, for each arch', () => {
    const obs = syntheticObservations();
    for (const a of ['amd64', 'arm64'] as const) {
      const back = parseAnyTable(exportOtel(own(obs), a).text, `synthetic ${a}`);
      // The import names its one arch amd64 (OpenTelemetry's file holds one and does not name it).
      expect(imported(back, modules(obs))).toEqual(expected(obs, a));
    }
  });
});
