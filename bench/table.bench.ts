// Offsets table: size against the public reference layout, and load + validate + one lookup.
// `npm run bench table`
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { cachePath } from '../common/cache-dir.js';
import { buildTable, loadTable, lookup, serializeTable } from '../offsets/index.js';
import { parseAnyTable } from '../offsets/loaded-table.js';
import { exportOtel } from '../offsets/otel/export.js';
import { syntheticCoverage, syntheticObservations } from '../test/offsets/synthetic.js';

/** Size of the public reference table (offset_results.json) at the version we compared with. */
const PUBLIC_TABLE_BYTES = 308_507;
const ITERATIONS = 50;

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

function stats(times: number[]): { median: number; p95: number; max: number } {
  const s = [...times].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p95: s[Math.floor(s.length * 0.95)], max: s[s.length - 1] };
}

const ms = (n: number) => `${n.toFixed(2)} ms`;

export async function run(): Promise<void> {
  const obs = syntheticObservations();
  const cov = syntheticCoverage(obs);
  const table = buildTable(obs);
  const text = serializeTable(table);
  const reference = exportOtel({ layout: 'go-offsets', origin: 'synthetic', table, filing: new Map(), nulls: 0 }).text;
  const gz = (s: string) => gzipSync(s, { level: 9 }).length;
  console.log(`coverage (synthetic, deterministic): ${cov.goReleases} Go releases, ${cov.moduleVersions} module versions, ${cov.fields} fields, amd64+arm64`);
  console.log('size:');
  console.log(`  this table            ${String(text.length).padStart(8)} B (${kb(text.length)}), gzip ${gz(text)} B`);
  console.log(`  same data, reference layout (amd64 only) ${reference.length} B (${kb(reference.length)}), gzip ${gz(reference)} B`);
  console.log(`  ratio this/reference layout: ${(text.length / reference.length).toFixed(3)} raw, ${(gz(text) / gz(reference)).toFixed(3)} gzip`);
  console.log(`  ratio this/public table (${PUBLIC_TABLE_BYTES} B): ${(text.length / PUBLIC_TABLE_BYTES).toFixed(3)} (target <= 0.333)`);

  const real = cachePath('reference', 'offset_results.json');
  if (existsSync(real)) {
    const realText = await readFile(real, 'utf8');
    // OpenTelemetry keys some fields by another module than their owner: the importer moves them (offsets/otel/).
    const converted = serializeTable(parseAnyTable(realText, real).table);
    console.log(`  real reference file ${real}: ${realText.length} B -> this format ${converted.length} B (ratio ${(converted.length / realText.length).toFixed(3)}), gzip ${gz(realText)} -> ${gz(converted)} B`);
  } else {
    console.log(`  real reference file: ABSENT (no cached copy at ${real}); synthetic figures only`);
  }

  const dir = await mkdtemp(join(tmpdir(), 'offsets-bench-'));
  try {
    const file = join(dir, 'offsets.json');
    await writeFile(file, text);
    const query = { field: 'net/http.Request.ctx', go: 'go1.21.9 X:boringcrypto', arch: 'amd64' as const };
    // Wall time and this process's CPU time: on a shared, loaded machine the
    // wall figure includes time the process sat descheduled; CPU time does not.
    const measure = async (work: () => Promise<void>): Promise<{ wall: number; cpu: number }> => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await work();
      const wall = performance.now() - t0;
      const c = process.cpuUsage(c0);
      return { wall, cpu: (c.user + c.system) / 1000 };
    };
    const loadAndLookup = async () => {
      const r = lookup(await loadTable(file), query);
      if (r.status === 'unknown') throw new Error(`bench lookup answered unknown: ${r.message}`);
    };
    const plainParse = async () => {
      JSON.parse(await readFile(file, 'utf8'));
    };
    const first = await measure(loadAndLookup); // cold code paths (the validator is precompiled)
    const warm: { wall: number; cpu: number }[] = [];
    for (let i = 0; i < ITERATIONS; i++) warm.push(await measure(loadAndLookup));
    const plain: { wall: number; cpu: number }[] = [];
    for (let i = 0; i < ITERATIONS; i++) plain.push(await measure(plainParse));
    const show = (xs: { wall: number; cpu: number }[]) => {
      const w = stats(xs.map((x) => x.wall));
      const c = stats(xs.map((x) => x.cpu));
      return { text: `wall median ${ms(w.median)} p95 ${ms(w.p95)} max ${ms(w.max)}; cpu median ${ms(c.median)} p95 ${ms(c.p95)}`, w, c };
    };
    const sw = show(warm);
    const sp = show(plain);
    console.log(`load (read + JSON + schema + consistency) and one lookup, ${text.length} B file (target < 20 ms); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on this machine:`);
    console.log(`  first in process: wall ${ms(first.wall)}, cpu ${ms(first.cpu)}`);
    console.log(`  steady, ${ITERATIONS} runs: ${sw.text}`);
    console.log(`  reference, readFile + JSON.parse only: ${sp.text}`);
    console.log(`  ratio load+lookup / plain parse (medians): wall ${(sw.w.median / sp.w.median).toFixed(2)}x, cpu ${(sw.c.median / sp.c.median).toFixed(2)}x`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
