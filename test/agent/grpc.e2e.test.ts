// gRPC spans end to end, on every register-ABI Go toolchain of the matrix:
// the agent attached to the stripped grpcapp of each Debian suite (grpc 1.33
// with Go 1.19, 1.64 with Go 1.24, 1.81 with Go 1.27), built in module mode
// (the buildinfo names grpc's version; stripped PIE) and in GOPATH mode as
// distributions build (stripped, no module versions): the agent must report
// the same spans for both; and to the module build of each other toolchain
// (Go 1.21, 1.22, 1.23 with grpc 1.64; 1.26 with 1.81: the newest grpc whose
// go.mod files its Go accepts). One server and one agent per binary, for
// every scenario. The oracle is what the client asked for and got back
// (grpcapp's client summary), and the calls this test made itself.
import { describe, expect, it } from 'vitest';
import { compareGoVersions, parseGoVersion } from '../../offsets/go-version.js';
import { GRPC_METHODS, runGrpcClient, startGrpcApp } from '../support/grpc-app.js';
import { grpcMatrixTargets, grpcTargets } from '../support/grpc-targets.js';
import { matrixToolchains } from '../support/toolchains.js';
import { hasRegisterAbi, privateCopy, requireAgentPrerequisites, startAgent, waitFor, type AgentSpan } from './support.js';

requireAgentPrerequisites();
const targets = await grpcTargets();
const matrixTargets = await grpcMatrixTargets();
const registerAbi = (await matrixToolchains()).filter(hasRegisterAbi);

const CODES: Record<string, number> = { OK: 0, NotFound: 5, Internal: 13 };
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

const key = (s: AgentSpan) => `${s.kind} ${s.method} ${s.status}`;

/** Every scenario on one binary (`mode` says how it was built): one server, one agent. */
async function scenario(t: { goVersion: string }, build: string, mode: 'module' | 'gopath'): Promise<void> {
  // The agent traces every process of the executable: a copy of the cached build, so that
  // grpcapp processes of other test files are not among them.
  const exe = await privateCopy(build);
  try {
    await scenarioOn(t, exe.path, mode);
  } finally {
    await exe.done();
  }
}

