// The ring buffer record is declared once, as struct span in bpf/span.h;
// agent/span-layout.generated.ts is generated from the compiled objects' BTF
// (scripts/gen-span-layout.mjs), which stays the truth these tests check.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSpans, routeOfPattern, SPAN_LAYOUT, SPAN_RECORD_SIZE, spanToJsonLine } from '../../agent/span.js';
import { SPAN_PROTOCOL } from '../../agent/span-layout.generated.js';
import { REPO } from './support.js';

interface BtfStruct {
  name?: string;
  kind: string;
  size: number;
  members: { name: string; bits_offset: number }[];
}

function btfStruct(object: string, name: string): BtfStruct {
  const out = execFileSync('bpftool', ['-j', 'btf', 'dump', 'file', join(REPO, 'bpf', object)], { encoding: 'utf8' });
  const found = (JSON.parse(out) as { types: BtfStruct[] }).types.find((t) => t.kind === 'STRUCT' && t.name === name);
  if (!found) throw new Error(`struct ${name} not in the BTF of bpf/${object}`);
  return found;
}

describe('span record', () => {
  for (const object of ['nethttp.amd64.o', 'nethttp.arm64.o']) {
    it(`agent/span.ts matches struct span in ${object}`, () => {
      const btf = btfStruct(object, 'span');
      expect(btf.size).toBe(SPAN_RECORD_SIZE);
      const fromBtf = Object.fromEntries(btf.members.filter((m) => m.name !== '_pad').map((m) => [m.name, m.bits_offset / 8]));
      expect(fromBtf).toEqual(SPAN_LAYOUT);
    });
  }

  it('agent/span-layout.generated.ts is what the objects\' BTF gives now (array sizes, span kinds, counter names included)', () => {
    execFileSync(process.execPath, [join(REPO, 'scripts', 'gen-span-layout.mjs'), '--check'], { encoding: 'utf8' });
  });

  it('decodes a record and prints exact wall-clock nanoseconds', () => {
    const r = Buffer.alloc(SPAN_RECORD_SIZE);
    r.writeBigUInt64LE(1_000n, SPAN_LAYOUT.start_ns);
    r.writeBigUInt64LE(5_000n, SPAN_LAYOUT.end_ns);
    r.writeBigUInt64LE(42n, SPAN_LAYOUT.goid);
    r.writeBigInt64LE(404n, SPAN_LAYOUT.status);
    r.writeUInt32LE(7, SPAN_LAYOUT.pid);
    r.writeUInt32LE(2, SPAN_LAYOUT.kind);
    r.writeUInt32LE(4, SPAN_LAYOUT.method_len);
    r.write('POST', SPAN_LAYOUT.method, 'latin1');
    r.writeUInt32LE(2, SPAN_LAYOUT.path_len);
    r.write('/x', SPAN_LAYOUT.path, 'latin1');
    r.writeUInt32LE(8, SPAN_LAYOUT.host_len);
    r.write('a.b:8080', SPAN_LAYOUT.host, 'latin1');
    r.write('4bf92f3577b34da6a3ce929d0e0e4736', SPAN_LAYOUT.trace_id, 'hex');
    r.write('00f067aa0ba902b7', SPAN_LAYOUT.span_id, 'hex');
    const [span] = decodeSpans(Buffer.concat([r, r]), 1_795_624_730_586_426_401n);
    expect(spanToJsonLine(span)).toBe(
      '{"kind":"client","method":"POST","host":"a.b:8080","path":"/x","status":404,"startNs":1795624730586427401,"endNs":1795624730586431401,"goid":42,"pid":7,' +
        '"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7"}',
    );
    // A child: its parent's span id.
    r.write('b7ad6b7169203331', SPAN_LAYOUT.parent_span_id, 'hex');
    expect(spanToJsonLine(decodeSpans(r, 0n)[0])).toMatch(/"spanId":"00f067aa0ba902b7","parentSpanId":"b7ad6b7169203331"\}$/);
  });

  it('decodes a gRPC client record: the full method, the target and the code', () => {
    const r = Buffer.alloc(SPAN_RECORD_SIZE);
    r.writeUInt32LE(2, SPAN_LAYOUT.kind);
    r.writeUInt32LE(SPAN_PROTOCOL.grpc, SPAN_LAYOUT.protocol);
    r.writeBigInt64LE(5n, SPAN_LAYOUT.status);
    const method = '/echo.Echo/Unary';
    r.writeUInt32LE(method.length, SPAN_LAYOUT.path_len);
    r.write(method, SPAN_LAYOUT.path, 'latin1');
    r.writeUInt32LE(15, SPAN_LAYOUT.host_len);
    r.write('127.0.0.1:50051', SPAN_LAYOUT.host, 'latin1');
    const [span] = decodeSpans(r, 0n);
    expect(span).toMatchObject({ kind: 'client', rpc: 'grpc', method, target: '127.0.0.1:50051', status: 5 });
    expect(spanToJsonLine(span)).toMatch(/^\{"kind":"client","rpc":"grpc","method":"\/echo.Echo\/Unary","target":"127.0.0.1:50051","status":5,/);
  });

  it('decodes a server record with the matched pattern into its route', () => {
    const r = Buffer.alloc(SPAN_RECORD_SIZE);
    r.writeUInt32LE(1, SPAN_LAYOUT.kind);
    r.writeUInt32LE(3, SPAN_LAYOUT.method_len);
    r.write('GET', SPAN_LAYOUT.method, 'latin1');
    r.writeUInt32LE(9, SPAN_LAYOUT.path_len);
    r.write('/items/42', SPAN_LAYOUT.path, 'latin1');
    const pattern = 'GET example.com/items/{id}';
    r.writeUInt32LE(pattern.length, SPAN_LAYOUT.route_len);
    r.write(pattern, SPAN_LAYOUT.route, 'latin1');
    const [span] = decodeSpans(r, 0n);
    expect(span).toMatchObject({ kind: 'server', method: 'GET', path: '/items/42', route: '/items/{id}', status: 200 });
    expect(spanToJsonLine(span)).toContain('"path":"/items/42","route":"/items/{id}","status":200');
    // No pattern (nothing matched, or Go before 1.22): no route at all.
    r.writeUInt32LE(0, SPAN_LAYOUT.route_len);
    expect(decodeSpans(r, 0n)[0].route).toBeUndefined();
  });

  it('takes the path part of every ServeMux pattern form as the route', () => {
    expect(routeOfPattern('/items/{id}')).toBe('/items/{id}');
    expect(routeOfPattern('GET /items/{id}')).toBe('/items/{id}');
    expect(routeOfPattern('POST \t /a/{b...}')).toBe('/a/{b...}');
    expect(routeOfPattern('example.com/{$}')).toBe('/{$}');
    expect(routeOfPattern('GET example.com/')).toBe('/');
    expect(routeOfPattern('')).toBeUndefined();
  });
});
