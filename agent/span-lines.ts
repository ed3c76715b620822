/**
 * The JSON-lines output, written straight from the ring buffer's records into
 * one Buffer per batch: no Span object, string or BigInt per span. Decoding
 * every record into a Span and stringifying it cost more CPU per span than
 * the agent's whole budget at a busy server's rate.
 *
 * The bytes are those of spanToJsonLine(decodeSpans(...)) (span.ts), which
 * stays the definition of the format: test/agent/span-lines.test.ts checks
 * the two against each other on arbitrary records. LINE says, member by member
 * in output order, where each value comes from in struct span (SPAN_LAYOUT,
 * generated from the BTF): a member added to the line is a row here.
 */
import { SPAN_KIND, SPAN_LAYOUT, SPAN_PROTOCOL, SPAN_RECORD_SIZE, SPAN_TEXT_MAX } from './span-layout.generated.js';
import { decodeSpans, spanToJsonLine } from './span.js';

type Field = keyof typeof SPAN_LAYOUT;
type TextField = keyof typeof SPAN_TEXT_MAX;

/** How a member's value is read from the record. */
export type MemberValue =
  /** enum span_kind (u32), by name; a value the enum does not have is a server. */
  | { kind: Field }
  /** Always this string. */
  | { constant: string }
  /**
   * A char array and its `<name>_len` member (u32, capped at the array's
   * size): a JSON string of its bytes read as latin1. With `from`, from the
   * first such character on, and no member at all without one (the route in a
   * ServeMux pattern).
   */
  | { text: TextField; from?: string }
  /** i64 as a number; 0 is `zeroAs` in the spans `zeroWhen` holds for (an HTTP server's 0: the handler wrote nothing, net/http answers 200). */
  | { i64: Field; zeroAs?: number; zeroWhen?: SpanIs }
  /** A bpf_ktime_get_ns() time (u64) plus the wall-clock offset, as an exact integer. */
  | { wallNs: Field }
  /** u64 as a number (exact below 2^53). */
  | { u64: Field }
  | { u32: Field }
  /** `bytes` bytes as a string of lowercase hex digits; no member at all when they are all zero with `omitZero`. */
  | { hex: Field; bytes: number; omitZero?: boolean };

/** Whether a member is in the line of a span, from its kind and protocol (enum span_kind, enum span_protocol). */
export type SpanIs = (kind: number, protocol: number) => boolean;

export interface LineMember {
  key: string;
  value: MemberValue;
  /** In the lines of these spans only (default: every span). */
  when?: SpanIs;
}

// As decodeSpans tells spans apart: gRPC by its protocol, HTTP for any other.
const grpc: SpanIs = (_kind, protocol) => protocol === SPAN_PROTOCOL.grpc;
const grpcClient: SpanIs = (kind, protocol) => protocol === SPAN_PROTOCOL.grpc && kind === SPAN_KIND.client;
const http: SpanIs = (_kind, protocol) => protocol !== SPAN_PROTOCOL.grpc;
const httpClient: SpanIs = (kind, protocol) => protocol !== SPAN_PROTOCOL.grpc && kind === SPAN_KIND.client;
const httpServer: SpanIs = (kind, protocol) => protocol !== SPAN_PROTOCOL.grpc && kind === SPAN_KIND.server;

/** The members of a line, in order. */
export const LINE: readonly LineMember[] = [
  { key: 'kind', value: { kind: 'kind' } },
  { key: 'rpc', value: { constant: 'grpc' }, when: grpc },
  { key: 'method', value: { text: 'path' }, when: grpc },
  { key: 'target', value: { text: 'host' }, when: grpcClient },
  { key: 'method', value: { text: 'method' }, when: http },
  { key: 'host', value: { text: 'host' }, when: httpClient },
  { key: 'path', value: { text: 'path' }, when: http },
  { key: 'route', value: { text: 'route', from: '/' }, when: http },
  { key: 'status', value: { i64: 'status', zeroAs: 200, zeroWhen: httpServer } },
  { key: 'startNs', value: { wallNs: 'start_ns' } },
  { key: 'endNs', value: { wallNs: 'end_ns' } },
  { key: 'goid', value: { u64: 'goid' } },
  { key: 'pid', value: { u32: 'pid' } },
  { key: 'traceId', value: { hex: 'trace_id', bytes: 16 } },
  { key: 'spanId', value: { hex: 'span_id', bytes: 8 } },
  { key: 'parentSpanId', value: { hex: 'parent_span_id', bytes: 8, omitZero: true } },
];

