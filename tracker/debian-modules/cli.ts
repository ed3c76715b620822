/**
 * Standalone run of the Debian module source (before, or besides, the
 * tracker's own run): writes the observations as JSON, and optionally merges
 * them into a table.
 *
 *   npx tsx tracker/debian-modules/cli.ts --out debian-observations.json \
 *     [--table offsets/offsets.json] [--config tracker/config.default.json] \
 *     [--suites "bullseye bookworm trixie sid"] [--arch amd64,arm64] [--module M]... [--force]
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../../common/atomic-write.js';
import { buildTable, loadTable, serializeTable, tableObservations } from '../../offsets/index.js';
import type { Arch } from '../../offsets/observation.js';
import { loadConfig } from '../config.js';
import { debianModuleObservations } from './observe.js';

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      table: { type: 'string' },
      config: { type: 'string' },
      mirror: { type: 'string' },
      suites: { type: 'string' },
      arch: { type: 'string', default: 'amd64,arm64' },
      module: { type: 'string', multiple: true },
      force: { type: 'boolean', default: false },
    },
  });
  const config = await loadConfig(values.config);
  const t0 = performance.now();
  const res = await debianModuleObservations({
    config,
    mirror: values.mirror,
    suites: values.suites?.split(/[\s,]+/).filter(Boolean),
    archs: values.arch!.split(',') as Arch[],
    modules: values.module,
    force: values.force,
    log: (l) => console.error(l),
  });
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  for (const b of res.builds) {
    console.error(`${b.suite} ${b.package} ${b.debVersion}: ${b.error ? 'FAILED' : `go ${b.go}${b.fallback ? ' (fallback)' : ''}, ${b.chosen.length} packages`}${b.fromCache ? ' (cached)' : ''}`);
  }
  console.error(`${res.observations.length} observations from ${res.builds.length} builds in ${seconds} s; .debs downloaded ${res.fetch.downloaded} (${res.fetch.downloadedBytes} bytes), cached ${res.fetch.cached}`);
  if (values.out) await writeFileAtomic(values.out, JSON.stringify(res.observations, null, 1) + '\n');
  if (values.table) {
    const old = existsSync(values.table) ? tableObservations(await loadTable(values.table)) : [];
    await writeFileAtomic(values.table, serializeTable(buildTable([...old, ...res.observations])));
  }
  return res.builds.some((b) => b.error) ? 2 : 0;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/tracker\//, '/tracker/'))) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error((err as Error).message);
      process.exitCode = 1;
    },
  );
}
