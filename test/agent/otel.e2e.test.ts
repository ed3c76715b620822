// What an OpenTelemetry user gets, end to end: the real agent CLI configured
// only through the standard OTEL_* variables, real eBPF, stripped Go targets
// built with the matrix's toolchains, and an OTLP/HTTP receiver on 127.0.0.1
// recording what arrives.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { matrixToolchains, type Toolchain } from '../support/toolchains.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';
import { buildFixture, hasRegisterAbi, REPO, requireAgentPrerequisites, startAgent, privateCopy, startApp, waitFor, type RunningApp } from './support.js';

const toolchains = (await matrixToolchains()).filter(hasRegisterAbi);
const minor = (tc: Toolchain) => Number(tc.minor.split('.')[1]);
/** From Go 1.21 (the last ServeMux without patterns) on. */
const routeToolchains = toolchains.filter((tc) => minor(tc) >= 21);
const newest = toolchains[toolchains.length - 1];
const agentVersion = (JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

let receiver: OtlpReceiver;
beforeAll(async () => {
  requireAgentPrerequisites();
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  if (receiver) await receiver.close();
});

async function get(app: RunningApp, path: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${app.port}${path}`, { headers });
  await res.arrayBuffer();
  return res.status;
}

/**
 * Runs the agent on one stripped routeapp process (offsets from the shipped
 * table), makes the requests, stops the agent (which flushes the exporter) and
 * returns what the receiver got from this run.
 */
async function traceOnce(
  tc: Toolchain,
  env: Record<string, string>,
  paths: string[],
  flags: string[] = [],
  headers: Record<string, string> = {},
): Promise<{ spans: ReceivedSpan[]; app: RunningApp; exe: string; stderr: string }> {
  const exe = await buildFixture('routeapp', tc, 'stripped');
  const app = await startApp(exe);
  const agent = startAgent(['--pid', String(app.pid), ...flags], env);
  try {
    await agent.attached;
    for (const p of paths) await get(app, p, headers);
    agent.proc.kill('SIGTERM');
    expect(await agent.exit, agent.stderr()).toBe(0);
    expect(agent.spans).toEqual([]); // nothing on stdout in otlp mode
    const mine = receiver.spans().filter((s) => s.resource['process.pid'] === String(app.pid));
    return { spans: mine, app, exe, stderr: agent.stderr() };
  } finally {
    agent.proc.kill('SIGKILL');
    await app.stop();
  }
}

describe.sequential('offsets-agent with OpenTelemetry configuration', () => {
  it('the test matrix has Go 1.21 and Go 1.22+ toolchains', () => {
    expect(routeToolchains.map((t) => t.minor)).toContain('1.21');
    expect(routeToolchains.filter((t) => minor(t) >= 22).length).toBeGreaterThan(0);
  });

  it(`${newest.version}: OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_ENDPOINT and _HEADERS, no flags but --pid`, async () => {
    const { spans, app, exe } = await traceOnce(
      newest,
      {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_SERVICE_NAME: 'shop',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test,service.namespace=store',
        OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.origin}/base`,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=secret%20one',
      },
      ['/items/42'],
    );
    expect(spans.map((s) => s.name)).toEqual(['GET /items/{id}']);
    expect(spans[0].resource).toEqual({
      'service.name': 'shop',
      'service.namespace': 'store',
      'deployment.environment.name': 'test',
      'process.pid': String(app.pid),
      'process.executable.name': 'routeapp',
      'process.executable.path': exe,
      'process.runtime.name': 'go',
      'process.runtime.version': newest.version,
      'telemetry.distro.name': 'offsets-agent',
      'telemetry.distro.version': agentVersion,
    });
    expect(spans[0].scope).toBe('offsets-agent');
    // The general endpoint gets /v1/traces appended; the headers come along.
    const requests = receiver.requestsFor(app.pid);
    expect(requests.map((r) => r.path)).toEqual(['/base/v1/traces']);
    expect(requests[0].headers['x-api-key']).toBe('secret one');
  });

  it(`${newest.version}: an exported span keeps the agent's ids, and continues an incoming traceparent`, async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = '00f067aa0ba902b7';
    const { spans } = await traceOnce(newest, { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin }, ['/items/5'], [], { traceparent: `00-${traceId}-${parent}-01` });
    expect(spans.map((s) => ({ name: s.name, traceId: s.traceId, parentSpanId: s.parentSpanId }))).toEqual([{ name: 'GET /items/{id}', traceId, parentSpanId: parent }]);
    expect(spans[0].spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(spans[0].spanId).not.toBe(parent);
  });

  it(`${newest.version}: without OTEL_SERVICE_NAME, service.name is the executable's name`, async () => {
    const { spans } = await traceOnce(newest, { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin }, ['/items/7']);
    expect(spans.map((s) => [s.name, s.resource['service.name']])).toEqual([['GET /items/{id}', 'routeapp']]);
  });

  it('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (as is) overrides OTEL_EXPORTER_OTLP_ENDPOINT; --otlp-endpoint overrides both', async () => {
    const env = { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.origin}/general`, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.origin}/traces-only` };
    const pathOf = (pid: number) => receiver.requestsFor(pid).map((r) => r.path);
    const specific = await traceOnce(newest, env, ['/items/1']);
    expect(specific.spans.length).toBe(1);
    expect(pathOf(specific.app.pid)).toEqual(['/traces-only']);
    const flag = await traceOnce(newest, env, ['/items/2'], ['--otlp-endpoint', `${receiver.origin}/from-flag`]);
    expect(flag.spans.length).toBe(1);
    expect(pathOf(flag.app.pid)).toEqual(['/from-flag']);
  });

  it(`${newest.version}: --exe with two processes gives each a resource of its own`, async () => {
    // A copy: the agent traces every process of the executable, whatever test started it.
    const copy = await privateCopy(await buildFixture('routeapp', newest, 'stripped'));
    onTestFinished(() => copy.done());
    const exe = copy.path;
    const agent = startAgent(['--exe', exe], { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin });
    const apps: RunningApp[] = [];
    try {
      await agent.attached;
      apps.push(await startApp(exe), await startApp(exe));
      for (const app of apps) await get(app, '/items/3');
      agent.proc.kill('SIGTERM');
      expect(await agent.exit, agent.stderr()).toBe(0);
      const pids = apps.map((a) => String(a.pid));
      const mine = receiver.spans().filter((s) => pids.includes(s.resource['process.pid']));
      expect(mine.map((s) => s.resource['process.pid']).sort()).toEqual([...pids].sort());
      // Two resources in what arrived, each with the one executable's name.
      const requests = new Set(apps.flatMap((a) => receiver.requestsFor(a.pid)));
      const resources = [...requests].flatMap((r) => r.body.resourceSpans);
      expect(resources.length).toBe(2);
      for (const s of mine) expect(s.resource['service.name']).toBe('routeapp');
    } finally {
      agent.proc.kill('SIGKILL');
      for (const app of apps) await app.stop();
    }
  });

  for (const tc of routeToolchains) {
    const patterns = minor(tc) >= 22;
    it(`${tc.version}: server spans are named ${patterns ? '"GET /items/{id}", with http.route' : '"GET" (no ServeMux patterns before Go 1.22)'}`, async () => {
      const { spans, stderr } = await traceOnce(tc, { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin }, ['/items/42', '/nothing/here']);
      expect(stderr).toContain(patterns ? 'server routes: yes' : 'server routes: no');
      const byPath = Object.fromEntries(spans.map((s) => [s.attributes['url.path'], s]));
      expect(Object.keys(byPath).sort()).toEqual(['/items/42', '/nothing/here']);
      expect(byPath['/items/42'].name).toBe(patterns ? 'GET /items/{id}' : 'GET');
      expect(byPath['/items/42'].attributes['http.route']).toBe(patterns ? '/items/{id}' : undefined);
      expect(byPath['/items/42'].attributes['http.response.status_code']).toBe('200');
      // Nothing matched: no route, whatever the Go version.
      expect(byPath['/nothing/here'].name).toBe('GET');
      expect(byPath['/nothing/here'].attributes['http.route']).toBeUndefined();
      expect(byPath['/nothing/here'].attributes['http.response.status_code']).toBe('404');
    });
  }

  it(`${newest.version}: JSON lines carry the route, with the offsets from the target's DWARF`, async () => {
    const exe = await buildFixture('routeapp', newest, 'plain');
    const app = await startApp(exe);
    const agent = startAgent(['--pid', String(app.pid), '--table', '/nonexistent/table.json']);
    try {
      await agent.attached;
      expect(agent.stderr()).toContain('offsets from dwarf');
      await get(app, '/items/5');
      await get(app, '/x');
      await waitFor(() => agent.spans.length >= 2, 'two spans');
      expect(agent.spans.map((s) => [s.path, s.route, s.status])).toEqual([
        ['/items/5', '/items/{id}', 200],
        ['/x', undefined, 404],
      ]);
    } finally {
      agent.proc.kill('SIGKILL');
      await app.stop();
    }
  });
});