// LINE compiled once into steps: numbered operations, record offsets, the bytes before each value.
const KIND = 0;
const CONSTANT = 1;
const TEXT = 2;
const I64 = 3;
const WALL_NS = 4;
const U64 = 5;
const U32 = 6;
const HEX = 7;

interface Step {
  op: number;
  /** `{"key":` for the first member, `,"key":` after. */
  prefix: Uint8Array;
  at: number;
  /** TEXT: where the length is, the array's size. HEX: the number of bytes. */
  lenAt: number;
  max: number;
  /** TEXT: the byte to start from (-1: the whole text). HEX: 1 to leave out all zeros. */
  from: number;
  /** CONSTANT: the value's bytes. */
  bytes: Uint8Array;
  /** I64: the value of a 0 where zeroWhen holds. */
  zeroAs: number;
  zeroWhen: SpanIs | null;
  when: SpanIs | null;
}

const NUMBER_MAX = 24; // "-9223372036854775808", a u64 plus an offset below 2^64: 20 characters
const LONGEST_ESCAPE = 6; // \u00XX

/** Each latin1 character as JSON.stringify writes it inside a string, in UTF-8: what the sink wrote before. */
const ESCAPED: Uint8Array[] = Array.from({ length: 256 }, (_, c) => Buffer.from(JSON.stringify(String.fromCharCode(c)).slice(1, -1), 'utf8'));
/** 1 where a byte stands for itself. */
const PLAIN = Uint8Array.from(ESCAPED, (e, c) => (e.length === 1 && e[0] === c ? 1 : 0));
const QUOTE = 0x22;
const HEX_DIGITS = Buffer.from('0123456789abcdef');

const KIND_NAMES = new Map<number, Uint8Array>(Object.entries(SPAN_KIND).map(([name, value]) => [value, Buffer.from(JSON.stringify(name))]));
const DEFAULT_KIND = Buffer.from(JSON.stringify('server'));

function offsetOf(field: string): number {
  const at = (SPAN_LAYOUT as Record<string, number>)[field];
  if (at === undefined) throw new Error(`span-lines: struct span has no member ${field}`);
  return at;
}

function compile(line: readonly LineMember[]): { steps: Step[]; maxLine: number } {
  if (!line.length || line[0].when || ('text' in line[0].value && line[0].value.from !== undefined) || ('hex' in line[0].value && line[0].value.omitZero)) {
    throw new Error('span-lines: the first member must be in every line');
  }
  const kindMax = Math.max(DEFAULT_KIND.length, ...[...KIND_NAMES.values()].map((n) => n.length));
  let maxLine = 2; // "}\n"
  const steps = line.map((m, i): Step => {
    const prefix = Buffer.from(`${i === 0 ? '{' : ','}${JSON.stringify(m.key)}:`);
    const step: Step = { op: -1, prefix, at: 0, lenAt: 0, max: 0, from: -1, bytes: prefix, zeroAs: 0, zeroWhen: null, when: m.when ?? null, ...operation(m.value) };
    const valueMax =
      step.op === KIND ? kindMax : step.op === CONSTANT ? step.bytes.length : step.op === TEXT ? 2 + LONGEST_ESCAPE * step.max : step.op === HEX ? 2 + 2 * step.max : NUMBER_MAX;
    maxLine += prefix.length + valueMax;
    return step;
  });
  return { steps, maxLine };
}

function operation(v: MemberValue): Partial<Step> {
  if ('kind' in v) return { op: KIND, at: offsetOf(v.kind) };
  if ('constant' in v) return { op: CONSTANT, bytes: Buffer.from(JSON.stringify(v.constant)) };
  if ('text' in v) return { op: TEXT, at: offsetOf(v.text), lenAt: offsetOf(`${v.text}_len`), max: SPAN_TEXT_MAX[v.text], from: v.from === undefined ? -1 : v.from.charCodeAt(0) };
  if ('i64' in v) return { op: I64, at: offsetOf(v.i64), zeroAs: v.zeroAs ?? 0, zeroWhen: v.zeroWhen ?? null };
  if ('wallNs' in v) return { op: WALL_NS, at: offsetOf(v.wallNs) };
  if ('u64' in v) return { op: U64, at: offsetOf(v.u64) };
  if ('u32' in v) return { op: U32, at: offsetOf(v.u32) };
  return { op: HEX, at: offsetOf(v.hex), max: v.bytes, from: v.omitZero ? 1 : -1 };
}

