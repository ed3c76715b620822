// The agent's JSON lines are formatted straight from the records
// (agent/span-lines.ts); spanToJsonLine(decodeSpans(...)) defines them. The
// two must agree byte for byte on any record: HTTP and gRPC, escapes, latin1
// bytes, lengths past the arrays, unknown kinds and protocols, every status,
// time and id a record can hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonLines } from '../../agent/span-lines.js';
import { decodeSpans, SPAN_LAYOUT, SPAN_RECORD_SIZE, spanToJsonLine } from '../../agent/span.js';
import { SPAN_KIND, SPAN_PROTOCOL, SPAN_TEXT_MAX } from '../../agent/span-layout.generated.js';

const reference = (records: Buffer, wallOffsetNs: bigint) => Buffer.from(decodeSpans(records, wallOffsetNs).map((s) => `${spanToJsonLine(s)}\n`).join(''));

/** One formatter for every case, each output handed back once compared: its buffers are reused from case to case. */
const lines = new JsonLines();
function agrees(records: Buffer, wallOffsetNs: bigint): boolean {
  const got = lines.format(records, wallOffsetNs);
  const same = got.equals(reference(records, wallOffsetNs));
  if (!same) expect(got.toString('latin1')).toBe(reference(records, wallOffsetNs).toString('latin1'));
  lines.release(got);
  return same;
}

/** Bytes a text may hold: every byte, with JSON's special characters and the route's slash made likely. */
const textByte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x22, 0x5c, 0x2f, 0x0a, 0x00, 0x7f, 0x80, 0xff, 0x41));

const text = (max: number) =>
  fc.record({
    bytes: fc.array(textByte, { maxLength: max }),
    // The length member may say more than the array holds: capped when read.
    extra: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 300 }), fc.constant(0xffffffff)),
  });

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const i64 = fc.oneof(fc.constantFrom(0n, 200n, 404n, -1n, (1n << 63n) - 1n, -(1n << 63n), 1n << 53n, (1n << 53n) + 1n), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }));

/** An id: random, or all zero (a root span has no parent). */
const id = (bytes: number) => fc.oneof(fc.uint8Array({ minLength: bytes, maxLength: bytes }), fc.constant(new Uint8Array(bytes)));

const record = fc.record({
  kind: fc.oneof(fc.constantFrom(...Object.values(SPAN_KIND)), fc.integer({ min: 0, max: 0xffffffff })),
  protocol: fc.oneof(fc.constantFrom(...Object.values(SPAN_PROTOCOL)), fc.integer({ min: 0, max: 0xffffffff })),
  traceId: id(16),
  spanId: id(8),
  parentSpanId: id(8),
  texts: fc.record(Object.fromEntries(Object.entries(SPAN_TEXT_MAX).map(([name, max]) => [name, text(max)])) as Record<keyof typeof SPAN_TEXT_MAX, ReturnType<typeof text>>),
  status: i64,
  startNs: u64,
  endNs: u64,
  goid: fc.oneof(fc.integer({ min: 0, max: 1 << 30 }).map(BigInt), u64),
  pid: fc.integer({ min: 0, max: 0xffffffff }),
});

type Record_ = typeof record extends fc.Arbitrary<infer T> ? T : never;

function encode(r: Record_): Buffer {
  const b = Buffer.alloc(SPAN_RECORD_SIZE);
  b.writeUInt32LE(r.kind, SPAN_LAYOUT.kind);
  b.writeUInt32LE(r.protocol, SPAN_LAYOUT.protocol);
  b.set(r.traceId, SPAN_LAYOUT.trace_id);
  b.set(r.spanId, SPAN_LAYOUT.span_id);
  b.set(r.parentSpanId, SPAN_LAYOUT.parent_span_id);
  for (const [name, t] of Object.entries(r.texts)) {
    Buffer.from(t.bytes).copy(b, SPAN_LAYOUT[name as keyof typeof SPAN_TEXT_MAX]);
    b.writeUInt32LE(t.extra === 0xffffffff ? t.extra : t.bytes.length + t.extra, SPAN_LAYOUT[`${name}_len` as keyof typeof SPAN_LAYOUT]);
  }
  b.writeBigInt64LE(r.status, SPAN_LAYOUT.status);
  b.writeBigUInt64LE(r.startNs, SPAN_LAYOUT.start_ns);
  b.writeBigUInt64LE(r.endNs, SPAN_LAYOUT.end_ns);
  b.writeBigUInt64LE(r.goid, SPAN_LAYOUT.goid);
  b.writeUInt32LE(r.pid, SPAN_LAYOUT.pid);
  return b;
}

describe('JSON lines from the records', () => {
  it('are the lines of spanToJsonLine(decodeSpans(...)), byte for byte, for any records and clock offset', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 8 }), fc.oneof(u64, fc.constant(1_795_624_730_586_426_401n)), (records, offset) => {
        expect(agrees(Buffer.concat(records.map(encode)), offset)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('are the same for records of random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: SPAN_RECORD_SIZE, maxLength: SPAN_RECORD_SIZE * 3 }), u64, (bytes, offset) => {
        expect(agrees(Buffer.from(bytes), offset)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('hold a batch larger than a new output buffer, and a clock offset outside 0..2^64', () => {
    const r = Buffer.alloc(SPAN_RECORD_SIZE);
    r.writeUInt32LE(SPAN_KIND.client, SPAN_LAYOUT.kind);
    for (const [name, max] of Object.entries(SPAN_TEXT_MAX)) {
      r.fill(0x01, SPAN_LAYOUT[name as keyof typeof SPAN_TEXT_MAX], SPAN_LAYOUT[name as keyof typeof SPAN_TEXT_MAX] + max); // \u0001: the longest escape
      r.writeUInt32LE(max, SPAN_LAYOUT[`${name}_len` as keyof typeof SPAN_LAYOUT]);
    }
    r[SPAN_LAYOUT.route] = 0x2f;
    const batch = Buffer.concat(Array.from({ length: 500 }, () => r));
    expect(agrees(batch, 7n)).toBe(true);
    expect(agrees(batch, -5n)).toBe(true);
    expect(agrees(batch, 1n << 64n)).toBe(true);
  });

  it('reuse a buffer handed back, and only their own', () => {
    const formatter = new JsonLines();
    const record = Buffer.alloc(SPAN_RECORD_SIZE);
    const first = formatter.format(record, 0n);
    const kept = formatter.format(record, 0n);
    expect(kept.buffer).not.toBe(first.buffer);
    formatter.release(first);
    formatter.release(Buffer.from('{}\n')); // not the formatter's: never written into
    expect(formatter.format(record, 0n).buffer).toBe(first.buffer);
    expect(formatter.format(record, 0n).buffer).not.toBe(first.buffer);
    expect(kept.equals(reference(record, 0n))).toBe(true);
  });

  it('is empty for no records', () => {
    expect(new JsonLines().format(Buffer.alloc(0), 0n).length).toBe(0);
  });
});
