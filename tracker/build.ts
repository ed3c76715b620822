/**
 * Builds a probe with one Go toolchain for one arch: CGO off, local toolchain
 * only, a GOCACHE/GOMODCACHE per toolchain under cacheRoot(), the toolexec
 * wrapper of tracker/probe, and a timeout that kills the whole build.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cachePath, goBuildCache } from '../common/cache-dir.js';
import { goRuntimeEnv } from '../common/go-runtime-env.js';
import { firstBuildAlone } from '../common/go-first-build.js';
import type { ListedFiles } from './probe/lazy.js';
import { GoOffsetsError } from '../common/errors.js';
import type { Arch } from '../offsets/observation.js';
import { ensureToolexecDir, writeFiles, type ProbeFiles } from './probe/generate.js';

export class ProbeBuildError extends GoOffsetsError {
  constructor(code: 'ERR_PROBE_BUILD' | 'ERR_PROBE_TIMEOUT' | 'ERR_NO_TOOLCHAIN', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export interface Toolchain {
  /** `go1.21.13` */
  version: string;
  goroot: string;
}

export const DEFAULT_BUILD_TIMEOUT_MS = 15 * 60_000;

/**
 * Cache directories of the tracker's go commands. One GOCACHE for every
 * toolchain (see goBuildCache); the module cache and GOPATH are shared too: the
 * go command locks both and keys them by module version, not by toolchain.
 */
export function trackerCacheDirs(): { gocache: string; gomodcache: string; gopath: string } {
  return { gocache: goBuildCache(), gomodcache: cachePath('tracker', 'gomodcache'), gopath: cachePath('tracker', 'gopath') };
}

/**
 * The environment of every go command the tracker runs: nothing from the user's go env, no network unless a GOPROXY is given.
 * test/support/toolchains.ts has its own goEnv on purpose, not this one: the test matrix builds fixture
 * binaries in variants that need cgo and the caller's C toolchain (`external`: CGO_ENABLED=1, CC, linker
 * flags from the environment), so it passes process.env through, never takes a GOPROXY, and keeps its
 * build cache is the same (goBuildCache). This one is hermetic (allow-listed
 * variables, CGO_ENABLED=0, GOENV/GOWORK off), with module caches under cacheRoot()/tracker/,
 * and a GOPROXY per job. Both pin GOTOOLCHAIN=local, GOSUMDB=off, GOFLAGS=-mod=mod.
 */
export function goEnv(tc: Toolchain, arch: Arch, goproxy?: string): NodeJS.ProcessEnv {
  const dirs = trackerCacheDirs();
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SSL_CERT_FILE', 'SSL_CERT_DIR']) if (process.env[k] !== undefined) env[k] = process.env[k];
  return {
    ...env,
    PATH: `${join(tc.goroot, 'bin')}:${env.PATH ?? '/usr/bin:/bin'}`,
    GOROOT: tc.goroot,
    GOOS: 'linux',
    GOARCH: arch,
    CGO_ENABLED: '0',
    GOTOOLCHAIN: 'local',
    GOFLAGS: '-mod=mod',
    GO111MODULE: 'on',
    GOENV: 'off',
    GOWORK: 'off',
    GOTELEMETRY: 'off',
    GOCACHE: dirs.gocache,
    ...goRuntimeEnv(),
    GOMODCACHE: dirs.gomodcache,
    GOPATH: dirs.gopath,
    GOPROXY: goproxy ?? 'off',
    GOSUMDB: 'off',
    GONOSUMDB: '*',
    GOPRIVATE: '',
  };
}

export interface GoCommandResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs `go ARGS` in `cwd`; on timeout or abort kills its whole process group.
 * A `go build` that is the first of its configuration on the machine runs alone (common/go-first-build.ts).
 */
export function runGo(tc: Toolchain, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; signal?: AbortSignal }): Promise<GoCommandResult> {
  if (args[0] === 'build') return firstBuildAlone(tc.goroot, args, opts.env, () => spawnGo(tc, args, opts));
  return spawnGo(tc, args, opts);
}

