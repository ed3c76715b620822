import type * as Commander from 'commander';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { isGoOffsetsError } from '../common/errors.js';
import type { LookupPolicy } from '../offsets/index.js';
import { AgentError } from './errors.js';
import { defaultTablePath } from './offsets.js';
import { runAgent } from './run.js';
import { jsonlSink } from './sinks.js';

// commander is CommonJS: required, not imported (an ESM import first runs
// Node's CommonJS export scanner over it; measured 30-75 ms against 14-24 ms).
const { Command, InvalidArgumentError, Option } = createRequire(import.meta.url)('commander') as typeof Commander;

const POLICIES: LookupPolicy[] = ['exact', 'range', 'stable', 'nearest'];

function parsePid(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError('a pid is a positive integer');
  return Number(value);
}

/** `offsets-agent`: traces net/http in a Go program with eBPF, spans as JSON lines or OTLP. Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const log = (line: string) => process.stderr.write(`offsets-agent: ${line}\n`);
  const program = new Command('offsets-agent')
    .description('Trace net/http server and client requests of a Go program (stripped or not) with eBPF uprobes.')
    .addOption(new Option('--exe <path>', 'trace every process running this executable').conflicts('pid'))
    .addOption(new Option('--pid <pid>', 'trace this process only').argParser(parsePid))
    .option('--table <file>', 'offsets table, for targets without DWARF', defaultTablePath())
    .addOption(new Option('--policy <policy>', 'table lookup policy').choices(POLICIES).default('range'))
    .addOption(new Option('--format <format>', 'span output').choices(['jsonl', 'otlp']).default('jsonl'))
    .option('--otlp-endpoint <url>', 'OTLP/HTTP traces endpoint', 'http://127.0.0.1:4318/v1/traces')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let opts: { exe?: string; pid?: number; table: string; policy: LookupPolicy; format: 'jsonl' | 'otlp'; otlpEndpoint: string };
  try {
    program.parse(argv, { from: 'user' });
    opts = program.opts();
    if ((opts.exe === undefined) === (opts.pid === undefined)) throw new AgentError('ERR_AGENT_USAGE', 'give exactly one of --exe PATH and --pid PID');
    if (opts.format === 'otlp') new URL(opts.otlpEndpoint);
  } catch (err) {
    if ((err as { code?: string }).code === 'commander.helpDisplayed' || (err as { code?: string }).code === 'commander.version') return 0;
    if (err instanceof AgentError || err instanceof TypeError) log(`error: ${(err as Error).message}`);
    return 2;
  }

  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const sink =
    opts.format === 'otlp'
      ? (await import('./otlp-sink.js')).otlpSink(opts.otlpEndpoint, opts.exe ? basename(opts.exe) : `pid-${opts.pid}`)
      : jsonlSink(process.stdout);
  try {
    await runAgent({ exe: opts.exe, pid: opts.pid, tablePath: opts.table, policy: opts.policy, sink, log, signal: controller.signal });
    return 0;
  } catch (err) {
    log(`error${isGoOffsetsError(err) ? ` [${err.code}]` : ''}: ${(err as Error).message}`);
    return 1;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
