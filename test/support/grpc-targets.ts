// The gRPC test targets of the agent tests: test/fixtures/grpcapp built from
// the Debian archive's grpc with the Go toolchain of the same suite (bookworm:
// Go 1.19, grpc 1.33; trixie: Go 1.24, grpc 1.64; sid: the newest of both), in
// the two ways a Go program reaches a machine:
//
//   gopath  GO111MODULE=off, as distributions build: the GOPATH is the list of
//           the Debian packages' trees that the import graph needs
//           (tracker/debian-modules/resolve.ts); the buildinfo names no module.
//           Stripped. Not PIE: the Debian module builds have compiled these
//           packages in GOPATH mode already, so only grpcapp compiles here.
//   module  the same trees served as a module proxy on the file system
//           (debian-module-proxy.ts): the buildinfo names grpc at Debian's
//           version. Stripped and PIE (it compiles every package anyway).
//
// Each has an unstripped twin (same flags but -s -w): its DWARF is the oracle
// of the offsets. All builds -trimpath, CGO_ENABLED=0, amd64. A suite's four
// binaries are built once per machine (common/build-once: under a lock,
// renamed into place whole), cached under cacheRoot()/grpc-targets/ by suite,
// toolchain, grpc package (its .deb's sha256) and fixture source hash.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildOnce } from '../../common/build-once.js';
import { cachePath } from '../../common/cache-dir.js';
import { readJsonCache, writeJsonCache, type JsonCacheKind } from '../../common/json-cache.js';
import { debianMirrorSource } from '../../debian/mirror.js';
import { newIndexCache, type IndexCache, type PackageStanza } from '../../debian/packages.js';
import { DEFAULT_BUILD_TIMEOUT_MS, goEnv as trackerGoEnv, runGo } from '../../tracker/build.js';
import type { SuitePackages } from '../../tracker/debian-modules/depends.js';
import { packageFor, suitePackages, type IndexReadOptions } from '../../tracker/debian-modules/discover.js';
import { gopathEnv } from '../../tracker/debian-modules/gobuild.js';
import { newFetchStats } from '../../tracker/debian-modules/gopath.js';
import { resolveImportGraph } from '../../tracker/debian-modules/resolve.js';
import { suiteToolchain } from '../../tracker/debian-modules/toolchain.js';
import { goVersionFromDebian } from '../../tracker/debian-modules/version.js';
import { modulesOf, writeModuleProxy } from './debian-module-proxy.js';
import { MIRROR_ENV, type Toolchain } from './toolchains.js';

export const GRPC_SUITES = ['bookworm', 'trixie', 'sid'];
export const GRPC_MODULE = 'google.golang.org/grpc';
export const GRPCAPP_DIR = fileURLToPath(new URL('../fixtures/grpcapp', import.meta.url));

export interface GrpcTarget {
  suite: string;
  /** The suite's Go: `go1.19.8`. */
  goVersion: string;
  /** grpc's module version from its Debian version: `v1.33.3`. */
  grpcVersion: string;
  /** The Debian package version it was built from: `1.33.3-2`. */
  grpcDebVersion: string;
  toolchain: Toolchain;
  /** Module mode: `strippedPie` (-s -w, PIE) and its `twin` (PIE, with DWARF). */
  module: { strippedPie: string; twin: string };
  /** GOPATH mode: `stripped` (-s -w) and its `twin` (with DWARF). */
  gopath: { stripped: string; twin: string };
  /** Module path -> version the module build required (grpc and every module it links, at Debian's versions). */
  modules: Record<string, string>;
  /** Debian packages whose trees both builds used: `name=version`. */
  packages: string[];
}

/** Set by the global setup to the file listing the targets it prepared, so test workers read it instead of asking the archive again. */
export const GRPC_TARGETS_ENV = 'GO_OFFSETS_GRPC_TARGETS_FILE';

/** A suite's build record, in its cache directory beside the binaries. */
type SuiteRecord = Pick<GrpcTarget, 'suite' | 'goVersion' | 'grpcVersion' | 'grpcDebVersion' | 'modules' | 'packages'>;

const isStringRecord = (x: unknown) => typeof x === 'object' && x !== null && Object.values(x).every((v) => typeof v === 'string');

const SUITE_RECORD: JsonCacheKind<SuiteRecord> = {
  name: 'grpc-target',
  format: 1,
  check: (d) => {
    const r = d as Record<string, unknown>;
    return (
      typeof r === 'object' && r !== null &&
      ['suite', 'goVersion', 'grpcVersion', 'grpcDebVersion'].every((k) => typeof r[k] === 'string') &&
      isStringRecord(r.modules) && Array.isArray(r.packages) && r.packages.every((p) => typeof p === 'string')
    );
  },
};

const TARGETS_FILE: JsonCacheKind<GrpcTarget[]> = {
  name: 'grpc-targets',
  format: 1,
  check: (d) => Array.isArray(d) && d.every((t) => SUITE_RECORD.check(t) && typeof t.module?.strippedPie === 'string' && typeof t.gopath?.stripped === 'string'),
};

/** Bumped when the way the targets are built changes: older cached builds are then rebuilt. */
const RECIPE = 3;