function spawnGo(tc: Toolchain, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; signal?: AbortSignal }): Promise<GoCommandResult> {
  const goBin = join(tc.goroot, 'bin', 'go');
  if (!existsSync(goBin)) {
    return Promise.reject(new ProbeBuildError('ERR_NO_TOOLCHAIN', `${tc.goroot}: no bin/go in this GOROOT`));
  }
  // A build that waited for the first of its configuration may have been aborted meanwhile.
  if (opts.signal?.aborted) return Promise.reject(new ProbeBuildError('ERR_PROBE_BUILD', `go ${args.join(' ')} (${tc.version}, ${tc.goroot}): aborted`));
  return new Promise((resolve, reject) => {
    const child = spawn(goBin, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, opts.timeoutMs);
    const onAbort = () => kill();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new ProbeBuildError('ERR_PROBE_BUILD', `cannot run ${goBin}: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(err).toString();
      const what = `go ${args.join(' ')} (${tc.version}, ${tc.goroot})`;
      if (timedOut) return reject(new ProbeBuildError('ERR_PROBE_TIMEOUT', `${what}: timed out after ${Math.round(opts.timeoutMs / 1000)} s`));
      if (opts.signal?.aborted) return reject(new ProbeBuildError('ERR_PROBE_BUILD', `${what}: aborted`));
      if (code !== 0) {
        return reject(new ProbeBuildError('ERR_PROBE_BUILD', `${what}: exit ${code ?? signal}: ${tail(stderr || stdout)}`));
      }
      resolve({ stdout, stderr });
    });
  });
}

function tail(text: string, lines = 12): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

export interface BuildRequest {
  toolchain: Toolchain;
  arch: Arch;
  probe: ProbeFiles;
  /** Scratch directory of this job (created; the probe's main module goes there). */
  workDir: string;
  goproxy?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Builds the probe; returns the path of the binary (inside workDir). */
export async function buildProbe(req: BuildRequest): Promise<string> {
  const timeoutMs = req.timeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS;
  const toolexecDir = await ensureToolexecDir(cachePath('tracker', 'toolexec'), req.probe);
  await rm(req.workDir, { recursive: true, force: true });
  await mkdir(req.workDir, { recursive: true });
  await writeFiles(req.workDir, req.probe.main);
  const out = join(req.workDir, 'probe');
  const env = goEnv(req.toolchain, req.arch, req.goproxy);
  // Debug info must stay: no -s/-w. -trimpath keeps the scratch path out of the binary.
  await runGo(req.toolchain, ['build', '-trimpath', '-toolexec', join(toolexecDir, 'toolexec.sh'), ...req.probe.gcflags, '-o', out, '.'], {
    cwd: req.workDir,
    env,
    timeoutMs,
    signal: req.signal,
  });
  return out;
}

/** Downloads a module version into the toolchain's module cache; returns its directory. */
export async function downloadModule(req: { toolchain: Toolchain; module: string; version: string; goproxy?: string; workDir: string; timeoutMs?: number; signal?: AbortSignal }): Promise<string> {
  await mkdir(req.workDir, { recursive: true });
  const { stdout } = await runGo(req.toolchain, ['mod', 'download', '-json', `${req.module}@${req.version}`], {
    cwd: req.workDir,
    env: goEnv(req.toolchain, 'amd64', req.goproxy),
    timeoutMs: req.timeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS,
    signal: req.signal,
  });
  const info = JSON.parse(stdout) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new ProbeBuildError('ERR_PROBE_BUILD', `go mod download ${req.module}@${req.version}: ${info.Error ?? 'no directory reported'}`);
  return info.Dir;
}

/**
 * `go list` of `pkgs` from `cwd` (a probe's directory): each package's directory
 * and the Go files the go command compiles there for this env's target.
 */
export async function listGoFiles(tc: Toolchain, pkgs: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number; signal?: AbortSignal }): Promise<Map<string, ListedFiles>> {
  const format = '{{.ImportPath}}\t{{.Dir}}\t{{join .GoFiles "\t"}}\t{{join .CgoFiles "\t"}}';
  const { stdout } = await runGo(tc, ['list', '-e', '-f', format, ...pkgs], { ...opts, timeoutMs: opts.timeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS });
  const out = new Map<string, ListedFiles>();
  for (const line of stdout.split('\n').filter(Boolean)) {
    const [importPath, dir, ...files] = line.split('\t');
    if (dir) out.set(importPath, { dir, goFiles: files.filter(Boolean) });
  }
  return out;
}
