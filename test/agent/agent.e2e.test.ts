// End to end: the real agent CLI, real eBPF, real Go targets built with every
// toolchain of the matrix, real HTTP on 127.0.0.1. Other test files run agents
// at the same time: an agent's uprobe links are told apart by the descriptors
// it holds, and an agent given --exe runs on a private copy of the executable.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GoBinary } from '../../gobin/binary.js';
import { matrixToolchains, type Toolchain } from '../support/toolchains.js';
import { startOtlpReceiver } from './otlp-receiver.js';
import {
  buildApp,
  hasRegisterAbi,
  listUprobeLinks,
  requireAgentPrerequisites,
  startAgent,
  startApp,
  tableFromDwarf,
  tempFile,
  waitFor,
  linksHeldBy,
  privateCopy,
  type AgentSpan,
  type AppVariant,
} from './support.js';

const toolchains = await matrixToolchains();
const registerAbi = toolchains.filter(hasRegisterAbi);
const stackAbi = toolchains.filter((tc) => !hasRegisterAbi(tc));
const newest = registerAbi[registerAbi.length - 1];

/** A server for the target's client loop: /c/ok/* answers 200, everything else 404. */
let clientTarget: Server;
let clientTargetPort = 0;

beforeAll(async () => {
  requireAgentPrerequisites();
  clientTarget = createServer((req: IncomingMessage, res) => {
    req.resume();
    res.statusCode = req.url?.startsWith('/c/ok/') ? 200 : 404;
    res.end('x');
  });
  await new Promise<void>((r) => clientTarget.listen(0, '127.0.0.1', r));
  clientTargetPort = (clientTarget.address() as AddressInfo).port;
});

afterAll(async () => {
  // No server when beforeAll failed (missing prerequisites): nothing to wait for.
  if (clientTarget) await new Promise((r) => clientTarget.close(r));
});

interface Sent {
  method: string;
  path: string;
  status: number;
  /** Wall-clock ms around the request, as this process saw it. */
  startMs: number;
  endMs: number;
}

// The kernel's CLOCK_REALTIME, read now. Not performance.timeOrigin + performance.now():
// Node pairs the two clocks once when the worker starts, and on a loaded machine a
// preemption between those two reads skews every later reading by milliseconds.
// Date.now() floors to the ms, so a span still starts at or after startMs and ends
// before endMs + 1.
const wallMs = () => Date.now();

async function send(port: number, method: string, pathAndQuery: string): Promise<Sent> {
  const startMs = wallMs();
  const res = await fetch(`http://127.0.0.1:${port}${pathAndQuery}`, { method, body: method === 'POST' ? 'ping' : undefined });
  await res.arrayBuffer();
  return { method, path: pathAndQuery.replace(/\?.*/, ''), status: res.status, startMs, endMs: wallMs() };
}

/** 150 sequential requests over five routes (200 and 404, GET and POST), then 50 concurrent slow ones. */
async function sendServerLoad(port: number): Promise<Sent[]> {
  const sent: Sent[] = [];
  const routes: [string, (i: number) => string][] = [
    ['GET', () => '/hello'],
    ['GET', (i) => `/items/${i}`],
    ['POST', () => '/echo'],
    ['GET', (i) => `/missing/${i}`],
    ['POST', () => '/hello'],
  ];
  for (let i = 0; i < 150; i++) {
    const [method, path] = routes[i % routes.length];
    sent.push(await send(port, method, path(i)));
  }
  sent.push(...(await Promise.all(Array.from({ length: 50 }, (_, i) => send(port, 'GET', `/slow/${i}?ms=150`)))));
  return sent;
}

const key = (s: { method: string; path: string; status: number; host?: string }) => `${s.method} ${s.host ?? ''} ${s.path} ${s.status}`;

