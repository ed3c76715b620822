// What the agent's end-to-end tests share: building the httpapp target per
// toolchain (cached under cacheRoot()), running it, running the agent CLI, and
// building an offsets table from the DWARF of a non-stripped build.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { cachePath } from '../../common/cache-dir.js';
import { privatePath } from '../../common/private-path.js';
import { GoBinary } from '../../gobin/binary.js';
import { buildTable, serializeTable } from '../../offsets/index.js';
import type { Observation } from '../../offsets/observation.js';
import { allFields, requiredFields } from '../../agent/fields.js';
import { goBuildOnce, type Toolchain } from '../support/toolchains.js';

const run = promisify(execFile);
export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = join(REPO, 'test/fixtures');

/** The agent needs root (CAP_BPF, CAP_PERFMON) and built eBPF objects and addon: a test fails, naming what is missing. */
export function requireAgentPrerequisites(): void {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root (CAP_BPF and CAP_PERFMON to load eBPF and attach uprobes)');
  if (!existsSync('/sys/kernel/btf/vmlinux')) missing.push('a kernel with BTF (/sys/kernel/btf/vmlinux)');
  if (!existsSync(join(REPO, 'bpf/nethttp.amd64.o'))) missing.push('bpf/nethttp.amd64.o (make -C bpf)');
  if (!existsSync(join(REPO, 'agent/native/build/Release/loader.node'))) missing.push('the loader addon (node-gyp rebuild in agent/native)');
  const cli = join(REPO, 'dist/agent/cli.js');
  if (!existsSync(cli)) missing.push('dist/agent/cli.js (npm run build)');
  else {
    const built = statSync(cli).mtimeMs;
    const stale = ['agent', 'offsets', 'gobin'].some((dir) => newestTs(join(REPO, dir)) > built);
    if (stale) missing.push('a fresh build: dist/ is older than the TypeScript sources (npm run build)');
  }
  if (missing.length) throw new Error(`agent tests cannot run; missing: ${missing.join('; ')}`);
}

function newestTs(dir: string): number {
  let newest = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'native' && e.name !== 'node_modules') walk(p);
      } else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(dir);
  return newest;
}

export type AppVariant = 'plain' | 'stripped' | 'pie';

export { hasRegisterAbi } from '../support/toolchains.js';

/** Builds test/fixtures/httpapp with the toolchain; cached by toolchain version, source hash and variant. */
export function buildApp(tc: Toolchain, variant: AppVariant): Promise<string> {
  return buildFixture('httpapp', tc, variant);
}

/**
 * Builds the Go program test/fixtures/NAME with the toolchain, once: cached
 * under $GO_OFFSETS_CACHE/agent/NAME by toolchain version, source hash and variant.
 */
export async function buildFixture(name: string, tc: Toolchain, variant: AppVariant): Promise<string> {
  const src = join(FIXTURES, name);
  const hash = createHash('sha256');
  for (const f of (await readdir(src)).sort()) hash.update(f).update(await readFile(join(src, f)));
  const dir = cachePath('agent', name, tc.version, `${variant}-${hash.digest('hex').slice(0, 16)}`);
  const flags = variant === 'plain' ? [] : ['-ldflags', '-s -w'];
  if (variant === 'pie') flags.push('-buildmode=pie');
  return goBuildOnce(tc, join(dir, name), { cwd: src, args: flags, env: { CGO_ENABLED: '0' }, what: `the ${variant} ${name}` });
}

/**
 * An offsets table for the agent's fields, built (through the table API) from
 * the DWARF of the non-stripped build with the same toolchain. `omit` leaves
 * fields out, to test refusals. The FEATURES' fields are in it when the DWARF has them
 * (the route from Go 1.22, runtime.hmap to 1.23, internal/runtime/maps from 1.24).
 */
export async function tableFromDwarf(tc: Toolchain, file: string, omit: string[] = [], asVersion = tc.version, wrong: string[] = []): Promise<string> {
  const plain = await GoBinary.open(await buildApp(tc, 'plain'));
  const dwarf = await plain.dwarf();
  if (!dwarf) throw new Error(`${tc.version}: the plain build has no DWARF`);
  const observation = (field: string, offset: number): Observation => ({
    module: 'std',
    version: asVersion,
    source: 'dir',
    arch: 'amd64',
    field,
    result: { status: 'ok', offset },
  });
  const required: string[] = Object.values(requiredFields(['httpServer', 'httpClient']));
  const observations: Observation[] = required
    .filter((field) => !omit.includes(field))
    .map((field) => {
      const offset = dwarf.field(field).offset;
      if (offset === null) throw new Error(`${tc.version}: ${field} not in DWARF`);
      // `wrong`: a table that disagrees with the binary, by one word.
      return observation(field, wrong.includes(field) ? offset + 8 : offset);
    });
  for (const field of allFields().filter((f) => !required.includes(f))) {
    const offset = dwarf.field(field).offset;
    if (offset !== null && !omit.includes(field)) observations.push(observation(field, offset));
  }
  await writeFile(file, serializeTable(buildTable(observations)));
  return file;
}

