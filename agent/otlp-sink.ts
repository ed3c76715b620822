// Imported only with --format otlp: the OpenTelemetry SDK costs start-up time the JSON-lines path does not pay.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type HrTime, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type IdGenerator } from '@opentelemetry/sdk-trace-base';
import { agentVersion, DISTRO_NAME, processResourceAttributes, type TracedExecutable } from './resource.js';
import type { SpanSink } from './sinks.js';
import { decodeSpans, type Span } from './span.js';

function hrTime(ns: bigint): HrTime {
  return [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
}

export interface OtlpSinkOptions {
  /**
   * The --otlp-endpoint flag. Without it the exporter reads the standard
   * variables itself: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, else
   * OTEL_EXPORTER_OTLP_ENDPOINT with /v1/traces appended, else
   * http://localhost:4318/v1/traces; headers from OTEL_EXPORTER_OTLP_(TRACES_)HEADERS.
   */
  endpoint?: string;
  executable: TracedExecutable;
}

/**
 * Semantic conventions: an HTTP server span is `{method} {http.route}`, or
 * `{method}` with no route; an HTTP client span `{method}`; an RPC span
 * `{service}/{method}`, the gRPC full method without its leading slash.
 */
export function spanName(s: Span): string {
  if (s.rpc) return s.method.replace(/^\//, '');
  return s.route !== undefined ? `${s.method} ${s.route}` : s.method;
}

function attributesOf(s: Span): Record<string, string | number> {
  if (s.rpc) {
    const [service, method] = s.method.replace(/^\//, '').split('/');
    return {
      'rpc.system': 'grpc',
      ...(service ? { 'rpc.service': service } : {}),
      ...(method ? { 'rpc.method': method } : {}),
      'rpc.grpc.status_code': s.status,
      ...(s.target !== undefined ? { 'server.address': s.target } : {}),
      'go.goroutine.id': s.goid,
    };
  }
  return {
    'http.request.method': s.method,
    ...(s.path !== undefined ? { 'url.path': s.path } : {}),
    ...(s.route !== undefined ? { 'http.route': s.route } : {}),
    ...(s.status >= 0 ? { 'http.response.status_code': s.status } : {}),
    ...(s.host !== undefined ? { 'server.address': s.host } : {}),
    'go.goroutine.id': s.goid,
  };
}

/** Whether the span failed: an HTTP 5xx (server) or 4xx and errors (client); any gRPC code but OK. */
function failed(s: Span): boolean {
  if (s.rpc) return s.status !== 0;
  return s.status < 0 || s.status >= (s.kind === 'server' ? 500 : 400);
}

/**
 * The SDK makes its own ids; the spans already have theirs (made by the eBPF
 * programs, or continued from the caller). The sink sets `next` before each
 * startSpan, and the SDK takes the ids from here.
 */
class RecordedIds implements IdGenerator {
  next = { traceId: '', spanId: '' };
  generateTraceId = () => this.next.traceId;
  generateSpanId = () => this.next.spanId;
}

/**
 * Spans exported with the OpenTelemetry OTLP/HTTP exporter, with HTTP
 * semantic-convention attributes. Each traced process has a resource of its
 * own (a provider per pid, all feeding one batch processor and exporter, so
 * that one request may carry several resources).
 */
export function otlpSink(opts: OtlpSinkOptions): SpanSink {
  const processor = new BatchSpanProcessor(new OTLPTraceExporter(opts.endpoint !== undefined ? { url: opts.endpoint } : {}));
  const fromEnv = detectResources({ detectors: [envDetector] });
  const version = agentVersion();
  const tracers = new Map<number, Tracer>();
  const ids = new RecordedIds();
  const tracerFor = (pid: number): Tracer => {
    let tracer = tracers.get(pid);
    if (!tracer) {
      // The environment wins over what the agent found (OTEL_SERVICE_NAME over the executable's name).
      const resource = resourceFromAttributes(processResourceAttributes(opts.executable, pid, version)).merge(fromEnv);
      tracer = new BasicTracerProvider({ resource, spanProcessors: [processor], idGenerator: ids }).getTracer(DISTRO_NAME, version);
      tracers.set(pid, tracer);
    }
    return tracer;
  };
  return {
    write(batch) {
      for (const s of decodeSpans(batch.records, batch.wallOffsetNs)) {
        ids.next = { traceId: s.traceId, spanId: s.spanId };
        // A child (or a continued trace) gets its parent through the context: the SDK then takes the parent's trace id.
        const parent = s.parentSpanId ? trace.setSpanContext(ROOT_CONTEXT, { traceId: s.traceId, spanId: s.parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: true }) : ROOT_CONTEXT;
        const span = tracerFor(s.pid).startSpan(
          spanName(s),
          { kind: s.kind === 'server' ? SpanKind.SERVER : SpanKind.CLIENT, startTime: hrTime(s.startNs), attributes: attributesOf(s), root: !s.parentSpanId },
          parent,
        );
        if (failed(s)) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end(hrTime(s.endNs));
      }
    },
    // The providers are never shut down: shutting down the processor flushes and closes the one exporter.
    close: () => processor.shutdown(),
  };
}
