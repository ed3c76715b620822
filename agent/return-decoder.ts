import { Worker } from 'node:worker_threads';
import { GobinError, type GobinErrorCode } from '../gobin/errors.js';
import { parseAgentArgs, targetPath } from './args.js';
import { PROBE_NAMES, PROBES, type Probe, type ProbeName } from './probes.js';

/**
 * One probed function whose end program needs sites: the first of `names`
 * the binary has. `readsResults`: the program reads the results, so a site
 * after a call must be the return address itself (gobin/call-sites.ts).
 */
export interface EndSiteQuery {
  names: readonly string[];
  readsResults: boolean;
}

/** Where a function's end program goes: after each of its calls, or at each RET (with why not after the calls). */
export interface FunctionEnds {
  /** The function found. */
  name: string;
  /** File offsets. */
  ends: number[];
  afterCalls: boolean;
  why?: string;
}

/** The probes with a return program, in the order of endSites' answers. */
export const END_SITE_PROBES: readonly ProbeName[] = PROBE_NAMES.filter((name) => (PROBES[name] as Probe).ret);

const END_SITE_QUERIES: EndSiteQuery[] = END_SITE_PROBES.map((name) => ({ names: PROBES[name].functions, readsResults: (PROBES[name] as Probe).readsResults ?? false }));

export interface DecodeRequest {
  id: number;
  path: string;
  queries: EndSiteQuery[];
}
export type DecodeReply = { id: number; ends: (FunctionEnds | null)[] } | { id: number; error: { code: string; message: string } };

/**
 * Finds where the end programs go, on a worker thread. Loading the amd64
 * decoder (iced-x86: 900 kB of JavaScript glue and a wasm module) takes 35-50
 * ms, and finding a function's callers means a pass over all the code: the
 * thread loads the decoder on the other core while the caller goes on
 * reading the binary, then reads the binary itself, so a start that has to
 * decode does not wait for it. The answers are those of GoBinary.endSites
 * and GoBinary.returnSites.
 *
 * The thread keeps the process alive only while a request is pending; close()
 * ends it.
 */
export class ReturnDecoder {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: (FunctionEnds | null)[]) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private readonly answers = new Map<string, Promise<(FunctionEnds | null)[]>>();
  private failure?: Error;

  constructor() {
    this.worker = new Worker(new URL('./return-decoder-worker.js', import.meta.url));
    this.worker.unref();
    this.worker.on('message', (reply: DecodeReply) => this.settle(reply));
    this.worker.on('error', (err) => this.fail(new GobinError('ERR_DECODE', `the decoder thread failed: ${err.message}`, undefined, { cause: err })));
    this.worker.on('exit', (code) => this.fail(new GobinError('ERR_DECODE', `the decoder thread exited (code ${code})`)));
  }

  /**
   * The end sites of each of END_SITE_PROBES' functions in the executable at
   * `path`, in that order (null for a function it does not have). The thread
   * reads the binary itself, so asked early (prefetch) it reads while the
   * caller loads and reads the rest; asked again for the same path, the first
   * answer is the answer.
   */
  endSites(path: string): Promise<(FunctionEnds | null)[]> {
    let answer = this.answers.get(path);
    if (answer) return answer;
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    answer = new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ id, path, queries: END_SITE_QUERIES } satisfies DecodeRequest);
    });
    answer.catch(() => {}); // reported to whoever awaits it
    this.answers.set(path, answer);
    return answer;
  }

  /**
   * Starts the end-site search for the target the agent's command line names
   * (the launcher calls it before the agent is loaded). A bad command line is
   * left for the agent to report.
   */
  prefetch(argv: string[]): void {
    try {
      const opts = parseAgentArgs(argv);
      if (opts) void this.endSites(targetPath(opts));
    } catch {
      /* the agent reports it */
    }
  }

  /** Ends the thread; requests still pending are rejected. */
  async close(): Promise<void> {
    this.fail(new GobinError('ERR_DECODE', 'the decoder was closed'));
    await this.worker.terminate();
  }

  private settle(reply: DecodeReply): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if ('error' in reply) waiter.reject(new GobinError(reply.error.code as GobinErrorCode, reply.error.message));
    else waiter.resolve(reply.ends);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
    this.worker.unref();
  }
}
