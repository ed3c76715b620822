import type { Writable } from 'node:stream';
import { JsonLines } from './span-lines.js';
import { SPAN_RECORD_SIZE } from './span.js';

/** One drain of the ring buffer: whole struct span records, and what turns their monotonic times into wall-clock time. */
export interface SpanBatch {
  records: Buffer;
  wallOffsetNs: bigint;
}

export function spanCount(batch: SpanBatch): number {
  return Math.floor(batch.records.length / SPAN_RECORD_SIZE);
}

export interface SpanSink {
  write(batch: SpanBatch): void;
  /** Flushes everything written so far. */
  close(): Promise<void>;
}

/** JSON lines (spanToJsonLine), one write per batch, formatted straight from the records (span-lines.ts). */
export function jsonlSink(out: Writable): SpanSink {
  const formatter = new JsonLines();
  return {
    write(batch) {
      const lines = formatter.format(batch.records, batch.wallOffsetNs);
      if (lines.length) out.write(lines, () => formatter.release(lines));
    },
    close: () => new Promise((resolve) => (out.writableNeedDrain ? out.once('drain', () => resolve()) : resolve())),
  };
}
