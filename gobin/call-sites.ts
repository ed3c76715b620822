import type * as IcedX86 from 'iced-x86';
import { sweepAmd64 } from './returns.js';

/**
 * Where a function's return can be observed other than at its RETs: right
 * after each call of it, in the callers (amd64 only).
 *
 * Why: a uprobe traps; the kernel then emulates the probed instruction when
 * it can and otherwise single-steps a copy of it, a second trap. x86 emulates
 * relative CALLs, JMPs and Jccs (arch/x86/kernel/uprobes.c,
 * branch_setup_xol_ops), never a RET: a RET probe costs two traps, a probe on
 * a relative call one (on this project's VM 8 µs of the target's CPU per trap,
 * 15 per single step: BENCHMARKS.md). net/http's conn.serve follows its call
 * of serverHandler.ServeHTTP with a few moves, a call through a register
 * (w.cancelCtx()) and `call (*conn).hijacked`: a probe there sees every
 * request end, for one trap.
 *
 * This is sound only if every way into the function is a call found here:
 * the byte scan finds every direct call and jump (a tail call makes the
 * function unsuited), and GoBinary.addressTaken tells whether its address is
 * stored anywhere (a func value or an itab: it may be called through a
 * register), which the caller checks first.
 */

/** The executable code of a binary and the function table over it. */
export interface CodeImage {
  /** The bytes of the executable segment, which holds every Go function. */
  text: Uint8Array;
  /** Virtual address and file offset of text[0]. */
  textVaddr: number;
  textFileOffset: number;
  /** Entry address of every function, sorted, then the end of the last (GoBinary.functionEntries). */
  entries: Float64Array;
}

/** What GoBinary.endSiteCandidates finds without decoding, for a set of function entries. */
export interface EndSiteCandidates {
  /** The entries whose address is stored in the data. */
  taken: number[];
  /** Entry -> offsets in the code of the direct references to it (directReferences). */
  refs: Map<number, number[]>;
}

export type EndSites =
  /** File offsets where the return program goes: one per call site. */
  | { sites: number[] }
  /** Why the RETs must be probed instead. */
  | { unsuited: string };

export interface EndSiteOptions {
  /**
   * The return program reads the results (RAX, RBX...): it must run at the
   * return address itself, before anything else touches them. Otherwise it
   * reads only the goroutine (R14, which Go's code never changes) and may run
   * at the first emulated instruction that straight-line code reaches.
   */
  readsResults: boolean;
}

/** Instructions looked at past a return address for one the kernel emulates. */
const WALK_LIMIT = 16;

/**
 * The sites after each call of the function at `entry` (ending at `end`), or
 * why there are none. `iced` is the loaded iced-x86 module.
 */
export function endSitesAfterCalls(iced: typeof IcedX86, image: CodeImage, entry: number, options: EndSiteOptions, refs = directReferences(image, [entry]).get(entry)!): EndSites {
  if (refs.length === 0) return { unsuited: 'no direct call of it was found' };
  const decoded = new Map<number, DecodedFunction>();
  const sites: number[] = [];
  for (const ref of refs) {
    const caller = functionIndexAt(image.entries, image.textVaddr + ref);
    if (caller < 0) continue; // outside every function: padding or data
    const lo = image.entries[caller];
    const hi = image.entries[caller + 1];
    // Its own jump back to the start after growing the stack (morestack) is no call: no need to decode it.
    if (lo === entry && image.text[ref] !== 0xe8) continue;
    let fn = decoded.get(caller);
    if (!fn) decoded.set(caller, (fn = decodeFunction(iced, image, lo, hi)));
    const ins = fn.at.get(ref);
    if (!ins || ins.target !== entry) continue; // the bytes were inside another instruction
    if (lo === entry) return { unsuited: 'it calls itself' };
    if (ins.kind !== 'call') return { unsuited: `a jump to it at 0x${(image.textVaddr + ref).toString(16)} (a tail call)` };
    const ret = ref + ins.length;
    if (fn.branchTargets.has(ret)) return { unsuited: `the return address 0x${(image.textVaddr + ret).toString(16)} is also a jump target` };
    sites.push(image.textFileOffset + (options.readsResults || fn.indirectJump ? ret : firstEmulated(image.text, fn, ret)));
  }
  if (sites.length === 0) return { unsuited: 'no direct call of it was found' };
  return { sites };
}

/**
 * For each of `entries`, the offsets in text of every relative CALL or JMP
 * (E8, E9 rel32; EB rel8; 0F 8x Jcc rel32) whose target it is, some of them
 * false: bytes inside other instructions. One pass over the code for all of
 * them. Go's compiler never jumps conditionally to another function with a
 * short Jcc, so 7x rel8 are not looked for.
 */
