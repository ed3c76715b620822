// Sizes of the same data in OpenTelemetry's layout and in ours, raw and gzip, in three cases,
// and the time to import and export OpenTelemetry's real file. `npm run bench otel`
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { buildTable, defaultTablePath, serializeTable } from '../offsets/index.js';
import { parseAnyTable, type LoadedTable } from '../offsets/loaded-table.js';
import { exportOtel } from '../offsets/otel/export.js';
import { OTEL_REFERENCE_PATH } from '../test/offsets/otel-reference.js';
import { syntheticCoverage, syntheticObservations } from '../test/offsets/synthetic.js';

const RUNS = 11;
const gz = (s: string) => gzipSync(s, { level: 9 }).length;
const own = (path: string, table: LoadedTable['table']): LoadedTable => ({ layout: 'go-offsets', origin: path, table, filing: new Map(), nulls: 0 });

function row(name: string, otel: string, ours: string): string[] {
  return [name, String(otel.length), String(gz(otel)), String(ours.length), String(gz(ours)), (ours.length / otel.length).toFixed(3), (gz(ours) / gz(otel)).toFixed(3)];
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

export async function run(): Promise<void> {
  const realText = await readFile(OTEL_REFERENCE_PATH, 'utf8');
  const real = parseAnyTable(realText, OTEL_REFERENCE_PATH);
  const ownPath = defaultTablePath();
  const ownText = await readFile(ownPath, 'utf8');
  const ownLoaded = parseAnyTable(ownText, ownPath);
  const synObs = syntheticObservations();
  const syn = own('synthetic', buildTable(synObs));
  const cov = syntheticCoverage(synObs);

  const rows = [
    row("1. OpenTelemetry's real file vs ours imported from it", realText, serializeTable(real.table)),
    row("2. our repository's table, its OpenTelemetry export vs itself", exportOtel(ownLoaded).text, ownText),
    row('3. synthetic table at that coverage, its export (amd64) vs itself (amd64+arm64)', exportOtel(syn).text, serializeTable(syn.table)),
  ];
  const head = ['case', 'otel B', 'otel gzip', 'ours B', 'ours gzip', 'ours/otel', 'gzip ours/otel'];
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => r[i].length)));
  for (const r of [head, ...rows]) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  console.log(`real file: ${OTEL_REFERENCE_PATH}; ${real.nulls} null entries (kept in ours as failed runs: no value)`);
  console.log(`synthetic coverage: ${cov.goReleases} Go releases, ${cov.moduleVersions} module versions, ${cov.fields} fields`);

  const imports: number[] = [];
  const exports: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    const loaded = parseAnyTable(realText, 'real');
    imports.push(performance.now() - t);
    t = performance.now();
    exportOtel(loaded);
    exports.push(performance.now() - t);
  }
  console.log(`real file, ${RUNS} runs, median wall: import (parse + layout check + convert) ${median(imports).toFixed(1)} ms, export ${median(exports).toFixed(1)} ms; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
}
