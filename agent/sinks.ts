import type { Writable } from 'node:stream';
import { spanToJsonLine, type Span } from './span.js';

export interface SpanSink {
  write(spans: Span[]): void;
  /** Flushes everything written so far. */
  close(): Promise<void>;
}

export function jsonlSink(out: Writable): SpanSink {
  return {
    write(spans) {
      if (spans.length) out.write(spans.map(spanToJsonLine).join('\n') + '\n');
    },
    close: () => new Promise((resolve) => (out.writableNeedDrain ? out.once('drain', () => resolve()) : resolve())),
  };
}
