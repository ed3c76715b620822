/**
 * `offsets-tracker`: regenerates offsets/offsets.json.
 *   run   [--config FILE] [--source SRC]... [--module-source proxy|debian]... [--arch amd64,arm64] [--out FILE] [--shard i/n] [--concurrency N] [--force] [--summary FILE] [--json]
 *   merge PARTIAL... --out FILE
 *   summarize --base FILE --table FILE [--out FILE]
 * Exit codes: 0 success, 2 partial failure (some jobs failed; the rest is written), 1 error.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { writeFileAtomic } from '../common/atomic-write.js';
import { commanderErrorOutput, EXIT, reportError } from '../common/report-error.js';
import { DEFAULT_SUITES } from '../debian/go-toolchains.js';
import { defaultTablePath, loadTable, tableObservations } from '../offsets/index.js';
import type { Arch } from '../offsets/observation.js';
import { defaultConfigPath, loadConfig } from './config.js';
import { mergePartials } from './merge.js';
import { createProgress } from './progress.js';
import { MODULE_SOURCES, parseShard, RunError, runTracker, type ModuleSource } from './run.js';
import { reportJson, reportText } from './report.js';
import { summarize, summaryMarkdown } from './summary.js';
import { shareCoresAmong } from '../common/go-runtime-env.js';

// Flag parsers throw typed errors (not commander's InvalidArgumentError), so a bad
// value is one `offsets-tracker: CODE: message` line with a stable code.
function parseArchs(value: string): Arch[] {
  const archs = value.split(',').map((a) => a.trim()).filter(Boolean);
  for (const a of archs) if (a !== 'amd64' && a !== 'arm64') throw new RunError('ERR_BAD_ARCH', `--arch: unknown arch ${JSON.stringify(a)} (expected amd64, arm64)`);
  if (!archs.length) throw new RunError('ERR_BAD_ARCH', '--arch: no arch given');
  return [...new Set(archs)] as Arch[];
}

function parsePositive(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new RunError('ERR_BAD_NUMBER', `${flag}: expected a positive integer, got ${JSON.stringify(value)}`);
    return n;
  };
}

function parseModuleSource(value: string, previous: ModuleSource[] | undefined): ModuleSource[] {
  const out = [...(previous ?? [])];
  for (const v of value.split(',').map((x) => x.trim()).filter(Boolean)) {
    if (!(MODULE_SOURCES as readonly string[]).includes(v)) throw new RunError('ERR_MODULE_SOURCE_SPEC', `--module-source: unknown module source ${JSON.stringify(v)} (expected ${MODULE_SOURCES.join(', ')})`);
    if (!out.includes(v as ModuleSource)) out.push(v as ModuleSource);
  }
  return out;
}

interface RunFlags {
  config: string;
  source?: string[];
  moduleSource?: ModuleSource[];
  arch: Arch[];
  out: string;
  base?: string;
  shard?: string;
  concurrency: number;
  force?: boolean;
  summary?: string;
  json?: boolean;
  goproxy?: string;
  goMirror?: string;
  debianMirror?: string;
  debianSuite?: string[];
  goPrereleases?: boolean;
  timeout: number;
}

/** For the launcher (bin/offsets-tracker.js): what escapes main is reported like any other error. */
export { reportError };

export async function main(argv: string[]): Promise<number> {
  const status = { exitCode: 0 };
  const program = new Command('offsets-tracker')
    .description('Regenerates the offsets table from every Go release and tracked module version')
    .exitOverride()
    // commander's own usage errors (unknown option or command, missing argument) as one
    // line with a stable code, like every other error; subcommands inherit this.
    .configureOutput(commanderErrorOutput('offsets-tracker'));
  addRunCommand(program, status);
  addMergeCommand(program);
  addSummarizeCommand(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return status.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    return reportError('offsets-tracker', err);
  }
}

