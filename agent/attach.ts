import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { AgentError } from './errors.js';
import { bpfObjectPath, loaderAddon, type BpfObject } from './native.js';
import type { SpanBatch } from './sinks.js';
import { COUNTERS, monotonicToWallOffset, type Counters } from './span.js';
import { GRPC_MAPS, INFLIGHT_MAPS, PROBE_NAMES, PROBES, type Probe, type ProbeName } from './probes.js';
import type { ProbeSite, ProbeSites } from './target.js';

export interface UprobePlan {
  sites: ProbeSites;
  /** Path the uprobes are attached through: the executable, or /proc/PID/exe. */
  binaryPath: string;
  /** Only this process; -1 for every process running the executable. */
  pid: number;
}

/**
 * How spans reach the sink: a span wakes the agent when none has for
 * WAKEUP_INTERVAL_MS (or when the ring buffer is filling up: bpf/nethttp.bpf.c,
 * wakeup_flag), and what arrives in between is drained LINGER_MS after the
 * last drain that found spans (agent/native/loader.cc). A lone span is
 * delivered at once; a busy server's come in batches of hundreds, a wake-up
 * and a write each; a span waits for LINGER_MS at most, and an idle agent
 * never wakes.
 */
const WAKEUP_INTERVAL_MS = 100;
const LINGER_MS = 2 * WAKEUP_INTERVAL_MS;

/**
 * Entries of each in-flight map (an LRU hash map, preallocated whole when it
 * is created: on this project's VMs two maps of 16384 entries took 60 ms of a
 * start, two of 4096 take 12). An LRU map with a common list hands each CPU
 * free entries in batches of 128 (kernel/bpf/bpf_lru_list.c,
 * LOCAL_FREE_TARGET), which stay with that CPU: with fewer than that per
 * possible CPU, live entries are evicted long before the map is full. Hence
 * 256 per CPU, and 4096 at least.
 */
export function inflightEntries(cpus: number): number {
  return Math.max(4096, 256 * cpus);
}

/** The number of possible CPUs (/sys/devices/system/cpu/possible, e.g. `0-63`), which the kernel's per-CPU lists are made for. */
function possibleCpus(): number {
  try {
    const ranges = readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim().split(',');
    let n = 0;
    for (const r of ranges) {
      const [lo, hi = lo] = r.split('-').map(Number);
      n += hi - lo + 1;
    }
    if (Number.isInteger(n) && n > 0) return n;
  } catch {
    // no sysfs: the CPUs this process may run on
  }
  return availableParallelism();
}

/** The loaded eBPF object and, once attached, its uprobes, delivering spans until closed. */
export class Attachment {
  private closed = false;
  private constructor(private readonly obj: BpfObject) {}

  /**
   * Opens the object for `arch`, sets the offsets as .rodata constants and
   * loads into the kernel the programs of `probes` (the target's). Nothing is attached yet.
   */
  static load(arch: 'amd64' | 'arm64', constants: Record<string, number>, probes: readonly ProbeName[]): Attachment {
    const { BpfObject } = loaderAddon();
    let obj: BpfObject | undefined;
    try {
      obj = new BpfObject(bpfObjectPath(arch));
      for (const [name, value] of Object.entries(constants)) obj.setConst(name, BigInt(value));
      obj.setConst('wakeup_interval_ns', BigInt(WAKEUP_INTERVAL_MS * 1_000_000));
      // Only the programs of the target's probes are verified and loaded.
      for (const name of PROBE_NAMES) {
        if (probes.includes(name)) continue;
        const probe: Probe = PROBES[name];
        for (const program of [probe.enter, probe.ret]) if (program) obj.setAutoload(program, false);
      }
      const entries = inflightEntries(possibleCpus());
      for (const map of INFLIGHT_MAPS) obj.setMaxEntries(map, entries);
      if (!probes.some((p) => p.startsWith('grpc'))) for (const map of GRPC_MAPS) obj.setMaxEntries(map, 1);
      obj.load();
    } catch (err) {
      obj?.close();
      throw bpfError(err);
    }
    return new Attachment(obj);
  }

  /**
   * Attaches a uprobe at the entry and at the end sites of each function, then
   * delivers the ring buffer's records, batch by batch. On failure, closes the object.
   */
  attach(plan: UprobePlan, onBatch: (batch: SpanBatch) => void): void {
    try {
      for (const name of PROBE_NAMES) {
        const site: ProbeSite | undefined = plan.sites[name];
        if (!site) continue;
        const probe: Probe = PROBES[name];
        if (probe.ret && site.ends.length === 0) throw new AgentError('ERR_AGENT_FUNCTION', `${site.name} has no return instruction in the target`);
        if (probe.enter) this.obj.attachUprobe(probe.enter, plan.binaryPath, site.entry, plan.pid);
        if (probe.ret) for (const off of site.ends) this.obj.attachUprobe(probe.ret, plan.binaryPath, off, plan.pid);
      }
      // The offset is taken again for each batch: CLOCK_REALTIME is slewed and
      // stepped (NTP, suspend) while the monotonic clock of the records is not.
      const clocks = loaderAddon();
      this.obj.pollRingBuffer('spans', (records) => onBatch({ records: Buffer.from(records), wallOffsetNs: monotonicToWallOffset(clocks.clockPair()) }), LINGER_MS);
    } catch (err) {
      this.close();
      throw bpfError(err);
    }
  }

  get uprobeCount(): number {
    return this.closed ? 0 : this.obj.linkCount();
  }

  counters(): Counters {
    const values = this.obj.readCounters('counters', COUNTERS.length);
    return Object.fromEntries(COUNTERS.map((name, i) => [name, values[i]])) as Counters;
  }

  /** Delivers what is left in the ring buffer, then detaches every uprobe. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.obj.close();
  }
}

function bpfError(err: unknown): AgentError {
  if (err instanceof AgentError) return err;
  return new AgentError('ERR_AGENT_BPF', (err as Error).message, { cause: err });
}
