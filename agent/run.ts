import { processAlive } from '../common/process-alive.js';
import type { LookupPolicy } from '../offsets/index.js';
import { hostArch, requireRegisterAbi } from './abi.js';
import { Attachment } from './attach.js';
import type { CacheWrites } from './cache-writes.js';
import { AgentError } from './errors.js';
import { resolveOffsets, type Resolution } from './offsets.js';
import { featuresFor, type FeatureName } from './fields.js';
import { executablePath, type TracedExecutable } from './resource.js';
import { spanCount, type SpanSink } from './sinks.js';
import type { Counters } from './span.js';
import { PROBES, type ProbeName } from './probes.js';
import type { Inspection, ProbeSites, TargetHead } from './target.js';

/**
 * How often the drop counters are read and the target's pid checked. Each
 * wake-up costs the agent a context switch: most of what an idle agent spends.
 */
const WATCH_INTERVAL_MS = 1000;

export interface AgentOptions {
  /** The executable, or /proc/PID/exe. */
  binaryPath: string;
  /** Only this process; undefined for every process running the executable. */
  pid?: number;
  /** inspectTarget(binaryPath), started by the caller as early as it can. */
  inspection: Promise<Inspection>;
  /** Where inspectTarget and resolveOffsets defer their cache files. */
  cacheWrites: CacheWrites;
  tablePath: string;
  policy: LookupPolicy;
  /** Read offsets from a stripped target's type descriptors before the table (default true). */
  useTypes?: boolean;
  /** Makes the span output once the target is known (its resource names the executable and its Go version). */
  sink: (exe: TracedExecutable) => SpanSink;
  /** Human-readable progress and reports (stderr). */
  log: (line: string) => void;
  /** Aborted on SIGINT/SIGTERM: detach and return. */
  signal: AbortSignal;
}

/**
 * Inspects the target, resolves offsets, attaches, and streams spans until
 * stopped or the target exits. The offsets are resolved and the eBPF object
 * loaded while the return sites are still being decoded (on a first start).
 */
export async function runAgent(opts: AgentOptions): Promise<void> {
  const { binaryPath, cacheWrites } = opts;
  const { target, sites } = await opts.inspection;
  const label = opts.pid !== undefined ? `pid ${opts.pid}` : binaryPath;
  const spanProbes = traceableProbes(target, label);
  const offsets = await resolveOffsets(target, { tablePath: opts.tablePath, policy: opts.policy, cacheWrites, useTypes: opts.useTypes });
  // Warnings of a comparison still to do are logged once it is done, after attaching.
  if (!offsets.compareWithTable) for (const w of offsets.warnings) opts.log(`warning: table value not used: ${w}`);
  if (opts.signal.aborted) return;

  let spans = 0;
  const attachment = Attachment.load(target.arch as 'amd64' | 'arm64', { ...targetConstantsFor(offsets.features, target.constants), ...offsets.constants }, target.probes);
  let probeSites: ProbeSites;
  try {
    probeSites = await sites;
  } catch (err) {
    attachment.close();
    throw err;
  }
  const sink = opts.sink({ path: executablePath(binaryPath), goVersion: target.goVersion });
  try {
    attachment.attach({ binaryPath, pid: opts.pid ?? -1, sites: probeSites }, (batch) => {
      spans += spanCount(batch);
      sink.write(batch);
    });
  } catch (err) {
    await sink.close();
    throw err;
  }
  logAttached(opts.log, { label, target, offsets, probeSites, spanProbes, uprobes: attachment.uprobeCount });
  if (offsets.compareWithTable) await logTableComparison(offsets.compareWithTable, opts.log);
  try {
    await cacheWrites.flush(opts.log);
    await watchUntilDone(attachment, opts);
  } finally {
    const c = attachment.counters();
    attachment.close();
    await sink.close();
    opts.log(
      `detached: ${spans} spans; dropped ${c.ringbufFull} (ring buffer full), ${c.inflightFull} (in-flight map full); ${c.unpairedReturn} returns without an entry; ${c.badTraceparent} malformed traceparent (new traces started)`,
    );
  }
}

