import { AgentError } from './errors.js';
import { bpfObjectPath, loaderAddon, type BpfObject } from './native.js';
import { COUNTERS, decodeSpans, monotonicToWallOffset, type Counters, type Span } from './span.js';
import type { ProbeSite } from './target.js';

export interface AttachPlan {
  /** Path the uprobes are attached through: the executable, or /proc/PID/exe. */
  binaryPath: string;
  /** Only this process; -1 for every process running the executable. */
  pid: number;
  arch: 'amd64' | 'arm64';
  constants: Record<string, number>;
  server: ProbeSite | null;
  client: ProbeSite | null;
}

/** The loaded eBPF object and its uprobes, delivering spans until closed. */
export class Attachment {
  private closed = false;
  private constructor(private readonly obj: BpfObject) {}

  /**
   * Opens the object, sets the offsets as .rodata constants, loads it, and
   * attaches a uprobe at the entry and at every RET of each function.
   */
  static open(plan: AttachPlan, onSpans: (spans: Span[]) => void): Attachment {
    const { BpfObject, clockPair } = loaderAddon();
    const wallOffset = monotonicToWallOffset(clockPair());
    let obj: BpfObject | undefined;
    try {
      obj = new BpfObject(bpfObjectPath(plan.arch));
      for (const [name, value] of Object.entries(plan.constants)) obj.setConst(name, BigInt(value));
      obj.load();
      const attach = (site: ProbeSite | null, enter: string, ret: string) => {
        if (!site) return;
        if (site.returns.length === 0) throw new AgentError('ERR_AGENT_FUNCTION', `${site.name} has no return instruction in the target`);
        obj!.attachUprobe(enter, plan.binaryPath, site.entry, plan.pid);
        for (const off of site.returns) obj!.attachUprobe(ret, plan.binaryPath, off, plan.pid);
      };
      attach(plan.server, 'server_enter', 'server_return');
      attach(plan.client, 'client_enter', 'client_return');
      obj.pollRingBuffer('spans', (batch) => onSpans(decodeSpans(batch, wallOffset)));
    } catch (err) {
      obj?.close();
      if (err instanceof AgentError) throw err;
      throw new AgentError('ERR_AGENT_BPF', (err as Error).message, { cause: err });
    }
    return new Attachment(obj);
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