const { steps: STEPS, maxLine: MAX_LINE } = compile(LINE);
const KIND_AT = offsetOf('kind');
const PROTOCOL_AT = offsetOf('protocol');

const TWO_32 = 4294967296;
/** The size of a new output buffer; one grows (doubling) while a batch does not fit. */
const FIRST_SIZE = Math.max(64 << 10, 4 * MAX_LINE);
/** Output buffers kept for reuse. */
const KEEP = 4;

/**
 * Formats batches of records into output buffers that it takes back once
 * written (release): a fresh buffer per batch cost a page fault per 4 kB of
 * lines, more than the formatting.
 */
export class JsonLines {
  private readonly free: Buffer[] = [];
  private readonly owned = new WeakSet<ArrayBuffer>();

  /**
   * The JSON line of every whole record in `records`, each ending in "\n", as
   * spanToJsonLine writes them, with `wallOffsetNs` added to the records'
   * times. The buffer is this object's: hand it back with release() once
   * written, or keep it.
   */
  format(records: Buffer, wallOffsetNs: bigint): Buffer {
    if (wallOffsetNs < 0n || wallOffsetNs >= 1n << 64n) {
      // Never on a machine whose clock is set (CLOCK_REALTIME > CLOCK_MONOTONIC): the exact, slow way.
      return Buffer.from(decodeSpans(records, wallOffsetNs).map((s) => `${spanToJsonLine(s)}\n`).join(''));
    }
    const offLo = Number(wallOffsetNs & 0xffffffffn);
    const offHi = Number(wallOffsetNs >> 32n);
    let out = this.free.pop() ?? this.allocate(FIRST_SIZE);
    let pos = 0;
    const count = Math.floor(records.length / SPAN_RECORD_SIZE);
    for (let i = 0; i < count; i++) {
      if (pos + MAX_LINE > out.length) {
        const bigger = this.allocate(2 * out.length);
        out.copy(bigger, 0, 0, pos);
        out = bigger;
      }
      pos = formatLine(out, pos, records, i * SPAN_RECORD_SIZE, offLo, offHi);
    }
    return out.subarray(0, pos);
  }

  /** Takes back a buffer format() returned, once it has been written. */
  release(lines: Buffer): void {
    if (!this.owned.has(lines.buffer as ArrayBuffer) || this.free.length >= KEEP) return;
    this.free.push(Buffer.from(lines.buffer));
  }

  private allocate(size: number): Buffer {
    const b = Buffer.allocUnsafeSlow(Math.ceil(size));
    this.owned.add(b.buffer as ArrayBuffer);
    return b;
  }
}

/** Writes the line of the record at `r` at `pos`; returns where it ends. The offset is split in 32-bit halves. */
function formatLine(out: Buffer, pos: number, records: Buffer, r: number, offLo: number, offHi: number): number {
  const kind = records.readUInt32LE(r + KIND_AT);
  const protocol = records.readUInt32LE(r + PROTOCOL_AT);
  for (let s = 0; s < STEPS.length; s++) {
    const step = STEPS[s];
    if (step.when !== null && !step.when(kind, protocol)) continue;
    const at = r + step.at;
    switch (step.op) {
      case TEXT: {
        let start = at;
        const end = at + Math.min(records.readUInt32LE(r + step.lenAt), step.max);
        if (step.from >= 0) {
          while (start < end && records[start] !== step.from) start++;
          if (start === end) continue; // no member
        }
        pos = put(out, pos, step.prefix);
        out[pos++] = QUOTE;
        for (let i = start; i < end; i++) {
          const c = records[i];
          if (PLAIN[c]) out[pos++] = c;
          else pos = put(out, pos, ESCAPED[c]);
        }
        out[pos++] = QUOTE;
        break;
      }
      case HEX: {
        const end = at + step.max;
        if (step.from > 0) {
          let i = at;
          while (i < end && records[i] === 0) i++;
          if (i === end) continue; // no member
        }
        pos = put(out, pos, step.prefix);
        out[pos++] = QUOTE;
        for (let i = at; i < end; i++) {
          out[pos++] = HEX_DIGITS[records[i] >> 4];
          out[pos++] = HEX_DIGITS[records[i] & 15];
        }
        out[pos++] = QUOTE;
        break;
      }
      case KIND:
        pos = put(out, pos, step.prefix);
        pos = put(out, pos, KIND_NAMES.get(records.readUInt32LE(at)) ?? DEFAULT_KIND);
        break;
      case CONSTANT:
        pos = put(out, pos, step.prefix);
        pos = put(out, pos, step.bytes);
        break;
      case I64: {
        // hi * 2^32 is exact; adding lo rounds once, as Number(bigint) does.
        const n = records.readInt32LE(at + 4) * TWO_32 + records.readUInt32LE(at);
        pos = put(out, pos, step.prefix);
        pos = putNumber(out, pos, n === 0 && step.zeroWhen !== null && step.zeroWhen(kind, protocol) ? step.zeroAs : n);
        break;
      }
      case WALL_NS: {
        const lo = records.readUInt32LE(at) + offLo;
        const carry = lo >= TWO_32 ? 1 : 0;
        pos = put(out, pos, step.prefix);
        pos = putU64(out, pos, records.readUInt32LE(at + 4) + offHi + carry, lo - carry * TWO_32);
        break;
      }
      case U64:
        pos = put(out, pos, step.prefix);
        pos = putNumber(out, pos, records.readUInt32LE(at + 4) * TWO_32 + records.readUInt32LE(at));
        break;
      case U32:
        pos = put(out, pos, step.prefix);
        pos = putDigits(out, pos, records.readUInt32LE(at));
        break;
    }
  }
  out[pos++] = 0x7d; // }
  out[pos++] = 0x0a; // \n
  return pos;
}