async function scenarioOn(t: { goVersion: string }, path: string, mode: 'module' | 'gopath'): Promise<void> {
  const app = await startGrpcApp(path);
  // Every process of the executable: the server, and the client mode's process too.
  const agent = startAgent(['--exe', path]);
  try {
    await agent.attached;
    const log = agent.stderr();
    expect(log).toContain(`(${t.goVersion} amd64, offsets from type descriptors)`);
    expect(log).toContain('gRPC server spans: yes; gRPC client spans: yes; incoming gRPC traceparent: yes');
    if (mode === 'gopath') expect(log).toContain('google.golang.org/grpc: module version unknown');
    else expect(log).not.toContain('module version unknown');

    // Unary and server-streaming calls from another process, all in one caller's trace.
    const unary = { OK: 3, NotFound: 2, Internal: 1 };
    const stream = { OK: 1, NotFound: 1, Internal: 2 };
    const { summary, exitCode } = await runGrpcClient(path, app.grpcAddr, { unary, stream, traceparent: `00-${TRACE_ID}-${PARENT}-01` });
    expect({ exitCode, mismatches: summary.mismatches }).toEqual({ exitCode: 0, mismatches: 0 });
    const expected: string[] = [];
    for (const [code, n] of Object.entries(unary)) for (let i = 0; i < n; i++) expected.push(`server ${GRPC_METHODS.unary} ${CODES[code]}`);
    for (const [code, n] of Object.entries(stream)) for (let i = 0; i < n; i++) expected.push(`server ${GRPC_METHODS.stream} ${CODES[code]}`);
    const grpcServer = () => agent.spans.filter((s) => s.rpc === 'grpc' && s.kind === 'server');
    await waitFor(() => grpcServer().length >= expected.length, `${expected.length} gRPC server spans (have ${grpcServer().length})`);
    expect(grpcServer().map(key).sort()).toEqual(expected.sort());
    // Each continues the caller's trace, from the traceparent in its metadata.
    for (const s of grpcServer()) expect({ traceId: s.traceId, parentSpanId: s.parentSpanId }).toEqual({ traceId: TRACE_ID, parentSpanId: PARENT });
    expect(new Set(grpcServer().map((s) => s.spanId)).size).toBe(expected.length);
    // The client process's side: a span per call, unary (Invoke) and streaming (NewStream to the stream's end), with the target.
    const callerSpans = () => agent.spans.filter((s) => s.kind === 'client' && s.pid !== app.pid);
    await waitFor(() => callerSpans().length >= expected.length, `${expected.length} gRPC client spans in the client process (have ${callerSpans().length})`);
    expect(callerSpans().map((s) => `client ${s.method} ${s.status} ${s.target}`).sort()).toEqual(expected.map((e) => `${e.replace(/^server/, 'client')} ${app.grpcAddr}`).sort());

    // A handler that makes one gRPC call and one HTTP call: both client spans are its children.
    const res = await fetch(`http://127.0.0.1:${app.httpPort}/call?code=NotFound`);
    expect(res.status).toBe(200);
    const handler = () => agent.spans.find((s) => !s.rpc && s.kind === 'server' && s.path === '/call');
    await waitFor(() => handler() !== undefined && agent.spans.filter((s) => s.kind === 'client' && s.pid === app.pid).length >= 2, 'the /call server span and its two client spans');
    const parent = handler()!;
    const clients = agent.spans.filter((s) => s.kind === 'client' && s.pid === app.pid);
    expect(clients.map((s) => `${s.rpc ?? 'http'} ${s.method} ${s.target ?? s.host} ${s.status}`).sort()).toEqual(
      [`grpc ${GRPC_METHODS.unary} ${app.grpcAddr} 5`, `http GET 127.0.0.1:${app.httpPort} 200`].sort(),
    );
    for (const c of clients) expect({ traceId: c.traceId, parentSpanId: c.parentSpanId, goid: c.goid }).toEqual({ traceId: parent.traceId, parentSpanId: parent.spanId, goid: parent.goid });
    expect(parent.parentSpanId).toBeUndefined();
    // The server side of that gRPC call: the method and code the client got.
    await waitFor(() => grpcServer().length === expected.length + 1, 'the server span of the handler\'s gRPC call');
    await new Promise((r) => setTimeout(r, 300)); // anything extra would show up now
    expect(grpcServer().length).toBe(expected.length + 1);
  } finally {
    agent.proc.kill('SIGINT');
    await agent.exit;
    await app.stop();
  }
  expect(agent.stderr()).toMatch(/dropped 0 \(ring buffer full\), 0 \(in-flight map full\); 0 returns without an entry; 0 malformed traceparent/);
}

describe('offsets-agent: gRPC', () => {
  it('has a target for each suite', () => {
    expect(targets.map((t) => t.suite)).toEqual(['bookworm', 'trixie', 'sid']);
  });
  it('has a target for every register-ABI toolchain of the matrix', () => {
    const covered = [...targets, ...matrixTargets].map((t) => t.goVersion).sort((a, b) => compareGoVersions(parseGoVersion(a), parseGoVersion(b)));
    expect(covered).toEqual(registerAbi.map((tc) => tc.version));
  });
  for (const t of targets) {
    for (const mode of ['module', 'gopath'] as const) {
      it(`grpc ${t.grpcVersion} (${t.suite}, ${t.goVersion}), ${mode === 'module' ? 'module build, PIE' : 'GOPATH build'}: server and client spans, codes, parents`, () =>
        scenario(t, mode === 'module' ? t.module.strippedPie : t.gopath.stripped, mode));
    }
  }
  for (const t of matrixTargets) {
    it(`grpc ${t.grpcVersion} (${t.suite}'s) with ${t.goVersion}, module build, PIE: server and client spans, codes, parents`, () =>
      scenario(t, t.module.strippedPie, 'module'));
  }
});
