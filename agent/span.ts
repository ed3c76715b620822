/**
 * Decoding of the ring buffer records (struct span in bpf/span.h), and the
 * conversion of their monotonic timestamps to wall-clock time. The layout and
 * the counter names come from the objects' BTF (span-layout.generated.ts).
 */
import { COUNTERS, SPAN_KIND, SPAN_LAYOUT, SPAN_PROTOCOL, SPAN_RECORD_SIZE, SPAN_TEXT_MAX } from './span-layout.generated.js';

export { COUNTERS, SPAN_LAYOUT, SPAN_RECORD_SIZE };
export type Counters = Record<(typeof COUNTERS)[number], bigint>;

export interface Span {
  kind: 'server' | 'client';
  /** Set for gRPC spans; HTTP spans have none. */
  rpc?: 'grpc';
  /** HTTP: the request method. gRPC: the full method, `/pkg.Service/Method`. */
  method: string;
  /** HTTP client spans only: the URL's host (with port). */
  host?: string;
  /** gRPC client spans only: the ClientConn's target. */
  target?: string;
  /** HTTP only. */
  path?: string;
  /** HTTP server spans only: the path template of the ServeMux pattern that matched (Go 1.22+), e.g. `/items/{id}`. */
  route?: string;
  /** HTTP status (-1 when a client call returned an error and no response), or the gRPC status code. */
  status: number;
  /** W3C trace context, lowercase hex: 32 digits, 16, and 16 for the parent (absent on a root span). */
  traceId: string;
  spanId: string;
  parentSpanId?: string;
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

const ZERO_SPAN_ID = '0000000000000000';

function decodeSpan(r: Buffer, wallOffsetNs: bigint): Span {
  const L = SPAN_LAYOUT;
  const M = SPAN_TEXT_MAX;
  const text = (at: number, len: number, max: number) => r.toString('latin1', at, at + Math.min(len, max));
  const kind = r.readUInt32LE(L.kind);
  const grpc = r.readUInt32LE(L.protocol) === SPAN_PROTOCOL.grpc;
  const status = r.readBigInt64LE(L.status);
  const parent = r.toString('hex', L.parent_span_id, L.parent_span_id + 8);
  const span: Span = {
    kind: kind === SPAN_KIND.client ? 'client' : 'server',
    method: grpc ? text(L.path, r.readUInt32LE(L.path_len), M.path) : text(L.method, r.readUInt32LE(L.method_len), M.method),
    // The server's status is 0 when the handler wrote nothing: net/http then answers 200.
    status: !grpc && kind === SPAN_KIND.server && status === 0n ? 200 : Number(status),
    startNs: r.readBigUInt64LE(L.start_ns) + wallOffsetNs,
    endNs: r.readBigUInt64LE(L.end_ns) + wallOffsetNs,
    goid: Number(r.readBigUInt64LE(L.goid)),
    pid: r.readUInt32LE(L.pid),
    traceId: r.toString('hex', L.trace_id, L.trace_id + 16),
    spanId: r.toString('hex', L.span_id, L.span_id + 8),
  };
  if (parent !== ZERO_SPAN_ID) span.parentSpanId = parent;
  if (grpc) {
    span.rpc = 'grpc';
    if (kind === SPAN_KIND.client) span.target = text(L.host, r.readUInt32LE(L.host_len), M.host);
    return span;
  }
  span.path = text(L.path, r.readUInt32LE(L.path_len), M.path);
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
  const str = (name: string, v: string | undefined) => (v === undefined ? '' : `,"${name}":${JSON.stringify(v)}`);
  const head = s.rpc ? `{"kind":"${s.kind}","rpc":"${s.rpc}","method":${JSON.stringify(s.method)}${str('target', s.target)}` : `{"kind":"${s.kind}","method":${JSON.stringify(s.method)}${str('host', s.host)}${str('path', s.path)}${str('route', s.route)}`;
  return (
    `${head},"status":${s.status},"startNs":${s.startNs},"endNs":${s.endNs},"goid":${s.goid},"pid":${s.pid},` +
    `"traceId":"${s.traceId}","spanId":"${s.spanId}"${s.parentSpanId ? `,"parentSpanId":"${s.parentSpanId}"` : ''}}`
  );
}
