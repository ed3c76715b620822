// The agent's overhead, accounted (`npm run bench agent`, part 2): against one
// running stripped server, in one run, the same load with no agent, with the
// uprobes attached and the spans thrown away (stdout to /dev/null), and with
// the spans read through a pipe. Per condition: wrk's throughput, the server's
// CPU per request (the uprobes' traps and the eBPF programs are charged to the
// server), the agent's own CPU per span, and every span checked against the
// agent's own count with none dropped; then latency percentiles at a fixed rate
// below saturation (test/fixtures/loadgen, open loop).
//
// BENCH_AGENT_BEFORE=/other/checkout/bin/offsets-agent.cjs adds the same rows
// for another build of the agent (its own eBPF objects and addon), measured in
// turn with this one under the same load: a before/after in one run.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Toolchain } from '../test/support/toolchains.js';
import { buildFixture, REPO, type RunningApp } from '../test/agent/support.js';

const exec = promisify(execFile);

/** What runs beside the server: nothing, or an agent build with its spans to /dev/null or to a pipe. */
interface Condition {
  label: string;
  agent?: { bin: string; out: 'devnull' | 'pipe' };
}

function conditions(): Condition[] {
  const builds: [string, string][] = [['', join(REPO, 'bin/offsets-agent.cjs')]];
  const before = process.env.BENCH_AGENT_BEFORE;
  if (before) builds.unshift(['before: ', before]);
  const out: Condition[] = [{ label: 'no agent' }];
  for (const [name, bin] of builds) {
    out.push({ label: `${name}uprobes attached, spans to /dev/null`, agent: { bin, out: 'devnull' } });
    out.push({ label: `${name}uprobes attached, spans read through a pipe`, agent: { bin, out: 'pipe' } });
  }
  return out;
}

const WRK_SECONDS = 5;
const ROUNDS = 3;
/** The fixed rate, as a fraction of the lowest throughput measured (below every condition's saturation). */
const RATE_FRACTION = 0.5;
/** Left to the agent after the load, to deliver what its ring buffer still holds before the CPU is read. */
const SETTLE_MS = 300;

/** The unit of /proc/PID/stat's times (sysconf(_SC_CLK_TCK)). */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** utime + stime of a process (every thread), in seconds, from /proc/PID/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The agent attached to the server, its stdout to /dev/null or to a pipe whose lines this process counts. */
interface AgentSession {
  proc: ChildProcess;
  /** Lines read from the pipe (pipe only). */
  lines: () => number;
  /** Stops it (SIGTERM: it drains the ring and detaches) and returns its closing report. */
  stop: () => Promise<{ spans: number; dropped: number; report: string }>;
}

async function startAgent(bin: string, pid: number, table: string, out: 'devnull' | 'pipe'): Promise<AgentSession> {
  const devnull = out === 'devnull' ? openSync('/dev/null', 'w') : undefined;
  const proc = spawn(process.execPath, [bin, '--pid', String(pid), '--table', table], { stdio: ['ignore', devnull ?? 'pipe', 'pipe'] });
  if (devnull !== undefined) closeSync(devnull);
  let newlines = 0;
  // Counting newline bytes, chunk by chunk: the cheapest reader there is in this process.
  proc.stdout?.on('data', (chunk: Buffer) => {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) newlines++;
  });
  let err = '';
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stdoutDone = proc.stdout ? new Promise<void>((resolve) => proc.stdout!.once('end', () => resolve())) : Promise.resolve();
  await new Promise<void>((resolve, reject) => {
    proc.stderr!.on('data', (d) => {
      err += String(d);
      if (/attached \d+ uprobes/.test(err)) resolve();
    });
    void exited.then(() => reject(new Error(`offsets-agent exited before attaching:\n${err}`)));
  });
  return {
    proc,
    lines: () => newlines,
    stop: async () => {
      proc.kill('SIGTERM');
      await Promise.all([exited, stdoutDone]);
      const m = /detached: (\d+) spans; dropped (\d+) \(ring buffer full\), (\d+) \(in-flight map full\)/.exec(err);
      if (!m) throw new Error(`no closing report from offsets-agent:\n${err}`);
      return { spans: Number(m[1]), dropped: Number(m[2]) + Number(m[3]), report: m[0] };
    },
  };
}

