import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildTable, mergeTables, parseTable, serializeTable, tableObservations } from '../../offsets/index.js';
import type { RunValue } from '../../offsets/format.js';
import type { Arch, Observation, ObservationResult } from '../../offsets/observation.js';
import { compressRuns, expandRuns } from '../../offsets/runs.js';

const runValue = fc.oneof(fc.constantFrom<RunValue>(0, 8, 16, null, 'failed'), fc.nat({ max: 4096 }));
/** Few distinct values and many gaps, so runs and gaps of every length appear. */
const valueSeries = fc.array(fc.option(runValue, { nil: undefined, freq: 3 }), { maxLength: 60 });

describe('runs', () => {
  it('expanding the compressed runs gives back the input', () => {
    fc.assert(
      fc.property(valueSeries, (values) => {
        const names = values.map((_, i) => `v${i}`);
        const runs = compressRuns(names, values);
        expect(expandRuns(runs, values.length, (v) => Number(v.slice(1)))).toEqual(values);
        // maximal: two adjacent runs never carry the same value
        for (let i = 1; i < runs.length; i++) {
          const adjacent = Number(runs[i][0].slice(1)) === Number(runs[i - 1][1].slice(1)) + 1;
          if (adjacent) expect(runs[i][2]).not.toBe(runs[i - 1][2]);
        }
      }),
      { numRuns: 500 },
    );
  });
});

/** Observations over a Go-like version space: lines 1.19–1.23, patches 0–6, rc1 before .0. */
const goVersion = fc.tuple(fc.integer({ min: 19, max: 23 }), fc.integer({ min: -1, max: 6 })).map(([minor, patch]) =>
  patch < 0 ? `go1.${minor}rc1` : patch === 0 && minor < 21 ? `go1.${minor}` : `go1.${minor}.${patch}`,
);
const modVersion = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 5 })).map(([minor, patch]) => `v1.${minor}.${patch}`);
const result: fc.Arbitrary<ObservationResult> = fc.oneof(
  { arbitrary: fc.constantFrom(0, 8, 16, 24).map((offset) => ({ status: 'ok' as const, offset })), weight: 6 },
  { arbitrary: fc.constant({ status: 'absent' as const }), weight: 1 },
  { arbitrary: fc.constant({ status: 'failed' as const, error: 'build failed' }), weight: 1 },
);
const observation: fc.Arbitrary<Observation> = fc.oneof(
  fc.record({
    module: fc.constant('std'),
    version: goVersion,
    source: fc.constantFrom('go.dev', 'debian:trixie'),
    arch: fc.constantFrom<Arch>('amd64', 'arm64'),
    field: fc.constantFrom('net/http.Request.ctx', 'net/http.Request.pat', 'runtime.g.goid'),
    result,
  }),
  fc.record({
    module: fc.constant('google.golang.org/grpc'),
    version: modVersion,
    source: fc.constant('proxy'),
    arch: fc.constantFrom<Arch>('amd64', 'arm64'),
    field: fc.constantFrom('google.golang.org/grpc/internal/transport.Stream.id', 'google.golang.org/grpc.ClientConn.target'),
    result,
  }),
);

/**
 * Observations without conflicts: the first result for a key wins, except
 * that failures never hide a success (as the table itself resolves them).
 */
function consistent(obs: Observation[]): Observation[] {
  const seen = new Map<string, ObservationResult>();
  for (const o of obs) {
    const key = `${o.module} ${o.version} ${o.arch} ${o.field}`;
    const prev = seen.get(key);
    if (!prev || prev.status === 'failed') seen.set(key, o.result);
  }
  return obs.map((o) => {
    const r = seen.get(`${o.module} ${o.version} ${o.arch} ${o.field}`)!;
    return { ...o, result: o.result.status === 'failed' && r.status !== 'failed' ? o.result : r };
  });
}

/** The oracle: what the observations say about each key, computed without the table. */
function expected(obs: Observation[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of obs) {
    const key = `${o.module} ${o.version.replace(/^go1\.(1\d|20)\.0$/, 'go1.$1')} ${o.arch} ${o.field}`;
    const v = o.result.status === 'ok' ? String(o.result.offset) : o.result.status;
    const prev = out.get(key);
    if (!prev || prev === 'failed') out.set(key, v);
  }
  return out;
}

const observations = fc.array(observation, { maxLength: 120 }).map(consistent);

describe('table build', () => {
  it('tableObservations gives back exactly what was observed', () => {
    fc.assert(
      fc.property(observations, (obs) => {
        const table = buildTable(obs);
        expect(expected(tableObservations(table))).toEqual(expected(obs));
      }),
      { numRuns: 200 },
    );
  });

  it('is canonical: any order, any sharding, and a parse round trip give the same bytes', () => {
    fc.assert(
      fc.property(observations, fc.integer({ min: 1, max: 4 }), fc.nat(), (obs, shards, seed) => {
        const text = serializeTable(buildTable(obs));
        const shuffled = [...obs].sort((a, b) => ((hash(a, seed) - hash(b, seed)) | 0));
        const parts = Array.from({ length: shards }, (_, i) => shuffled.filter((_, j) => j % shards === i));
        expect(serializeTable(mergeTables(parts.map(buildTable)))).toBe(text);
        expect(serializeTable(buildTable(shuffled))).toBe(text);
        expect(serializeTable(parseTable(text))).toBe(text);
        expect(serializeTable(buildTable(tableObservations(parseTable(text))))).toBe(text);
      }),
      { numRuns: 150 },
    );
  });
});

function hash(o: Observation, seed: number): number {
  let h = seed;
  for (const c of JSON.stringify(o)) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h;
}
