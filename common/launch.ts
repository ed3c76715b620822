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
  const opened = watchStdio();
  const dir = dirname(fileURLToPath(import.meta.url));
  const { main, reportError } = requireWithCodeCache(join(dir, `${cli}.js`), dir) as { main: Main; reportError: ReportError };
  main(process.argv.slice(2), ...extra).then(
    (code) => exit(code, opened),
    (err) => exit(reportError(cli, err), opened),
  );
}

/**
 * The standard streams opened while the CLI runs. Node creates process.stdout
 * and process.stderr on first use, and for a pipe that loads node:net and
 * node:stream (5-10 ms): a CLI that prints through common/stdio.ts never opens
 * them, and exit() should not open them only to flush them.
 */
function watchStdio(): Set<NodeJS.WriteStream> {
  const opened = new Set<NodeJS.WriteStream>();
  for (const name of ['stdout', 'stderr'] as const) {
    const property = Object.getOwnPropertyDescriptor(process, name);
    const get = property?.get;
    if (!get || !property.configurable) {
      opened.add(process[name]);
      continue;
    }
    Object.defineProperty(process, name, {
      ...property,
      get() {
        const stream = get.call(process) as NodeJS.WriteStream;
        opened.add(stream);
        return stream;
      },
    });
  }
  return opened;
}

/**
 * Exits explicitly once main is done: Node 20's own exit path, when the event
 * loop runs dry, can deadlock in NodePlatform::DrainTasks (nodejs/node#54918,
 * seen in this project's test runs, fixed upstream after 20.20.2);
 * process.exit skips that path. It runs once what was written to the streams
 * that were opened has been flushed (a pipe may still hold queued writes).
 */
function exit(code: number, opened: Set<NodeJS.WriteStream>): void {
  const streams = [...opened];
  const next = (): void => {
    const stream = streams.shift();
    if (stream) stream.write('', next);
    else process.exit(code);
  };
  next();
}
