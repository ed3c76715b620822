import { EXIT, printError, reportError } from '../common/report-error.js';
import type { ReturnDecoder } from './return-decoder.js';
import { CacheWrites } from './cache-writes.js';
import { AgentError } from './errors.js';
import { defaultTablePath } from '../common/package-root.js';
import { FORMATS, parseAgentArgs, POLICIES, targetPath, type AgentArgs } from './args.js';
import { jsonlSink } from './sinks.js';
import type { AgentOptions } from './run.js';
import { inspectTarget } from './target.js';

function usage(): string {
  return `Usage: offsets-agent (--exe PATH | --pid PID) [options]

Trace net/http server and client requests of a Go program (stripped or not) with eBPF uprobes.

Options:
  --exe <path>            trace every process running this executable
  --pid <pid>             trace this process only
  --table <file>          offsets table, for what a stripped target's type descriptors do not answer
                          (default: ${defaultTablePath()})
  --policy <policy>       table lookup policy: ${POLICIES.join(', ')} (default: range)
  --no-types              do not read offsets from a stripped target's type descriptors (table only)
  --format <format>       span output: ${FORMATS.join(', ')} (default: otlp if OTEL_TRACES_EXPORTER lists it, else jsonl)
  --otlp-endpoint <url>   OTLP/HTTP traces endpoint (default: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
                          else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces, else http://localhost:4318/v1/traces)
  -h, --help              display this help

Environment (--format otlp): OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_EXPORTER,
OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS,
OTEL_EXPORTER_OTLP_TRACES_HEADERS, and the exporter's other OTEL_EXPORTER_OTLP_* settings.
`;
}

const PROGRAM = 'offsets-agent';

/** For the launcher (bin/offsets-agent.cjs): what escapes main is reported like any other error. */
export { reportError };

/**
 * `offsets-agent`: traces net/http in a Go program with eBPF, spans as JSON
 * lines or OTLP. Returns the exit code. `decoder`, when given, is a decoder
 * thread the launcher started first (bin/offsets-agent.cjs); it is closed when
 * not needed.
 */
export async function main(argv: string[], decoder?: ReturnDecoder): Promise<number> {
  const log = (line: string) => process.stderr.write(`${PROGRAM}: ${line}\n`);
  let opts: AgentArgs | null;
  try {
    opts = parseAgentArgs(argv);
  } catch (err) {
    void decoder?.close();
    if (!(err instanceof AgentError)) return reportError(PROGRAM, err);
    printError(PROGRAM, err.code, `${err.message} (see offsets-agent --help)`);
    return EXIT.badInput;
  }
  if (opts === null) {
    void decoder?.close();
    process.stdout.write(usage());
    return 0;
  }

  const binaryPath = targetPath(opts);
  const cacheWrites = new CacheWrites();
  // Inspecting starts before anything else: on a first start it boots the
  // decoder thread, which loads its decoder while this thread loads the rest of
  // the agent. The catch only keeps a failure from counting as unhandled until
  // runAgent awaits it.
  const inspection = inspectTarget(binaryPath, cacheWrites, decoder, opts.useTypes);
  inspection.catch(() => {});

  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let sink: AgentOptions['sink'] = () => jsonlSink(process.stdout);
  if (opts.format === 'otlp') {
    const { otlpSink } = await import('./otlp-sink.js');
    const endpoint = opts.otlpEndpoint;
    sink = (executable) => otlpSink({ endpoint, executable });
  }
  try {
    const { runAgent } = await import('./run.js');
    await runAgent({ binaryPath, pid: opts.pid, inspection, cacheWrites, tablePath: opts.table, policy: opts.policy, useTypes: opts.useTypes, sink, log, signal: controller.signal });
    return EXIT.ok;
  } catch (err) {
    return reportError(PROGRAM, err);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
