// The Go toolchain matrix of the test suite: one toolchain per Go minor line that
// the Debian archive offers in any of its suites (the newest package of that line),
// assembled from the golang-1.N-go/-src .debs by debian/ and cached under cacheRoot().
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { buildOnce } from '../../common/build-once.js';
import { firstBuildAlone } from '../../common/go-first-build.js';
import { createHash } from 'node:crypto';
import { writeFileAtomic } from '../../common/atomic-write.js';
import { cachePath, goBuildCache } from '../../common/cache-dir.js';
import { goRuntimeEnv } from '../../common/go-runtime-env.js';
import { debianMirrorSource } from '../../debian/mirror.js';
import { DEFAULT_SUITES, ensureDebianMatrix } from '../../debian/go-toolchains.js';

const run = promisify(execFile);

export interface Toolchain {
  /** Exact version from GOROOT/VERSION, e.g. `go1.21.13`. */
  version: string;
  /** Minor line, e.g. `1.21`. */
  minor: string;
  /** Debian suite it came from. */
  suite: string;
  goroot: string;
  /** Path of bin/go. */
  go: string;
  /** Debian package version it was assembled from, e.g. `1.21.13-1~bpo12+1`. */
  debVersion?: string;
}

/**
 * Set by the global setup to the manifest it wrote, so test workers read the
 * matrix from disk instead of each asking the archive again.
 */
export const MATRIX_ENV = 'GO_OFFSETS_MATRIX_FILE';
/** Optional mirror override (else the apt configuration is read). */
export const MIRROR_ENV = 'GO_OFFSETS_DEBIAN_MIRROR';
/** Optional space-separated suite list (default: debian/ DEFAULT_SUITES). */
export const SUITES_ENV = 'GO_OFFSETS_DEBIAN_SUITES';

/** Go 1.N with the register ABI on amd64 (Go 1.17 on): the toolchains the agent attaches to. */
export function hasRegisterAbi(tc: Toolchain): boolean {
  return Number(tc.minor.split('.')[1]) >= 17;
}

let memo: Promise<Toolchain[]> | undefined;

/** Fetches (first time) and returns the matrix, writing its manifest; used by the global setup. */
export async function buildMatrix(): Promise<{ toolchains: Toolchain[]; manifest: string }> {
  const { uri: mirror, keyring } = await debianMirrorSource({ override: process.env[MIRROR_ENV] });
  const suites = process.env[SUITES_ENV]?.split(/\s+/).filter(Boolean) ?? DEFAULT_SUITES;
  const found = await ensureDebianMatrix({ mirror, suites, keyring });
  if (found.length === 0) throw new Error(`the Debian archive offers no golang-1.N-go package in suites ${suites.join(', ')}`);
  const toolchains: Toolchain[] = found.map(({ version, minor, suite, goroot, go, debVersion }) => ({ version, minor, suite, goroot, go, debVersion }));
  const key = createHash('sha256').update(JSON.stringify([mirror, suites])).digest('hex').slice(0, 16);
  const manifest = cachePath('matrix', `${key}.json`);
  await writeFileAtomic(manifest, JSON.stringify(toolchains, null, 2));
  return { toolchains, manifest };
}

/** Every toolchain of the test matrix, fetched and cached on first use, oldest line first. */
export function matrixToolchains(): Promise<Toolchain[]> {
  memo ??= (async () => {
    const manifest = process.env[MATRIX_ENV];
    if (manifest) {
      const text = await readFile(manifest, 'utf8').catch(() => undefined);
      if (text) return JSON.parse(text) as Toolchain[];
    }
    return (await buildMatrix()).toolchains;
  })();
  return memo;
}

/**
 * Environment for running a toolchain's `go` without touching the network or the
 * user's caches: no toolchain switching, no module proxy or checksum DB, and the
 * project's one build cache (goBuildCache), shared with the tracker.
 * Not tracker/build.ts goEnv, on purpose: the fixture variants need cgo and the caller's C toolchain
 * (`external`), so process.env passes through and CGO_ENABLED is the variant's; the tracker's is
 * hermetic (allow-listed variables, CGO_ENABLED=0) with its own cache tree and a GOPROXY per job.
 */
export function goEnv(tc: Toolchain, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GOROOT: tc.goroot,
    GOTOOLCHAIN: 'local',
    GOFLAGS: '-mod=mod',
    GOPROXY: 'off',
    GOSUMDB: 'off',
    GOTELEMETRY: 'off',
    GO111MODULE: 'on',
    GOCACHE: goBuildCache(),
    ...goRuntimeEnv(),
    GOPATH: cachePath('gopath'),
    GOMODCACHE: cachePath('gopath', 'pkg', 'mod'),
    ...extra,
  };
}

export interface GoBuildSpec {
  /** Directory of the main package (or a file path given in `args`). */
  cwd: string;
  /** Arguments between `go build` and `-o` (flags; `.` is added when `packages` is absent). */
  args?: string[];
  /** What to build (default `.`). */
  packages?: string[];
  /** Extra environment over goEnv(tc). */
  env?: Record<string, string>;
  /** What the error says was being built. */
  what: string;
}

/**
 * `go build` of a test fixture or oracle, once per machine (common/build-once):
 * cached at `out`, built into a temp path beside it, and a concurrent test file
 * asking for the same binary waits for this build instead of repeating it.
 */
export function goBuildOnce(tc: Toolchain, out: string, spec: GoBuildSpec): Promise<string> {
  return buildOnce(out, async (tmp) => {
    try {
      // -trimpath, as the tracker's probes: std is then compiled once per toolchain and arch for both.
      const args = ['build', '-trimpath', ...(spec.args ?? []), '-o', tmp, ...(spec.packages ?? ['.'])];
      const env = goEnv(tc, spec.env);
      await firstBuildAlone(tc.goroot, args, env, () => run(tc.go, args, { cwd: spec.cwd, env, maxBuffer: 16 << 20 }));
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`${tc.version} could not build ${spec.what}: ${(e.stderr || e.message).trim()}`, { cause: err });
    }
  });
}
