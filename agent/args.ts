// The agent's command line. Parsed with Node's own parseArgs, not commander
// like the other CLIs: loading commander costs about 17 ms on this project's
// 2-core machines, out of a 300 ms budget from start to attached.
import { parseArgs } from 'node:util';
import { defaultTablePath } from '../common/package-root.js';
import type { LookupPolicy } from '../offsets/index.js';
import { AgentError } from './errors.js';

export const POLICIES: readonly LookupPolicy[] = ['exact', 'range', 'stable', 'nearest'];
export const FORMATS = ['jsonl', 'otlp'] as const;

export interface AgentArgs {
  exe?: string;
  pid?: number;
  table: string;
  policy: LookupPolicy;
  /** False with --no-types: offsets from DWARF or the table only. */
  useTypes: boolean;
  format: (typeof FORMATS)[number];
  /** Only when given: otherwise the OTLP exporter reads the OTEL_EXPORTER_OTLP_* variables itself. */
  otlpEndpoint?: string;
}

/**
 * The command line, checked; null when only help was asked for. Throws
 * AgentError ERR_AGENT_USAGE. A flag overrides the environment.
 */
export function parseAgentArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): AgentArgs | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        exe: { type: 'string' },
        pid: { type: 'string' },
        table: { type: 'string' },
        policy: { type: 'string' },
        format: { type: 'string' },
        'otlp-endpoint': { type: 'string' },
        'no-types': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new AgentError('ERR_AGENT_USAGE', (err as Error).message);
  }
  if (values.help) return null;
  const oneOf = <T extends string>(option: string, value: string, allowed: readonly T[]): T => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new AgentError('ERR_AGENT_USAGE', `--${option} ${JSON.stringify(value)}: expected one of ${allowed.join(', ')}`);
    }
    return value as T;
  };
  if ((values.exe === undefined) === (values.pid === undefined)) throw new AgentError('ERR_AGENT_USAGE', 'give exactly one of --exe PATH and --pid PID');
  if (values.pid !== undefined && !/^[1-9]\d*$/.test(values.pid)) {
    throw new AgentError('ERR_AGENT_USAGE', `--pid ${JSON.stringify(values.pid)}: a pid is a positive integer`);
  }
  const otlpEndpoint = values['otlp-endpoint'];
  if (otlpEndpoint !== undefined && !URL.canParse(otlpEndpoint)) throw new AgentError('ERR_AGENT_USAGE', `--otlp-endpoint ${JSON.stringify(otlpEndpoint)}: not a URL`);
  return {
    exe: values.exe,
    pid: values.pid === undefined ? undefined : Number(values.pid),
    table: values.table ?? defaultTablePath(),
    policy: oneOf('policy', values.policy ?? 'range', POLICIES),
    format: oneOf('format', values.format ?? formatFromEnv(env), FORMATS),
    otlpEndpoint,
    useTypes: !values['no-types'],
  };
}

/**
 * OTEL_TRACES_EXPORTER, a comma-separated list of exporters, as OpenTelemetry
 * SDKs read it: otlp when listed. Read here, not by the SDK: the SDK is loaded
 * only for otlp output, and its trace packages no longer read this variable
 * (only @opentelemetry/sdk-node does, which the agent does not use).
 */
function formatFromEnv(env: NodeJS.ProcessEnv): (typeof FORMATS)[number] {
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((e) => e.trim().toLowerCase());
  return exporters.includes('otlp') ? 'otlp' : 'jsonl';
}

/** The executable the agent reads and attaches to: the process's own for --pid. */
export function targetPath(opts: Pick<AgentArgs, 'exe' | 'pid'>): string {
  return opts.pid !== undefined ? `/proc/${opts.pid}/exe` : opts.exe!;
}
