/**
 * Decoding of the ring buffer records (struct span in bpf/span.h), and the
 * conversion of their monotonic timestamps to wall-clock time.
 */
export const SPAN_RECORD_SIZE = 8 * 4 + 4 * 6 + 16 + 128 + 64;
const KIND_SERVER = 1;
const KIND_CLIENT = 2;

/** Indexes of the counters map (bpf/span.h). */
export const COUNTERS = ['ringbufFull', 'inflightFull', 'unpairedReturn'] as const;
export type Counters = Record<(typeof COUNTERS)[number], bigint>;

export interface Span {
  kind: 'server' | 'client';
  method: string;
  /** Client spans only: the URL's host (with port). */
  host?: string;
  path: string;
  /** HTTP status; -1 when a client call returned an error and no response. */
  status: number;
  /** Wall-clock nanoseconds since the Unix epoch (bigint: a double cannot hold them exactly). */
  startNs: bigint;
  endNs: bigint;
  goid: number;
  pid: number;
}

/** bpf_ktime_get_ns() is CLOCK_MONOTONIC; adding this offset gives CLOCK_REALTIME. */
export function monotonicToWallOffset(clockPair: [bigint, bigint]): bigint {
  return clockPair[0] - clockPair[1];
}

export function decodeSpans(batch: Buffer, wallOffsetNs: bigint): Span[] {
  const spans: Span[] = [];
  for (let at = 0; at + SPAN_RECORD_SIZE <= batch.length; at += SPAN_RECORD_SIZE) {
    spans.push(decodeSpan(batch.subarray(at, at + SPAN_RECORD_SIZE), wallOffsetNs));
  }
  return spans;
}

function decodeSpan(r: Buffer, wallOffsetNs: bigint): Span {
  const start = r.readBigUInt64LE(0);
  const end = r.readBigUInt64LE(8);
  const goid = r.readBigUInt64LE(16);
  const status = r.readBigInt64LE(24);
  const pid = r.readUInt32LE(32);
  const kind = r.readUInt32LE(36);
  const methodLen = r.readUInt32LE(40);
  const pathLen = r.readUInt32LE(44);
  const hostLen = r.readUInt32LE(48);
  const method = r.toString('latin1', 56, 56 + Math.min(methodLen, 16));
  const path = r.toString('latin1', 72, 72 + Math.min(pathLen, 128));
  const span: Span = {
    kind: kind === KIND_CLIENT ? 'client' : 'server',
    method,
    path,
    // The server's status is 0 when the handler wrote nothing: net/http then answers 200.
    status: kind === KIND_SERVER && status === 0n ? 200 : Number(status),
    startNs: start + wallOffsetNs,
    endNs: end + wallOffsetNs,
    goid: Number(goid),
    pid,
  };
  if (kind === KIND_CLIENT) span.host = r.toString('latin1', 200, 200 + Math.min(hostLen, 64));
  return span;
}

/** One JSON line, timestamps as exact integers. */
export function spanToJsonLine(s: Span): string {
  const host = s.host === undefined ? '' : `,"host":${JSON.stringify(s.host)}`;
  return (
    `{"kind":"${s.kind}","method":${JSON.stringify(s.method)}${host},"path":${JSON.stringify(s.path)},"status":${s.status},` +
    `"startNs":${s.startNs},"endNs":${s.endNs},"goid":${s.goid},"pid":${s.pid}}`
  );
}