function addRunCommand(program: Command, status: { exitCode: number }): void {
  program
    .command('run')
    .description('measure what the table does not hold yet and write it')
    .option('--config <file>', 'tracker config (JSON, see tracker/schema/config.schema.json)', defaultConfigPath)
    .option('--source <src...>', 'Go release source: go.dev, debian or dir:GOROOT (repeatable; default go.dev and debian)')
    .addOption(new Option('--module-source <src...>', 'module version source: proxy (GOPROXY/direct) or debian (golang-*-dev packages); repeatable; default both').argParser(parseModuleSource))
    .addOption(new Option('--arch <list>', 'comma-separated arches').argParser(parseArchs).default(['amd64', 'arm64'] as Arch[], 'amd64,arm64'))
    .option('--out <file>', 'table to write (a partial table with --shard)', defaultTablePath())
    .option('--base <file>', 'existing table to start from (default: --out without --shard, offsets/offsets.json with it)')
    .option('--shard <i/n>', 'compute only shard i of n (a partial table; combine with `merge`)')
    .addOption(new Option('--concurrency <n>', 'parallel builds').argParser(parsePositive('--concurrency')).default(availableParallelism()))
    .option('--force', 'redo every job, ignoring the table and the result cache')
    .option('--summary <file>', 'also write the summary as Markdown (a pull-request body)')
    .option('--json', 'print the summary (sources, jobs by outcome, changes) as one JSON document')
    .option('--goproxy <list>', 'GOPROXY for module versions (default: the environment)')
    .option('--go-mirror <url>', 'base URL with the go.dev/dl layout')
    .option('--debian-mirror <url>', 'Debian mirror (default: from the apt configuration)')
    .option('--debian-suite <suite...>', `Debian suites to read Go releases and module versions from (repeatable; default ${DEFAULT_SUITES.join(' ')})`)
    .option('--go-prereleases', 'also scan Go prereleases (rc, beta) the release sources list; default stable only')
    .addOption(new Option('--timeout <seconds>', 'per-build timeout').argParser(parsePositive('--timeout')).default(900))
    .action(async (flags: RunFlags) => {
      status.exitCode = await run(flags);
    });
}

/** `run`: the table is written; stdout gets the source table and the change line (or, with --json, the same as JSON). */
async function run(flags: RunFlags): Promise<number> {
  const shard = flags.shard ? parseShard(flags.shard) : undefined;
  const config = await loadConfig(resolve(flags.config));
  const out = resolve(flags.out);
  const progress = createProgress();
  // --concurrency go commands side by side share the cores rather than each taking them all.
  shareCoresAmong(flags.concurrency);
  try {
    const result = await runTracker({
      config,
      sources: flags.source,
      moduleSources: flags.moduleSource,
      archs: flags.arch,
      out,
      base: flags.base ? resolve(flags.base) : shard ? defaultTablePath() : undefined,
      shard,
      concurrency: flags.concurrency,
      force: flags.force,
      goproxy: flags.goproxy,
      goMirror: flags.goMirror,
      debianMirror: flags.debianMirror,
      debianSuites: flags.debianSuite,
      goPrereleases: flags.goPrereleases,
      timeoutMs: flags.timeout * 1000,
      progress,
    });
    progress.stop();
    const report = { out, sources: result.sources, summary: result.summary, exitCode: result.exitCode };
    process.stdout.write(flags.json ? reportJson(report) : reportText(report));
    if (flags.summary) await writeFileAtomic(resolve(flags.summary), summaryMarkdown(result.summary));
    return result.exitCode;
  } finally {
    progress.stop();
  }
}

function addMergeCommand(program: Command): void {
  program
    .command('merge')
    .description('combine the partial tables of a sharded run')
    .argument('<partial...>', 'partial tables written by `run --shard`')
    .requiredOption('--out <file>', 'table to write')
    .action(async (partials: string[], flags: { out: string }) => {
      await mergePartials(partials.map((p) => resolve(p)), resolve(flags.out));
      process.stdout.write(`${resolve(flags.out)}: merged ${partials.length} partial tables\n`);
    });
}

function addSummarizeCommand(program: Command): void {
  program
    .command('summarize')
    .description('what changed between two tables, as Markdown (a pull-request body)')
    .requiredOption('--base <file>', 'the table before')
    .requiredOption('--table <file>', 'the table after')
    .option('--out <file>', 'write the Markdown here instead of stdout')
    .action(async (flags: { base: string; table: string; out?: string }) => {
      const [before, after] = await Promise.all([loadTable(resolve(flags.base)), loadTable(resolve(flags.table))]);
      const markdown = summaryMarkdown(summarize(tableObservations(before), tableObservations(after)));
      if (flags.out) await writeFileAtomic(resolve(flags.out), markdown);
      else process.stdout.write(markdown);
    });
}
