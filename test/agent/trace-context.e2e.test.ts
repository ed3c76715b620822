// W3C trace context over net/http, on every register-ABI toolchain of the
// matrix (stripped httpapp, offsets from its type descriptors): curl sends a
// traceparent header, which the agent reads from the request's header map
// (buckets before Go 1.24, Swiss tables after) and continues; a handler's own
// HTTP call is its child; a malformed traceparent starts a new trace and is
// counted. The oracle is the header curl sent and the calls this test made.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { matrixToolchains } from '../support/toolchains.js';
import { buildApp, hasRegisterAbi, requireAgentPrerequisites, startAgent, startApp, waitFor } from './support.js';

const run = promisify(execFile);
requireAgentPrerequisites();
const toolchains = (await matrixToolchains()).filter(hasRegisterAbi);

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

async function curl(url: string, traceparent?: string, extraHeaders = 0): Promise<string> {
  const headers = Array.from({ length: extraHeaders }, (_, i) => ['-H', `X-Pad-${i}: ${i}`]).flat();
  const { stdout } = await run('curl', ['-sS', '--max-time', '10', ...headers, ...(traceparent ? ['-H', `traceparent: ${traceparent}`] : []), url]);
  return stdout;
}

describe('offsets-agent: trace context over HTTP', () => {
  it('the matrix has register-ABI toolchains of both map implementations', () => {
    const minors = toolchains.map((tc) => Number(tc.minor.split('.')[1]));
    expect(minors.some((m) => m < 24) && minors.some((m) => m >= 24)).toBe(true);
  });
  for (const tc of toolchains) {
    it(`${tc.version}: continues an incoming traceparent; a handler's call is its child; a malformed one starts a new trace, counted`, async () => {
      const app = await startApp(await buildApp(tc, 'stripped'));
      const agent = startAgent(['--pid', String(app.pid)]);
      try {
        await agent.attached;
        expect(agent.stderr()).toContain('incoming traceparent: yes');
        const base = `http://127.0.0.1:${app.port}`;
        expect(await curl(`${base}/fetch?url=${encodeURIComponent(`${base}/hello`)}`, `00-${TRACE_ID}-${PARENT}-01`)).toBe('200');
        // Malformed: uppercase hex, a zero trace id, a bad version.
        const malformed = [`00-${TRACE_ID.toUpperCase()}-${PARENT}-01`, `00-${'0'.repeat(32)}-${PARENT}-01`, `ff-${TRACE_ID}-${PARENT}-01`];
        for (const tp of malformed) expect(await curl(`${base}/items/bad`, tp)).toBe('bad');
        expect(await curl(`${base}/items/none`)).toBe('none');
        // A header map too big for one bucket or group: 40 entries (several buckets, or a directory of tables).
        const OTHER = 'a3ce929d0e0e47364bf92f3577b34da6';
        expect(await curl(`${base}/items/big`, `00-${OTHER}-${PARENT}-01`, 40)).toBe('big');

        const server = (path: string) => agent.spans.filter((s) => s.kind === 'server' && s.path === path);
        await waitFor(
          () => server('/fetch').length === 1 && server('/hello').length === 1 && server('/items/bad').length === 3 && server('/items/none').length === 1 && server('/items/big').length === 1,
          'the server spans',
        );
        expect({ traceId: server('/items/big')[0].traceId, parentSpanId: server('/items/big')[0].parentSpanId }).toEqual({ traceId: OTHER, parentSpanId: PARENT });
        await waitFor(() => agent.spans.some((s) => s.kind === 'client'), 'the client span');
        const fetchSpan = server('/fetch')[0];
        expect({ traceId: fetchSpan.traceId, parentSpanId: fetchSpan.parentSpanId }).toEqual({ traceId: TRACE_ID, parentSpanId: PARENT });
        expect(fetchSpan.spanId).toMatch(/^[0-9a-f]{16}$/);
        const client = agent.spans.filter((s) => s.kind === 'client');
        expect(client.map((c) => ({ path: c.path, traceId: c.traceId, parentSpanId: c.parentSpanId }))).toEqual([{ path: '/hello', traceId: TRACE_ID, parentSpanId: fetchSpan.spanId }]);
        // The agent writes no header into the outgoing request: /hello's own server span is a root.
        expect(server('/hello')[0].parentSpanId).toBeUndefined();
        expect(server('/hello')[0].traceId).not.toBe(TRACE_ID);
        for (const s of [...server('/items/bad'), ...server('/items/none')]) {
          expect(s.parentSpanId).toBeUndefined();
          expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
          expect(s.traceId).not.toBe(TRACE_ID.toLowerCase());
        }
        expect(new Set(agent.spans.map((s) => s.traceId)).size).toBe(agent.spans.length - 1); // /fetch and its client share one
      } finally {
        agent.proc.kill('SIGINT');
        await agent.exit;
        await app.stop();
      }
      expect(agent.stderr()).toMatch(/; 3 malformed traceparent \(new traces started\)/);
    });
  }
});
