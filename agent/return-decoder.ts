import { Worker } from 'node:worker_threads';
import type { GoFunction } from '../gobin/binary.js';
import type { EndSiteCandidates } from '../gobin/call-sites.js';
import { GobinError, type GobinErrorCode } from '../gobin/errors.js';
import { PROBE_NAMES, PROBES, type Probe, type ProbeName } from './probes.js';

/**
 * One probed function whose end program needs sites. `readsResults`: the
 * program reads the results, so a site after a call must be the return
 * address itself (gobin/call-sites.ts).
 */
export interface EndSiteQuery {
  fn: GoFunction;
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

/** The probes with a return program. */
export const END_SITE_PROBES: readonly ProbeName[] = PROBE_NAMES.filter((name) => (PROBES[name] as Probe).ret);

export interface DecodeRequest {
  id: number;
  path: string;
  queries: EndSiteQuery[];
  /** GoBinary.functionEntries() of the binary, which the caller has read already. */
  entries: Float64Array;
  /** GoBinary.endSiteCandidates of the queries' functions, which the caller finds while the thread loads its decoder (amd64). */
  candidates?: EndSiteCandidates;
}
export type DecodeReply = { id: number; ends: FunctionEnds[] } | { id: number; error: { code: string; message: string } };

/**
 * Finds where the end programs go, on a worker thread. Booting a thread takes
 * 65-100 ms and loading the amd64 decoder (iced-x86: 480 kB of JavaScript
 * glue and a wasm module) 40-70: the thread does both on the other core while
 * the caller reads the binary, finds the functions and searches the code and
 * data for their calls (GoBinary.endSiteCandidates); then the thread decodes
 * the callers while the caller reads the type descriptors and loads the eBPF
 * object. The answers are those of GoBinary.endSites and GoBinary.returnSites.
 *
 * The thread keeps the process alive only while a request is pending; close()
 * ends it.
 */
export class ReturnDecoder {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: FunctionEnds[]) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure?: Error;

  constructor() {
    this.worker = new Worker(new URL('./return-decoder-thread.js', import.meta.url));
    this.worker.unref();
    this.worker.on('message', (reply: DecodeReply) => this.settle(reply));
    this.worker.on('error', (err) => this.fail(new GobinError('ERR_DECODE', `the decoder thread failed: ${err.message}`, undefined, { cause: err })));
    this.worker.on('exit', (code) => this.fail(new GobinError('ERR_DECODE', `the decoder thread exited (code ${code})`)));
  }

  /**
   * Where the end programs of `queries`' functions go in the executable at
   * `path`, in the order of `queries`. `entries` is the binary's
   * GoBinary.functionEntries(): the thread then reads no function table;
   * `candidates`, when given, spare it the search of the code and data. No
   * query, no request: the thread is not asked to read the binary.
   */
  endSites(path: string, queries: EndSiteQuery[], entries: Float64Array, candidates?: EndSiteCandidates): Promise<FunctionEnds[]> {
    let answer: Promise<FunctionEnds[]>;
    if (this.failure) answer = Promise.reject(this.failure);
    else if (queries.length === 0) answer = Promise.resolve([]);
    else answer = this.request(path, queries, entries, candidates);
    answer.catch(() => {}); // reported to whoever awaits it
    return answer;
  }

  private request(path: string, queries: EndSiteQuery[], entries: Float64Array, candidates?: EndSiteCandidates): Promise<FunctionEnds[]> {
    const id = this.nextId++;
    return new Promise<FunctionEnds[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ id, path, queries, entries, candidates } satisfies DecodeRequest);
    });
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
