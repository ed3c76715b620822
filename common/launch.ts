// What every launcher in bin/ runs (bundled as dist/bundle/launch.js by
// scripts/build-bundles.mjs): it loads one CLI's bundle, compiled from the V8
// code cache saved next to it, runs its main and exits with its code. Kept
// apart from the CLIs so that it is tiny and loads before any cache is read.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireWithCodeCache } from './code-cache.js';

/** The CLI bundles of dist/bundle/, each exporting `main(argv, ...)`. */
export type Cli = 'offsets' | 'offsets-tracker' | 'offsets-agent';

type Main = (argv: string[], ...extra: unknown[]) => Promise<number>;
/** common/report-error's reporter, re-exported by each CLI bundle: the launcher itself stays free of it. */
type ReportError = (program: string, err: unknown) => number;

/** Runs `cli`'s main with the process's arguments (and `extra`, passed on), then exits with its code. */
export function launch(cli: Cli, ...extra: unknown[]): void {
  const dir = dirname(fileURLToPath(import.meta.url));
  const { main, reportError } = requireWithCodeCache(join(dir, `${cli}.js`), dir) as { main: Main; reportError: ReportError };
  main(process.argv.slice(2), ...extra).then(exit, (err) => exit(reportError(cli, err)));
}

/**
 * Exits explicitly once main is done: Node 20's own exit path, when the event
 * loop runs dry, can deadlock in NodePlatform::DrainTasks (nodejs/node#54918,
 * seen in this project's test runs, fixed upstream after 20.20.2);
 * process.exit skips that path. It runs once what was written has been flushed
 * (a pipe may still hold queued writes).
 */
function exit(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
