// Agent benchmarks (`npm run bench agent`):
//  1. start to attached, on a stripped target, by pid: cold (target not yet
//     inspected) and warm (cached inspection), with the agent's peak RSS;
//     reference: a bare `node -e ''` started the same way in the same run.
//  2. the target server's throughput (wrk on 127.0.0.1) with and without the
//     agent attached, as a ratio.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { matrixToolchains } from '../test/support/toolchains.js';
import { buildApp, hasRegisterAbi, REPO, requireAgentPrerequisites, startApp, tableFromDwarf, tempFile } from '../test/agent/support.js';

const exec = promisify(execFile);
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

async function wrk(port: number, seconds: number): Promise<number> {
  const { stdout } = await exec('wrk', ['-t1', '-c16', `-d${seconds}s`, `http://127.0.0.1:${port}/hello`]);
  const m = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  if (!m) throw new Error(`unexpected wrk output:\n${stdout}`);
  return Number(m[1]);
}

export async function run(): Promise<void> {
  requireAgentPrerequisites();
  const toolchains = (await matrixToolchains()).filter(hasRegisterAbi);
  const tc = toolchains[toolchains.length - 1];
  const table = await tableFromDwarf(tc, await tempFile('bench-table.json'));
  const app = await startApp(await buildApp(tc, 'stripped'));
  const agentArgs = [AGENT, '--pid', String(app.pid), '--table', table];
  const attached = /attached \d+ uprobes/;
  try {
    // 1. Start to attached.
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
    console.log(`target: httpapp built by ${tc.version} with -ldflags "-s -w" (no DWARF: offsets from its type descriptors, with the table compared; --no-types: the table only); median of ${runs} runs\n`);
    console.log('| start to attached | median | min-max | vs bare node | peak RSS (max) |');
    console.log('| --- | --- | --- | --- | --- |');
    const refRange = `${Math.min(...reference).toFixed(0)}-${Math.max(...reference).toFixed(0)} ms`;
    console.log(`| reference: node -e '' (to exit) | ${ref.toFixed(0)} ms | ${refRange} | 1.00x | |`);
    row('agent, cold (target not inspected yet)', cold);
    row('agent, cold, --no-types (offsets from the table only)', coldTable);
    row('agent, warm (inspection cached by dev/inode/mtime)', warm);

    // 2. Throughput with and without the agent: without, with, without again.
    const seconds = 5;
    const before = await wrk(app.port, seconds);
    const agent = spawn(process.execPath, agentArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let spans = 0;
    createInterface({ input: agent.stdout }).on('line', () => spans++);
    let err = '';
    await new Promise<void>((resolve) => agent.stderr.on('data', (d) => ((err += String(d)), attached.test(err) && resolve())));
    const withAgent = await wrk(app.port, seconds);
    const exited = new Promise((r) => agent.once('exit', r));
    agent.kill('SIGTERM');
    await exited;
    const after = await wrk(app.port, seconds);
    const without = (before + after) / 2;
    console.log(`\nthroughput: wrk -t1 -c16 -d${seconds}s http://127.0.0.1:PORT/hello (2 shared cores)\n`);
    console.log('| server | requests/s | ratio |');
    console.log('| --- | --- | --- |');
    console.log(`| without agent (mean of before and after) | ${without.toFixed(0)} | 1.00 |`);
    console.log(`| with agent attached, spans to a pipe | ${withAgent.toFixed(0)} | ${(withAgent / without).toFixed(2)} |`);
    console.log(`\nspans printed while attached: ${spans}; agent's report: ${/detached: .*/.exec(err)?.[0] ?? '(none)'}`);
  } finally {
    await app.stop();
  }
}
