// An OTLP/HTTP (JSON) receiver on 127.0.0.1 for the agent's tests: records
// every request as it arrived (path, headers, body) and flattens the spans.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

type AnyValue = Record<string, unknown>;
interface KeyValue {
  key: string;
  value: AnyValue;
}
/** The parts of an OTLP/JSON ExportTraceServiceRequest the tests read. */
export interface ExportTraceRequest {
  resourceSpans: {
    resource: { attributes: KeyValue[] };
    scopeSpans: {
      scope: { name: string; version?: string };
      spans: { name: string; kind: number; traceId: string; spanId: string; parentSpanId?: string; startTimeUnixNano: string; endTimeUnixNano: string; attributes: KeyValue[] }[];
    }[];
  }[];
}

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: ExportTraceRequest;
}

/** One span with its resource's and its own attributes flattened to strings. */
export interface ReceivedSpan {
  name: string;
  kind: number;
  /** Hex, as OTLP/JSON carries them; parentSpanId '' or absent for a root. */
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, string>;
  resource: Record<string, string>;
  scope: string;
}

export interface OtlpReceiver {
  /** http://127.0.0.1:PORT, no path. */
  origin: string;
  requests: ReceivedRequest[];
  spans(): ReceivedSpan[];
  /** The requests that carried a resource with this process.pid. */
  requestsFor(pid: number): ReceivedRequest[];
  close(): Promise<void>;
}

const flat = (attrs: KeyValue[]) => Object.fromEntries(attrs.map((a) => [a.key, String(Object.values(a.value)[0])]));

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      requests.push({ path: req.url ?? '', headers: req.headers, raw, body: JSON.parse(raw) as ExportTraceRequest });
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    spans: () =>
      requests.flatMap((r) =>
        r.body.resourceSpans.flatMap((rs) =>
          rs.scopeSpans.flatMap((ss) =>
            ss.spans.map((s) => ({
              name: s.name,
              kind: s.kind,
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              startTimeUnixNano: String(s.startTimeUnixNano),
              endTimeUnixNano: String(s.endTimeUnixNano),
              attributes: flat(s.attributes),
              resource: flat(rs.resource.attributes),
              scope: ss.scope.name,
            })),
          ),
        ),
      ),
    requestsFor: (pid) => requests.filter((r) => r.body.resourceSpans.some((rs) => flat(rs.resource.attributes)['process.pid'] === String(pid))),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