async function traceScenario(tc: Toolchain, variant: AppVariant): Promise<void> {
  const table = await tableFromDwarf(tc, await tempFile(`${tc.version}-table.json`));
  const app = await startApp(await buildApp(tc, variant));
  const agent = startAgent(['--pid', String(app.pid), '--table', table]);
  try {
    await agent.attached;
    // The target's own type descriptors answer; the table (built from its twin's DWARF) agrees.
    expect(agent.stderr()).toContain(`(${tc.version} amd64, offsets from type descriptors)`);
    // The table is compared after attaching: it changes no offset.
    await waitFor(() => agent.stderr().includes('table compared'), 'the comparison with the table');
    expect(agent.stderr()).toMatch(/table compared with the target's descriptors: \d+ agree, 0 differ, 0 not answered/);
    expect(agent.stderr()).not.toContain('table value not used');
    // The agent's links, by its descriptors (other test files' agents attach meanwhile); the kernel lists each.
    const attachedLinks = await linksHeldBy(agent.proc.pid!);
    expect(attachedLinks.length).toBeGreaterThan(2);
    expect(await listUprobeLinks()).toEqual(expect.arrayContaining(attachedLinks));

    const sent = await sendServerLoad(app.port);
    expect(sent.filter((s) => s.status === 404).length).toBe(60);

    // The client loop: 20 requests, 200 and 404, GET and POST.
    const clientSent: string[] = [];
    for (let i = 0; i < 20; i++) {
      const method = i % 2 ? 'POST' : 'GET';
      const url = `http://127.0.0.1:${clientTargetPort}/c/${i % 3 ? 'ok' : 'missing'}/${i}`;
      clientSent.push(`${method} ${url}`);
      app.request(method, url);
    }
    await waitFor(() => app.clientLines.length >= 20, 'the client loop to finish 20 requests');

    const server = () => agent.spans.filter((s) => s.kind === 'server');
    const client = () => agent.spans.filter((s) => s.kind === 'client');
    await waitFor(() => server().length >= 200 && client().length >= 20, `200 server and 20 client spans (have ${agent.spans.length})`);
    await new Promise((r) => setTimeout(r, 300)); // anything extra would show up now

    // Server spans: exactly the requests sent.
    expect(server().map(key).sort()).toEqual(sent.map(key).sort());
    for (const span of agent.spans) {
      expect(span.pid).toBe(app.pid);
      expect(span.endNs).toBeGreaterThan(span.startNs);
    }
    // Durations and times agree with what this process measured (1 ms of slack for clocks and rounding).
    const byPath = new Map(server().map((s) => [s.path, s]));
    for (const s of sent.filter((x) => /^\/(items|missing|slow)\//.test(x.path))) {
      const span = byPath.get(s.path)!;
      expect(span.startNs / 1e6).toBeGreaterThanOrEqual(s.startMs - 1);
      expect(span.endNs / 1e6).toBeLessThanOrEqual(s.endMs + 1);
      if (s.path.startsWith('/slow/')) expect((span.endNs - span.startNs) / 1e6).toBeGreaterThanOrEqual(149);
    }
    // The 50 concurrent requests ran on 50 goroutines.
    const slow = server().filter((s) => s.path.startsWith('/slow/'));
    expect(new Set(slow.map((s) => s.goid)).size).toBe(50);

    // Client spans: exactly what the loop did, durations within its own timing.
    const loop = app.clientLines.map((line) => {
      const [, method, url, status, durationNs] = line.split(' ');
      const u = new URL(url);
      return { method, host: u.host, path: u.pathname, status: Number(status), durationNs: Number(durationNs) };
    });
    expect(loop.map((l) => `${l.method} ${l.host}`).sort()).toEqual(clientSent.map((c) => `${c.split(' ')[0]} 127.0.0.1:${clientTargetPort}`).sort());
    expect(client().map(key).sort()).toEqual(loop.map(key).sort());
    const clientByPath = new Map(client().map((s) => [s.path, s]));
    for (const l of loop) {
      const span = clientByPath.get(l.path)!;
      expect(span.endNs - span.startNs).toBeLessThanOrEqual(l.durationNs + 1000);
    }

    // SIGTERM: a clean exit, and no uprobe left in the kernel.
    agent.proc.kill('SIGTERM');
    expect(await agent.exit).toBe(0);
    expect(agent.stderr()).toMatch(/detached: 220 spans; dropped 0 \(ring buffer full\), 0 \(in-flight map full\)/);
    const after = await listUprobeLinks();
    expect(after.filter((id) => attachedLinks.includes(id))).toEqual([]);
  } finally {
    agent.proc.kill('SIGKILL');
    await app.stop();
  }
}

describe.sequential('offsets-agent', () => {
  it('the test matrix has register-ABI toolchains and a stack-ABI one', () => {
    expect(registerAbi.map((t) => t.version), 'no Go 1.17+ toolchain in the test matrix').not.toEqual([]);
    expect(stackAbi.map((t) => t.version), 'no pre-1.17 Go toolchain (golang-1.15-go) in the test matrix').not.toEqual([]);
  });

  for (const tc of registerAbi) {
    it(`${tc.version}: traces a stripped target by pid, offsets from its type descriptors`, () => traceScenario(tc, 'stripped'));
  }

  it(`PIE (${newest?.version}): traces a stripped PIE target by pid`, () => traceScenario(newest, 'pie'));

  for (const tc of stackAbi) {
    it(`${tc.version}: refuses, naming the stack ABI`, async () => {
      const app = await startApp(await buildApp(tc, 'stripped'));
      try {
        const agent = startAgent(['--pid', String(app.pid), '--table', await tempFile('unused.json')]);
        expect(await agent.exit).toBe(1);
        expect(agent.stderr()).toContain('offsets-agent: ERR_AGENT_ABI: ');
        expect(agent.stderr()).toContain(`${tc.version}, which passes arguments on the stack (ABI0)`);
        expect(agent.stderr()).toContain('register ABI');
      } finally {
        await app.stop();
      }
    });
  }

  it('takes the offsets from the target DWARF when it has one (--exe, every process)', async () => {
    // A copy: the agent traces every process of the executable, and other files run the cached build.
    const copy = await privateCopy(await buildApp(newest, 'plain'));
    const exe = copy.path;
    const agent = startAgent(['--exe', exe, '--table', '/nonexistent/table.json']);
    const app = await startApp(exe);
    try {
      await agent.attached;
      expect(agent.stderr()).toContain('offsets from dwarf');
      await send(app.port, 'GET', '/hello');
      // A client call that fails (nothing listens on port 1): a span with status -1.
      app.request('GET', 'http://127.0.0.1:1/refused');
      await waitFor(() => agent.spans.length >= 2, 'two spans');
      expect(agent.spans.map(key).sort()).toEqual(['GET  /hello 200', 'GET 127.0.0.1:1 /refused -1']);
      expect(app.clientLines.join('\n')).toContain('client GET http://127.0.0.1:1/refused error');
      agent.proc.kill('SIGINT');
      expect(await agent.exit).toBe(0);
    } finally {
      agent.proc.kill('SIGKILL');
      await app.stop();
      await copy.done();
    }
  });

  it('reports a target that exits while attached, and exits 0', async () => {
    const table = await tableFromDwarf(newest, await tempFile('table.json'));
    const app = await startApp(await buildApp(newest, 'stripped'));
    const agent = startAgent(['--pid', String(app.pid), '--table', table]);
    try {
      await agent.attached;
      await app.stop();
      expect(await agent.exit).toBe(0);
      expect(agent.stderr()).toContain(`target pid ${app.pid} exited`);
    } finally {
      agent.proc.kill('SIGKILL');
    }
  });

  it('traces, with --policy exact, a stripped target of a Go release the table never scanned: offsets from its type descriptors', async () => {
    const table = await tableFromDwarf(newest, await tempFile('other-version-exact.json'), [], 'go1.11.13');
    const app = await startApp(await buildApp(newest, 'stripped'));
    const agent = startAgent(['--pid', String(app.pid), '--table', table, '--policy', 'exact']);
    try {
      await agent.attached;
      expect(agent.stderr()).toContain(`(${newest.version} amd64, offsets from type descriptors)`);
      const sent = [await send(app.port, 'GET', '/hello'), await send(app.port, 'POST', '/items/7'), await send(app.port, 'GET', '/missing/1')];
      await waitFor(() => agent.spans.filter((s) => s.kind === 'server').length >= 3, 'three server spans');
      expect(agent.spans.filter((s) => s.kind === 'server').map(key).sort()).toEqual(sent.map(key).sort());
    } finally {
      agent.proc.kill('SIGKILL');
      await app.stop();
    }
  });

  it('never uses a table value that disagrees with the target, and says so naming both values', async () => {
    const table = await tableFromDwarf(newest, await tempFile('wrong-method.json'), [], newest.version, ['net/http.Request.Method']);
    const plain = await (await GoBinary.open(await buildApp(newest, 'plain'))).dwarf();
    const right = plain!.field('net/http.Request.Method').offset!;
    const app = await startApp(await buildApp(newest, 'stripped'));
    const agent = startAgent(['--pid', String(app.pid), '--table', table, '--policy', 'exact']);
    try {
      await agent.attached;
      await waitFor(() => agent.stderr().includes('table compared'), 'the comparison with the table');
      expect(agent.stderr()).toContain(`net/http.Request.Method: the table says ${right + 8}, the target's type descriptors say ${right}; using ${right}`);
      const sent = [await send(app.port, 'POST', '/items/9')];
      await waitFor(() => agent.spans.some((s) => s.kind === 'server'), 'a server span');
      expect(agent.spans.filter((s) => s.kind === 'server').map(key)).toEqual(sent.map(key));
    } finally {
      agent.proc.kill('SIGKILL');
      await app.stop();
    }
  });

  it('refuses (--no-types) a Go version the table does not know, naming the version and the fields', async () => {
    // A table that only knows another Go line.
    const other = { ...newest, version: 'go1.11.13', minor: '1.11' };
    const table = await tableFromDwarf(newest, await tempFile('other-version.json'), [], other.version);
    const app = await startApp(await buildApp(newest, 'stripped'));
    try {
      const agent = startAgent(['--pid', String(app.pid), '--table', table, '--policy', 'exact', '--no-types']);
      expect(await agent.exit).toBe(1);
      expect(agent.stderr()).toContain('offsets-agent: ERR_AGENT_OFFSET: ');
      expect(agent.stderr()).toContain(`needed for ${newest.version} amd64`);
      expect(agent.stderr()).toContain('runtime.g.goid (unknown under policy exact');
    } finally {
      await app.stop();
    }
  });

  it('refuses (--no-types) a table without a needed field, naming it', async () => {
    const table = await tableFromDwarf(newest, await tempFile('no-status.json'), ['net/http.response.status']);
    const app = await startApp(await buildApp(newest, 'stripped'));
    try {
      const agent = startAgent(['--pid', String(app.pid), '--table', table, '--no-types']);
      expect(await agent.exit).toBe(1);
      expect(agent.stderr()).toContain('offsets-agent: ERR_AGENT_OFFSET: ');
      expect(agent.stderr()).toMatch(/no offset for 1 field\(s\) needed for go1\.\d+\.\d+ amd64: net\/http\.response\.status/);
    } finally {
      await app.stop();
    }
  });

  it('rejects a bad command line with exit 1 (bad input, as every CLI)', async () => {
    for (const args of [[], ['--exe', '/bin/true', '--pid', '1'], ['--pid', 'abc'], ['--exe', '/bin/true', '--format', 'xml']]) {
      const agent = startAgent(args);
      expect(await agent.exit, args.join(' ')).toBe(1);
    }
  });

  it('exports spans over OTLP/HTTP to a receiver on 127.0.0.1, with the same attributes', async () => {
    const receiver = await startOtlpReceiver();
    const table = await tableFromDwarf(newest, await tempFile('otlp-table.json'));
    const app = await startApp(await buildApp(newest, 'stripped'));
    const agent = startAgent(['--pid', String(app.pid), '--table', table, '--format', 'otlp', '--otlp-endpoint', `${receiver.origin}/v1/traces`]);
    try {
      await agent.attached;
      const sent: Sent[] = [];
      for (let i = 0; i < 10; i++) sent.push(await send(app.port, i % 2 ? 'POST' : 'GET', i % 2 ? '/echo' : `/missing/${i}`));
      agent.proc.kill('SIGTERM'); // flushes the exporter
      expect(await agent.exit).toBe(0);
      expect(agent.spans).toEqual([]); // nothing on stdout in otlp mode
      const received = receiver.spans();
      expect(received.map((s) => `${s.attributes['http.request.method']}  ${s.attributes['url.path']} ${s.attributes['http.response.status_code']}`).sort()).toEqual(
        sent.map(key).sort(),
      );
      for (const s of received) {
        expect(s.kind).toBe(2); // SPAN_KIND_SERVER
        expect(s.resource['process.pid']).toBe(String(app.pid));
        expect(BigInt(s.endTimeUnixNano)).toBeGreaterThan(BigInt(s.startTimeUnixNano));
      }
    } finally {
      agent.proc.kill('SIGKILL');
      await app.stop();
      await receiver.close();
    }
  });
});

export type { AgentSpan };
