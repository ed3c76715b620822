// Agent benchmarks (`npm run bench agent`):
//  1. start to attached, on a stripped target, by pid: cold (target not yet
//     inspected) and warm (cached inspection), with the agent's peak RSS;
//     reference: a bare `node -e ''` started the same way in the same run.
//  2. the overhead, accounted, against the same running server
//     (bench/agent-overhead.ts): throughput with no agent, with the spans to
//     /dev/null and through a pipe; the server's CPU per request, the agent's
//     CPU per span; latency at a fixed rate below saturation.
// BENCH_AGENT_GO=go1.26 picks the target's Go line (the newest by default);
// BENCH_AGENT_ONLY=start or =overhead runs one of the two.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matrixToolchains } from '../test/support/toolchains.js';
import { overheadTable } from './agent-overhead.js';
import { buildApp, hasRegisterAbi, REPO, requireAgentPrerequisites, startApp, tableFromDwarf, tempFile } from '../test/agent/support.js';

const AGENT = join(REPO, 'bin/offsets-agent.cjs');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Spawns node with args; resolves when stderr matches `ready`, with the elapsed ms and the process's peak RSS. */
async function timeToReady(args: string[], ready: RegExp | null, env: NodeJS.ProcessEnv = process.env): Promise<{ ms: number; peakRssKiB: number }> {
  const t0 = process.hrtime.bigint();
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  const exited = new Promise((r) => proc.once('exit', r));
  let err = '';
  let ms = 0;
  let peakRssKiB = 0;
  if (ready) {
    await new Promise<void>((resolve, reject) => {
      proc.stderr.on('data', (d) => {
        err += String(d);
        if (ready.test(err)) resolve();
      });
      void exited.then(() => reject(new Error(`exited before ready:\n${err}`)));
    });
    ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const status = await readFile(`/proc/${proc.pid}/status`, 'utf8');
    peakRssKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    proc.kill('SIGTERM');
    await exited;
  } else {
    await exited;
    ms = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  return { ms, peakRssKiB };
}

export async function run(): Promise<void> {
  requireAgentPrerequisites();
  const toolchains = (await matrixToolchains()).filter(hasRegisterAbi);
  // BENCH_AGENT_GO=go1.26 picks the target's Go line; the newest by default.
  const line = process.env.BENCH_AGENT_GO;
  const only = process.env.BENCH_AGENT_ONLY;
  if (only !== undefined && only !== 'start' && only !== 'overhead') throw new Error(`BENCH_AGENT_ONLY=${only}: expected start or overhead`);
  const tc = line ? toolchains.find((t) => t.version.startsWith(`${line}.`)) : toolchains[toolchains.length - 1];
  if (!tc) throw new Error(`BENCH_AGENT_GO=${line}: no register-ABI toolchain of that line in the matrix (${toolchains.map((t) => t.version).join(', ')})`);
  const table = await tableFromDwarf(tc, await tempFile('bench-table.json'));
  const app = await startApp(await buildApp(tc, 'stripped'));
  const agentArgs = [AGENT, '--pid', String(app.pid), '--table', table];
  const attached = /attached \d+ uprobes/;
  try {
    if (only !== 'overhead') await startToAttached(agentArgs, attached, tc.version);
    // 2. The overhead, accounted (bench/agent-overhead.ts).
    if (only !== 'start') await overheadTable(tc, app, table);
  } finally {
    await app.stop();
  }
}

/** 1. Start to attached: cold, cold with --no-types, warm; against a bare node start. */
async function startToAttached(agentArgs: string[], attached: RegExp, goVersion: string): Promise<void> {
  const runs = 11;
  const reference: number[] = [];
  const cold: { ms: number; peakRssKiB: number }[] = [];
  const coldTable: { ms: number; peakRssKiB: number }[] = [];
  const warm: { ms: number; peakRssKiB: number }[] = [];
  for (let i = 0; i < runs; i++) {
    reference.push((await timeToReady(['-e', ''], null)).ms);
    const cache = await mkdtemp(join(tmpdir(), 'agent-bench-cache-'));
    cold.push(await timeToReady(agentArgs, attached, { ...process.env, GO_OFFSETS_CACHE: cache }));
    await rm(cache, { recursive: true, force: true });
    const tableOnly = await mkdtemp(join(tmpdir(), 'agent-bench-cache-'));
    coldTable.push(await timeToReady([...agentArgs, '--no-types'], attached, { ...process.env, GO_OFFSETS_CACHE: tableOnly }));
    await rm(tableOnly, { recursive: true, force: true });
    warm.push(await timeToReady(agentArgs, attached));
  }
  const ref = median(reference);
  const row = (name: string, xs: { ms: number; peakRssKiB: number }[]) => {
    const times = xs.map((x) => x.ms);
    const ms = median(times);
    const rss = Math.max(...xs.map((x) => x.peakRssKiB)) / 1024;
    const range = `${Math.min(...times).toFixed(0)}-${Math.max(...times).toFixed(0)} ms`;
    console.log(`| ${name} | ${ms.toFixed(0)} ms | ${range} | ${(ms / ref).toFixed(2)}x | ${rss.toFixed(0)} MiB |`);
  };
  console.log(`target: httpapp built by ${goVersion} with -ldflags "-s -w" (no DWARF: offsets from its type descriptors, with the table compared; --no-types: the table only); median of ${runs} runs\n`);
  console.log('| start to attached | median | min-max | vs bare node | peak RSS (max) |');
  console.log('| --- | --- | --- | --- | --- |');
  const refRange = `${Math.min(...reference).toFixed(0)}-${Math.max(...reference).toFixed(0)} ms`;
  console.log(`| reference: node -e '' (to exit) | ${ref.toFixed(0)} ms | ${refRange} | 1.00x | |`);
  row('agent, cold (target not inspected yet)', cold);
  row('agent, cold, --no-types (offsets from the table only)', coldTable);
  row('agent, warm (inspection cached by dev/inode/mtime)', warm);
}
