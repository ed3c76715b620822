// Imported only with --format otlp: the OpenTelemetry SDK costs start-up time the JSON-lines path does not pay.
import { SpanKind, SpanStatusCode, type HrTime } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanSink } from './sinks.js';

function hrTime(ns: bigint): HrTime {
  return [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
}

/** Spans exported with the OpenTelemetry OTLP/HTTP exporter, with HTTP semantic-convention attributes. */
export function otlpSink(endpoint: string, serviceName: string): SpanSink {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint }))],
  });
  const tracer = provider.getTracer('offsets-agent');
  return {
    write(spans) {
      for (const s of spans) {
        const span = tracer.startSpan(`${s.method} ${s.path}`, {
          kind: s.kind === 'server' ? SpanKind.SERVER : SpanKind.CLIENT,
          startTime: hrTime(s.startNs),
          attributes: {
            'http.request.method': s.method,
            'url.path': s.path,
            ...(s.status >= 0 ? { 'http.response.status_code': s.status } : {}),
            ...(s.host !== undefined ? { 'server.address': s.host } : {}),
            'process.pid': s.pid,
            'go.goroutine.id': s.goid,
          },
        });
        if (s.status < 0 || s.status >= (s.kind === 'server' ? 500 : 400)) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end(hrTime(s.endNs));
      }
    },
    close: () => provider.shutdown(),
  };
}