async function wrk(port: number): Promise<{ rps: number; requests: number }> {
  const { stdout } = await exec('wrk', ['-t1', '-c16', `-d${WRK_SECONDS}s`, `http://127.0.0.1:${port}/hello`]);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  const requests = /(\d+) requests in/.exec(stdout);
  if (!rps || !requests) throw new Error(`unexpected wrk output:\n${stdout}`);
  return { rps: Number(rps[1]), requests: Number(requests[1]) };
}

interface LoadgenResult {
  sent: number;
  ok: number;
  errors: number;
  rate: number;
  p50Us: number;
  p99Us: number;
  lagP99Us: number;
}

async function loadgen(bin: string, port: number, rate: number): Promise<LoadgenResult> {
  const { stdout } = await exec(bin, ['-url', `http://127.0.0.1:${port}/hello`, '-rate', String(rate), '-duration', `${WRK_SECONDS}s`, '-conns', '32']);
  return JSON.parse(stdout) as LoadgenResult;
}

interface Measured {
  /** Requests the load generator completed. */
  requests: number;
  serverCpu: number;
  agentCpu?: number;
  /** Spans as the agent reported them, lines counted from the pipe, dropped. */
  spans?: number;
  lines?: number;
  dropped?: number;
  /** The agent's closing line. */
  report?: string;
}

/** Runs `load` under one condition: the server's and the agent's CPU around it, the agent's spans after it. */
async function underCondition<T extends { requests: number }>(app: RunningApp, table: string, condition: Condition, load: () => Promise<T>): Promise<T & Measured> {
  const agent = condition.agent && (await startAgent(condition.agent.bin, app.pid, table, condition.agent.out));
  try {
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const server0 = cpuSeconds(app.pid);
    const agent0 = agent ? cpuSeconds(agent.proc.pid!) : 0;
    const result = await load();
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const serverCpu = cpuSeconds(app.pid) - server0;
    if (!agent) return { ...result, serverCpu };
    const agentCpu = cpuSeconds(agent.proc.pid!) - agent0;
    const closing = await agent.stop();
    return { ...result, serverCpu, agentCpu, spans: closing.spans, lines: condition.agent!.out === 'pipe' ? agent.lines() : undefined, dropped: closing.dropped, report: closing.report };
  } catch (err) {
    agent?.proc.kill('SIGKILL');
    throw err;
  }
}

/** Whether every span is accounted for: none dropped, as many lines as the agent counted, at least one per request. */
function spanCheck(m: Measured): string | undefined {
  if (m.spans === undefined) return undefined;
  const problems: string[] = [];
  if (m.dropped) problems.push(`${m.dropped} dropped (${m.report})`);
  if (m.lines !== undefined && m.lines !== m.spans) problems.push(`${m.lines} lines read for ${m.spans} spans`);
  if (m.spans < m.requests) problems.push(`${m.spans} spans for ${m.requests} requests`);
  return problems.length ? `FAILED: ${problems.join(', ')}` : undefined;
}

const us = (seconds: number, per: number) => ((seconds / per) * 1e6).toFixed(1);