export function directReferences(image: CodeImage, entries: readonly number[]): Map<number, number[]> {
  const { text, textVaddr } = image;
  const out = new Map<number, number[]>(entries.map((e) => [e, []]));
  const n = text.length;
  // Targets as offsets into text, so that the loop stays in small integers; a
  // 64 KiB filter on their low 16 bits rejects nearly every other target
  // without a Map lookup. This loop reads every byte of the code (megabytes).
  const filter = new Uint8Array(0x10000);
  for (const e of entries) if (e >= textVaddr && e - textVaddr <= n) filter[(e - textVaddr) & 0xffff] = 1;
  for (let i = 0; i < n; i++) {
    const op = text[i];
    let target: number;
    if (op === 0xe8 || op === 0xe9) {
      if (i + 5 > n) continue;
      target = i + 5 + (text[i + 1] | (text[i + 2] << 8) | (text[i + 3] << 16) | (text[i + 4] << 24));
    } else if (op === 0xeb) {
      if (i + 2 > n) continue;
      target = i + 2 + ((text[i + 1] << 24) >> 24);
    } else if (op === 0x0f && (text[i + 1] & 0xf0) === 0x80) {
      if (i + 6 > n) continue;
      target = i + 6 + (text[i + 2] | (text[i + 3] << 8) | (text[i + 4] << 16) | (text[i + 5] << 24));
    } else continue;
    if (filter[target & 0xffff] === 0) continue;
    out.get(textVaddr + target)?.push(i);
  }
  return out;
}

/** Index of the function whose [entry, next entry) holds `addr`; -1 outside them all. */
function functionIndexAt(entries: Float64Array, addr: number): number {
  let lo = 0;
  let hi = entries.length - 2;
  if (hi < 0 || addr < entries[0] || addr >= entries[hi + 1]) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (entries[mid] <= addr) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

interface DecodedInstruction {
  length: number;
  kind: 'call' | 'jump' | 'next' | 'other';
  /** Absolute target of a relative CALL or JMP/Jcc. */
  target?: number;
}

interface DecodedFunction {
  /** Instructions by offset in text. */
  at: Map<number, DecodedInstruction>;
  /** Offsets in text that a jump inside the function lands on. */
  branchTargets: Set<number>;
  /** It jumps through a register or memory (a jump table): its targets are unknown. */
  indirectJump: boolean;
}

function decodeFunction(iced: typeof IcedX86, image: CodeImage, lo: number, hi: number): DecodedFunction {
  const { FlowControl } = iced;
  const start = lo - image.textVaddr;
  const out: DecodedFunction = { at: new Map(), branchTargets: new Set(), indirectJump: false };
  sweepAmd64(iced, image.text.subarray(start, hi - image.textVaddr), lo, (ins, pos) => {
    const flow = ins.flowControl;
    const d: DecodedInstruction = { length: ins.length, kind: 'other' };
    if (flow === FlowControl.Call) d.kind = 'call';
    else if (flow === FlowControl.UnconditionalBranch || flow === FlowControl.ConditionalBranch) d.kind = 'jump';
    else if (flow === FlowControl.Next || flow === FlowControl.IndirectCall) d.kind = 'next';
    else if (flow === FlowControl.IndirectBranch) out.indirectJump = true;
    if (d.kind === 'call' || d.kind === 'jump') {
      d.target = Number(ins.nearBranchTarget);
      if (d.kind === 'jump' && d.target >= lo && d.target < hi) out.branchTargets.add(d.target - image.textVaddr);
    }
    out.at.set(start + pos, d);
  });
  return out;
}

/**
 * From the return address `ret`, the first instruction the kernel emulates
 * that straight-line code reaches (no jump lands between): a relative CALL,
 * JMP or Jcc without prefixes. A call through a register on the way returns
 * to the next instruction on the same goroutine, so it is passed over. None
 * within reach: the return address itself, single-stepped as a RET would be.
 */
function firstEmulated(text: Uint8Array, fn: DecodedFunction, ret: number): number {
  let pos = ret;
  for (let n = 0; n < WALK_LIMIT; n++) {
    const ins = fn.at.get(pos);
    if (!ins || (pos !== ret && fn.branchTargets.has(pos))) break;
    if (emulated(text, pos)) return pos;
    if (ins.kind !== 'next' && ins.kind !== 'call') break;
    pos += ins.length;
  }
  return ret;
}

/** E8 call rel32, E9/EB jmp, 7x jcc rel8, 0F 8x jcc rel32: branch_setup_xol_ops' emulated opcodes. */
function emulated(text: Uint8Array, pos: number): boolean {
  const op = text[pos];
  return op === 0xe8 || op === 0xe9 || op === 0xeb || (op >= 0x70 && op <= 0x7f) || (op === 0x0f && (text[pos + 1] & 0xf0) === 0x80);
}
