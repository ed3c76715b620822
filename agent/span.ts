/**
 * Decoding of the ring buffer records (struct span in bpf/span.h), and the
 * conversion of their monotonic timestamps to wall-clock time. The layout and
 * the counter names come from the objects' BTF (span-layout.generated.ts).
 */
import { COUNTERS, SPAN_KIND, SPAN_LAYOUT, SPAN_RECORD_SIZE, SPAN_TEXT_MAX } from './span-layout.generated.js';

export { COUNTERS, SPAN_LAYOUT, SPAN_RECORD_SIZE };
export type Counters = Record<(typeof COUNTERS)[number], bigint>;

export interface Span {
  kind: 'server' | 'client';
  method: string;
  /** Client spans only: the URL's host (with port). */
  host?: string;
  path: string;
  /** Server spans only: the path template of the ServeMux pattern that matched (Go 1.22+), e.g. `/items/{id}`. */
  route?: string;
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
  const L = SPAN_LAYOUT;
  const M = SPAN_TEXT_MAX;
  const text = (at: number, len: number, max: number) => r.toString('latin1', at, at + Math.min(len, max));
  const kind = r.readUInt32LE(L.kind);
  const status = r.readBigInt64LE(L.status);
  const span: Span = {
    kind: kind === SPAN_KIND.client ? 'client' : 'server',
    method: text(L.method, r.readUInt32LE(L.method_len), M.method),
    path: text(L.path, r.readUInt32LE(L.path_len), M.path),
    // The server's status is 0 when the handler wrote nothing: net/http then answers 200.
    status: kind === SPAN_KIND.server && status === 0n ? 200 : Number(status),
    startNs: r.readBigUInt64LE(L.start_ns) + wallOffsetNs,
    endNs: r.readBigUInt64LE(L.end_ns) + wallOffsetNs,
    goid: Number(r.readBigUInt64LE(L.goid)),
    pid: r.readUInt32LE(L.pid),
  };
  if (kind === SPAN_KIND.client) span.host = text(L.host, r.readUInt32LE(L.host_len), M.host);
  const route = routeOfPattern(text(L.route, r.readUInt32LE(L.route_len), M.route));
  if (route !== undefined) span.route = route;
  return span;
}

/**
 * The path part of a ServeMux pattern, `[METHOD ][HOST]/PATH`: what
 * `http.route` means. Neither a method nor a host contains a slash, so the
 * path starts at the first one. Undefined for no pattern (nothing matched).
 */
export function routeOfPattern(pattern: string): string | undefined {
  const slash = pattern.indexOf('/');
  return slash < 0 ? undefined : pattern.slice(slash);
}

/** One JSON line, timestamps as exact integers. */
export function spanToJsonLine(s: Span): string {
  const host = s.host === undefined ? '' : `,"host":${JSON.stringify(s.host)}`;
  const route = s.route === undefined ? '' : `,"route":${JSON.stringify(s.route)}`;
  return (
    `{"kind":"${s.kind}","method":${JSON.stringify(s.method)}${host},"path":${JSON.stringify(s.path)}${route},"status":${s.status},` +
    `"startNs":${s.startNs},"endNs":${s.endNs},"goid":${s.goid},"pid":${s.pid}}`
  );
}