/** The binaries of a suite's cache directory. */
function binaries(dir: string): Pick<GrpcTarget, 'module' | 'gopath'> {
  return {
    module: { strippedPie: join(dir, 'module-stripped-pie', 'grpcapp'), twin: join(dir, 'module-twin', 'grpcapp') },
    gopath: { stripped: join(dir, 'gopath-stripped', 'grpcapp'), twin: join(dir, 'gopath-twin', 'grpcapp') },
  };
}

function allBuilt(t: Pick<GrpcTarget, 'module' | 'gopath'>): boolean {
  return [t.module.strippedPie, t.module.twin, t.gopath.stripped, t.gopath.twin].every((p) => existsSync(p));
}

/** sha256 over the fixture's file names and contents (part of the cache key). */
export async function grpcappSourceHash(): Promise<string> {
  const h = createHash('sha256');
  for (const name of (await readdir(GRPCAPP_DIR)).sort()) h.update(`${name}\0`).update(await readFile(join(GRPCAPP_DIR, name))).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** The fixture's non-std imports (the roots of the import graph to resolve). */
export async function grpcappImports(): Promise<string[]> {
  const out = new Set<string>();
  for (const name of (await readdir(GRPCAPP_DIR)).filter((n) => n.endsWith('.go'))) {
    const text = await readFile(join(GRPCAPP_DIR, name), 'utf8');
    for (const block of text.matchAll(/^import\s*\(([^)]*)\)|^import\s+(?:\w+\s+)?("[^"]+")/gm)) {
      for (const [, path] of (block[1] ?? block[2]).matchAll(/"([^"]+)"/g)) if (path.split('/')[0].includes('.')) out.add(path);
    }
  }
  return [...out].sort();
}

export interface PrepareOptions {
  /** Indexes already read in this process (the Debian module builds'). */
  indexes?: IndexCache;
  log?: (line: string) => void;
}

let memo: Promise<GrpcTarget[]> | undefined;

/**
 * The gRPC targets of every suite in GRPC_SUITES, oldest first: read from the
 * global setup's list when there is one and its binaries exist, else
 * prepared here (cached, behind the same locks).
 */
export function grpcTargets(): Promise<GrpcTarget[]> {
  memo ??= (async () => {
    const listed = process.env[GRPC_TARGETS_ENV];
    if (listed) {
      const targets = await readJsonCache(listed, TARGETS_FILE);
      if (targets?.every(allBuilt)) return targets;
    }
    return (await prepareGrpcTargets()).targets;
  })();
  return memo;
}

/** Builds (or finds cached) every suite's targets and writes the list GRPC_TARGETS_ENV points at. */
export async function prepareGrpcTargets(opts: PrepareOptions = {}): Promise<{ targets: GrpcTarget[]; list: string; built: number }> {
  const { uri: mirror, keyring } = await debianMirrorSource({ override: process.env[MIRROR_ENV] });
  const read: IndexReadOptions = { keyring, indexes: opts.indexes ?? newIndexCache() };
  const srcHash = await grpcappSourceHash();
  const targets: GrpcTarget[] = [];
  let built = 0;
  // One suite at a time: each go build already uses both cores.
  for (const pkgs of await suitePackages(mirror, GRPC_SUITES, read)) {
    const { target, fresh } = await suiteTarget(pkgs, mirror, read, srcHash, opts.log ?? (() => {}));
    targets.push(target);
    if (fresh) built++;
  }
  const list = cachePath('grpc-targets', `targets-${createHash('sha256').update(JSON.stringify([mirror, srcHash])).digest('hex').slice(0, 16)}.json`);
  await writeJsonCache(list, TARGETS_FILE, targets);
  return { targets, list, built };
}

async function suiteTarget(pkgs: SuitePackages, mirror: string, read: IndexReadOptions, srcHash: string, log: (line: string) => void): Promise<{ target: GrpcTarget; fresh: boolean }> {
  const suite = pkgs.suite;
  const grpc = packageFor(GRPC_MODULE, pkgs);
  if (!grpc) throw new Error(`${suite}: no Debian package ships ${GRPC_MODULE}`);
  const grpcVersion = goVersionFromDebian(grpc.version);
  if (grpcVersion.kind !== 'release') throw new Error(`${suite}: ${grpc.package} ${grpc.version} is a git snapshot: no grpc version for the buildinfo`);
  const tc = await suiteToolchain(mirror, pkgs, read);
  if (!tc) throw new Error(`${suite}: the suite has no golang-go to build with`);
  const key = createHash('sha256').update(JSON.stringify([RECIPE, SUITE_RECORD.format, suite, grpc.sha256, tc.version, srcHash])).digest('hex').slice(0, 16);
  const dir = cachePath('grpc-targets', suite, `${tc.version}-${key}`);
  const recordPath = (d: string) => join(d, 'target.json');
  let fresh = false;
  await buildOnce(
    dir,
    async (tmp) => {
      const t0 = performance.now();
      const steps: string[] = [];
      const record = await buildSuite(tmp, { pkgs, mirror, read, grpc, grpcVersion: grpcVersion.version, tc }, steps);
      await writeJsonCache(recordPath(tmp), SUITE_RECORD, record);
      fresh = true;
      log(`${suite}: grpc ${grpcVersion.version} with ${tc.version}: built in ${seconds(t0)} (${steps.join(', ')})`);
    },
    {
      valid: async (d) => allBuilt(binaries(d)) && (await readJsonCache(recordPath(d), SUITE_RECORD)) !== undefined,
      onWait: () => log(`${suite}: waiting for another process building the gRPC targets`),
    },
  );
  const record = await readJsonCache(recordPath(dir), SUITE_RECORD);
  if (!record) throw new Error(`${dir}: the gRPC targets' record cannot be read`);
  const toolchain: Toolchain = { version: tc.version, minor: tc.minor, suite: tc.suite, goroot: tc.goroot, go: tc.go, debVersion: tc.debVersion };
  return { target: { ...record, toolchain, ...binaries(dir) }, fresh };
}

interface SuiteBuild {
  pkgs: SuitePackages;
  mirror: string;
  read: IndexReadOptions;
  grpc: PackageStanza;
  grpcVersion: string;
  tc: Toolchain;
}

const STRIP = '-ldflags=-s -w';
const PIE = '-buildmode=pie';

const seconds = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

/** The four binaries of one suite into `out`, from a private work directory removed afterwards; `steps` gets each step's time. */
async function buildSuite(out: string, s: SuiteBuild, steps: string[]): Promise<SuiteRecord> {
  let t0 = performance.now();
  const step = (name: string) => {
    steps.push(`${name} ${seconds(t0)}`);
    t0 = performance.now();
  };
  const workRoot = cachePath('grpc-targets', 'work');
  await mkdir(workRoot, { recursive: true });
  const work = await mkdtemp(join(workRoot, `${s.pkgs.suite}-${process.pid}-`));
  try {
    const tree = await resolveImportGraph({
      mirror: s.mirror,
      pkgs: s.pkgs,
      root: s.grpc,
      imports: await grpcappImports(),
      toolchain: s.tc,
      archs: ['amd64'],
      workDir: join(work, 'resolve'),
      stats: newFetchStats(),
      http: s.read.http,
    });
    step('import graph');
    const b = binaries(out);

    // GOPATH mode: the fixture as the package `grpcapp` of a GOPATH entry of its own, before Debian's trees.
    const appGopath = join(work, 'gopath');
    await cp(GRPCAPP_DIR, join(appGopath, 'src', 'grpcapp'), { recursive: true });
    const gopath = gopathEnv(s.tc, 'amd64', [appGopath, ...tree.gopath]);
    await goBuild(s.tc, work, gopath, [STRIP], b.gopath.stripped, 'grpcapp');
    await goBuild(s.tc, work, gopath, [], b.gopath.twin, 'grpcapp');
    step('GOPATH builds');

    // Module mode: the same trees as modules, each required at Debian's version.
    const modules = await modulesOf(tree, s.tc.minor);
    const grpcModule = modules.find((m) => m.path === GRPC_MODULE);
    if (grpcModule?.version !== s.grpcVersion) throw new Error(`${s.pkgs.suite}: the module build would take grpc at ${grpcModule?.version ?? 'no version'}, not ${s.grpcVersion}`);
    const proxy = join(work, 'proxy');
    await writeModuleProxy(proxy, modules);
    step('module proxy');
    const appModule = join(work, 'module');
    await cp(GRPCAPP_DIR, appModule, { recursive: true });
    const requires = modules.map((m) => `\t${m.path} ${m.version}\n`).join('');
    await writeFile(join(appModule, 'go.mod'), `module grpcapp\n\ngo ${s.tc.minor}\n\nrequire (\n${requires})\n`);
    const env = {
      ...trackerGoEnv(s.tc, 'amd64', pathToFileURL(proxy).href),
      // A module cache of this build's own: these versions are Debian's trees, not the modules published under the same names.
      GOMODCACHE: join(work, 'modcache'),
      GOFLAGS: '-mod=mod -modcacherw',
    };
    await goBuild(s.tc, appModule, env, [PIE, STRIP], b.module.strippedPie, '.');
    await goBuild(s.tc, appModule, env, [PIE], b.module.twin, '.');
    step('module builds');

    return {
      suite: s.pkgs.suite,
      goVersion: s.tc.version,
      grpcVersion: s.grpcVersion,
      grpcDebVersion: s.grpc.version,
      modules: Object.fromEntries(modules.map((m) => [m.path, m.version])),
      packages: tree.chosen.map((p) => `${p.package}=${p.version}`),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** `go build -trimpath -buildvcs=false FLAGS -o OUT PKG`, CGO off (the env's), into `out`'s directory. */
async function goBuild(tc: Toolchain, cwd: string, env: NodeJS.ProcessEnv, flags: string[], out: string, pkg: string): Promise<void> {
  await mkdir(join(out, '..'), { recursive: true });
  await runGo(tc, ['build', '-trimpath', '-buildvcs=false', ...flags, '-o', out, pkg], { cwd, env, timeoutMs: DEFAULT_BUILD_TIMEOUT_MS });
}