export interface RunningApp {
  proc: ChildProcessWithoutNullStreams;
  pid: number;
  port: number;
  /** Lines "client METHOD URL STATUS DURATION_NS" printed by the client loop. */
  clientLines: string[];
  /** Asks the client loop for one request. */
  request(method: string, url: string): void;
  stop(): Promise<void>;
}

export async function startApp(path: string): Promise<RunningApp> {
  const proc = spawn(path, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  const clientLines: string[] = [];
  const lines = createInterface({ input: proc.stdout });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`${path} exited (${code}) before listening`)));
    lines.on('line', (line) => {
      const m = /^listening 127\.0\.0\.1:(\d+)$/.exec(line);
      if (m) resolve(Number(m[1]));
      else if (line.startsWith('client ')) clientLines.push(line);
    });
  });
  return {
    proc,
    pid: proc.pid!,
    port,
    clientLines,
    request: (method, url) => proc.stdin.write(`${method} ${url}\n`),
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

export interface AgentSpan {
  kind: 'server' | 'client';
  /** gRPC spans only. */
  rpc?: 'grpc';
  method: string;
  host?: string;
  /** gRPC client spans only. */
  target?: string;
  path: string;
  route?: string;
  status: number;
  startNs: number;
  endNs: number;
  goid: number;
  pid: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

export interface RunningAgent {
  proc: ChildProcessWithoutNullStreams;
  spans: AgentSpan[];
  stderr: () => string;
  /** Resolves when the agent reports it is attached; rejects if it exits first. */
  attached: Promise<void>;
  exit: Promise<number | null>;
}

/**
 * Runs the agent CLI. Its environment is this process's without any OTEL_*
 * variable (so that the caller's own never changes a test), plus `env`.
 */
export function startAgent(args: string[], env: Record<string, string> = {}): RunningAgent {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')));
  const proc = spawn(process.execPath, [join(REPO, 'bin/offsets-agent.cjs'), ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...base, ...env } });
  const spans: AgentSpan[] = [];
  let err = '';
  createInterface({ input: proc.stdout }).on('line', (line) => spans.push(JSON.parse(line) as AgentSpan));
  const exit = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const attached = new Promise<void>((resolve, reject) => {
    proc.stderr.on('data', (d) => {
      err += String(d);
      if (/attached \d+ uprobes/.test(err)) resolve();
    });
    void exit.then((code) => reject(new Error(`offsets-agent exited (${code}) before attaching:\n${err}`)));
  });
  attached.catch(() => {});
  return { proc, spans, stderr: () => err, attached, exit };
}

/** Waits until `check` holds, polling; throws with `what` after `ms`. */
export async function waitFor(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Ids of the perf-event (uprobe) links the kernel lists (bpftool): the independent view of what is attached. */
export async function listUprobeLinks(): Promise<number[]> {
  const { stdout } = await run('bpftool', ['-j', 'link', 'list']);
  return (JSON.parse(stdout) as { id: number; type: string }[]).filter((l) => l.type === 'perf_event').map((l) => l.id);
}

/**
 * Ids of the BPF links process `pid` holds, from the kernel's description of its
 * descriptors (/proc/PID/fdinfo: a link's has `link_id:`). Other test files' agents
 * attach at the same time; this names only this agent's links.
 */
export async function linksHeldBy(pid: number): Promise<number[]> {
  const dir = `/proc/${pid}/fdinfo`;
  const ids: number[] = [];
  for (const fd of await readdir(dir)) {
    const info = await readFile(join(dir, fd), 'utf8').catch(() => '');
    const m = /^link_id:\s*(\d+)$/m.exec(info);
    if (m) ids.push(Number(m[1]));
  }
  return ids.sort((a, b) => a - b);
}

/**
 * This process's scratch directory for agent tests (tables, copies of targets).
 * Vitest ends its workers without an 'exit' event, so it is a private path
 * (common/private-path): the next process to make one removes those of
 * processes that no longer run.
 */
let scratch: Promise<string> | undefined;
function scratchDir(): Promise<string> {
  scratch ??= (async () => {
    const dir = privatePath(cachePath('agent', 'tmp', 'scratch'));
    await mkdir(dir, { recursive: true });
    return dir;
  })();
  return scratch;
}

/**
 * A copy of `exe` that only the calling test runs, removed by `done()`. Uprobes attach
 * to an executable's inode: an agent given `--exe` traces every process of that inode,
 * so a target another test file starts from the shared cached build would show up in
 * its spans. A copy has an inode of its own.
 */
export async function privateCopy(exe: string): Promise<{ path: string; done: () => Promise<void> }> {
  const dir = await mkdtemp(join(await scratchDir(), 'exe-'));
  const path = join(dir, basename(exe));
  await copyFile(exe, path);
  await chmod(path, 0o755);
  return { path, done: () => rm(dir, { recursive: true, force: true }) };
}

/** A path for a scratch file of this test process (not created). */
export async function tempFile(name: string): Promise<string> {
  return join(await scratchDir(), `${Date.now()}-${Math.random().toString(16).slice(2, 8)}-${name}`);
}