export async function overheadTable(tc: Toolchain, app: RunningApp, table: string): Promise<void> {
  const loadgenBin = await buildFixture('loadgen', tc, 'plain');
  const failures: string[] = [];
  const check = (condition: Condition, m: Measured) => {
    const problem = spanCheck(m);
    if (problem) failures.push(`${condition.label}: ${problem}`);
    return problem ?? (m.spans === undefined ? '' : `${m.spans}${m.lines !== undefined ? ' = lines read' : ''}, 0 dropped`);
  };

  // 1. Throughput: the conditions in turn, each round starting one further on, ROUNDS times; medians.
  const loadBefore = load();
  const all = conditions();
  const none = all[0];
  const runs = new Map<Condition, (Measured & { rps: number })[]>(all.map((c) => [c, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < all.length; i++) {
      const condition = all[(i + round) % all.length];
      runs.get(condition)!.push(await underCondition(app, table, condition, () => wrk(app.port)));
    }
  }
  const base = median(runs.get(none)!.map((r) => r.rps));
  console.log(`\noverhead: the same server, wrk -t1 -c16 -d${WRK_SECONDS}s http://127.0.0.1:PORT/hello, conditions in turn, ${ROUNDS} rounds (median; 2 shared cores; server CPU = the traced process's utime + stime, where the uprobes' traps and eBPF programs are charged); load average ${loadBefore} before, ${load()} after\n`);
  console.log('| condition | requests/s | vs no agent | server CPU per request | agent CPU per 1000 spans | spans (agent\'s count, checked) |');
  console.log('| --- | ---: | ---: | ---: | ---: | --- |');
  for (const condition of all) {
    const rs = runs.get(condition)!;
    const rps = median(rs.map((r) => r.rps));
    const server = median(rs.map((r) => r.serverCpu / r.requests));
    const agent = condition.agent ? `${median(rs.map((r) => (r.agentCpu! / r.spans!) * 1e6)).toFixed(1)} ms` : '';
    const spans = condition.agent ? rs.map((r) => check(condition, r)).join('; ') : '';
    console.log(`| ${condition.label} | ${rps.toFixed(0)} | ${(rps / base).toFixed(2)} | ${(server * 1e6).toFixed(1)} µs | ${agent} | ${spans} |`);
  }
  const perRound = (c: Condition) => runs.get(c)!.map((r) => `${r.rps.toFixed(0)}`).join(', ');
  console.log(`\nrequests/s per round: ${all.map((c) => `${c.label}: ${perRound(c)}`).join('; ')}`);

  // 2. Latency at a fixed rate below saturation, open loop.
  const slowest = all.reduce((a, b) => (median(runs.get(a)!.map((r) => r.rps)) <= median(runs.get(b)!.map((r) => r.rps)) ? a : b));
  const rate = Math.round((median(runs.get(slowest)!.map((r) => r.rps)) * RATE_FRACTION) / 100) * 100;
  const latencyLoad = load();
  const latencies = new Map<Condition, LoadgenResult & Measured>();
  for (const condition of all) {
    latencies.set(condition, await underCondition(app, table, condition, async () => {
      const r = await loadgen(loadgenBin, app.port, rate);
      return { ...r, requests: r.ok };
    }));
  }
  const ref = latencies.get(none)!;
  console.log(`\nlatency: ${rate} requests/s (${RATE_FRACTION} x the lowest throughput above, ${slowest.label}) for ${WRK_SECONDS} s over 32 connections, open loop (test/fixtures/loadgen: latency from when each request was due); load average ${latencyLoad} before, ${load()} after\n`);
  console.log('| condition | p50 | p99 | extra p50 | extra p99 | sender lag p99 | server CPU per request | agent CPU per 1000 spans | spans (checked) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const condition of all) {
    const l = latencies.get(condition)!;
    if (l.errors) failures.push(`${condition.label}: the load generator saw ${l.errors} errors`);
    const extra = (a: number, b: number) => (condition.agent ? `${a - b >= 0 ? '+' : ''}${(a - b).toFixed(0)} µs` : '');
    const agent = l.agentCpu === undefined ? '' : `${((l.agentCpu / l.spans!) * 1e6).toFixed(1)} ms`;
    console.log(
      `| ${condition.label} | ${l.p50Us.toFixed(0)} µs | ${l.p99Us.toFixed(0)} µs | ${extra(l.p50Us, ref.p50Us)} | ${extra(l.p99Us, ref.p99Us)} | ${l.lagP99Us.toFixed(0)} µs | ${us(l.serverCpu, l.requests)} µs | ${agent} | ${check(condition, l)} |`,
    );
  }
  if (failures.length) throw new Error(`spans not all accounted for:\n${failures.join('\n')}`);
}