/** The probes of the target that make spans; throws when the agent cannot or will not trace it. */
function traceableProbes(target: TargetHead, label: string): ProbeName[] {
  requireRegisterAbi(target.goVersion, target.arch);
  if (target.arch !== hostArch()) {
    throw new AgentError('ERR_AGENT_ARCH', `the target is built for ${target.arch}; this machine runs ${hostArch()}`);
  }
  const spanProbes = target.probes.filter((p) => PROBES[p].spans);
  if (spanProbes.length === 0) {
    const names = Object.values(PROBES).filter((p) => p.spans).map((p) => p.functions[0]);
    throw new AgentError('ERR_AGENT_FUNCTION', `refusing to attach: ${label} (${target.goVersion}) has none of ${names.join(', ')}`);
  }
  return spanProbes;
}

interface Attached {
  label: string;
  target: TargetHead;
  offsets: Resolution;
  probeSites: ProbeSites;
  spanProbes: ProbeName[];
  uprobes: number;
}

/** The line that says what is attached, where each span ends, and which features run. */
function logAttached(log: (line: string) => void, a: Attached): void {
  const { target, offsets } = a;
  // Where each span ends: after the function's calls (one trap each), or at its RETs (a trap and a single step).
  const probed = a.spanProbes
    .map((p) => {
      const site = a.probeSites[p];
      if (!site) return PROBES[p].functions[0];
      return `${site.name} (ends ${site.endsAfterCalls ? `after its ${site.ends.length} call${site.ends.length === 1 ? '' : 's'}` : 'at its RETs'})`;
    })
    .join(', ');
  const features = featuresFor(target.probes)
    .map(([name, f]) => `${f.what}: ${offsets.features.includes(name) ? 'yes' : 'no (offsets unknown)'}`)
    .join('; ');
  // A GOPATH or distribution build names no module versions: its library offsets came from its own descriptors.
  if (target.probes.some((p) => p.startsWith('grpc')) && !target.modules['google.golang.org/grpc']) {
    log(`google.golang.org/grpc: module version unknown (the buildinfo names no module versions); its offsets come from the target's ${offsets.source === 'dwarf' ? 'DWARF' : 'type descriptors'}`);
  }
  log(`attached ${a.uprobes} uprobes to ${a.label} (${target.goVersion} ${target.arch}, offsets from ${offsets.source}): ${probed}; ${features}`);
}

/** The table's values against the target's descriptors, compared once the probes are attached. */
async function logTableComparison(compare: NonNullable<Resolution['compareWithTable']>, log: (line: string) => void): Promise<void> {
  try {
    const { warnings, agree, unanswered } = await compare();
    for (const w of warnings) log(`warning: table value not used: ${w}`);
    log(`table compared with the target's descriptors: ${agree} agree, ${warnings.length} differ, ${unanswered.length} not answered${unanswered.length ? ` (${unanswered[0]}${unanswered.length > 1 ? ', ...' : ''})` : ''}`);
  } catch (err) {
    log(`warning: table not compared: ${(err as Error).message}`);
  }
}

/** Reports new drops every WATCH_INTERVAL_MS until the signal aborts or the traced pid exits. */
function watchUntilDone(attachment: Attachment, opts: Pick<AgentOptions, 'pid' | 'log' | 'signal'>): Promise<void> {
  let lastDropped = 0n;
  const reportDrops = (c: Counters) => {
    if (c.ringbufFull + c.inflightFull > lastDropped) {
      lastDropped = c.ringbufFull + c.inflightFull;
      opts.log(`dropped so far: ${c.ringbufFull} spans (ring buffer full), ${c.inflightFull} requests (in-flight map full)`);
    }
  };
  return new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      reportDrops(attachment.counters());
      if (opts.pid !== undefined && !processAlive(opts.pid)) {
        opts.log(`target pid ${opts.pid} exited`);
        finish();
      }
    }, WATCH_INTERVAL_MS);
    const finish = () => {
      clearInterval(timer);
      opts.signal.removeEventListener('abort', finish);
      resolve();
    };
    // A signal may have come while the cache files were being saved.
    if (opts.signal.aborted) finish();
    else opts.signal.addEventListener('abort', finish);
  });
}

/**
 * The constants read off the target (target.ts targetConstants) that the
 * features in use need: a program whose feature is off reads nothing.
 */
function targetConstantsFor(features: FeatureName[], constants: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  if (features.includes('grpcClient')) for (const name of ['status_error_hash', 'eof_error_hash']) if (constants[name] !== undefined) out[name] = constants[name];
  if (features.includes('grpcTraceparent') && constants.headers_frame_arg !== undefined) out.headers_frame_arg = constants.headers_frame_arg;
  return out;
}