function put(out: Buffer, pos: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) out[pos++] = bytes[i];
  return pos;
}

/** A number as String(n) writes it. */
function putNumber(out: Buffer, pos: number, n: number): number {
  if (Number.isSafeInteger(n)) {
    if (n < 0) {
      out[pos++] = 0x2d; // -
      n = -n;
    }
    return putDigits(out, pos, n);
  }
  const text = String(n);
  for (let i = 0; i < text.length; i++) out[pos++] = text.charCodeAt(i);
  return pos;
}

// Digits are made from int32 values below 1e9: % on a larger double is a call to fmod, slower by far.
const E9 = 1e9;

/** The decimal digits of an integer 0 <= n < 2^53. */
function putDigits(out: Buffer, pos: number, n: number): number {
  if (n < E9) return putSmall(out, pos, n | 0);
  const low = n % E9;
  pos = putSmall(out, pos, (n - low) / E9);
  return putPadded(out, pos, low | 0, 9);
}

/** The digits of 0 <= x < 1e9. */
function putSmall(out: Buffer, pos: number, x: number): number {
  let digits = 1;
  for (let p = 10; p <= x; p *= 10) digits++;
  return putPadded(out, pos, x, digits);
}

/** The last `digits` digits of 0 <= x < 1e9, zero-padded. */
function putPadded(out: Buffer, pos: number, x: number, digits: number): number {
  for (let i = pos + digits - 1; i >= pos; i--) {
    const q = (x / 10) | 0;
    out[i] = 0x30 + x - q * 10;
    x = q;
  }
  return pos + digits;
}

const E5 = 1e5;
const E10 = 1e10;

/** The exact decimal digits of hi * 2^32 + lo, for hi < 2^33 and lo < 2^32 (below 2^65), with doubles kept below 2^53. */
function putU64(out: Buffer, pos: number, hi: number, lo: number): number {
  // v = hi * 2^32 + lo, hi = a1 * 1e5 + a0; with x = a1 * 2^32 (exact):
  // v = x * 1e5 + a0 * 2^32 + lo = floor(x / 1e5) * 1e10 + y, y = (x mod 1e5) * 1e5 + a0 * 2^32 + lo < 2^53.
  const a0 = hi % E5;
  const x = ((hi - a0) / E5) * TWO_32;
  const xr = x % E5;
  const y = xr * E5 + a0 * TWO_32 + lo;
  const yr = y % E10;
  const high = (x - xr) / E5 + (y - yr) / E10;
  if (high === 0) return putDigits(out, pos, yr);
  pos = putDigits(out, pos, high);
  // The low ten digits, zero-padded: one, then nine.
  const low9 = yr % E9;
  out[pos++] = 0x30 + (yr - low9) / E9;
  return putPadded(out, pos, low9 | 0, 9);
}
