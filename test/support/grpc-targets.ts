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
//
// The matrix targets cover the rest of the test matrix's register-ABI
// toolchains, those that are no suite's own Go (1.21, 1.22, 1.23, 1.26): each
// gets one module build, stripped PIE, no twin, of the newest suite's grpc
// that its Go can build in module mode, that is, whose modules' own go.mod
// `go` lines it satisfies (Go 1.21 on refuses a module that asks for a newer
// Go; the proxy serves go.mod files of the toolchain's `go` line, so the check
// is made here, on the trees). The import graph is the suite's, resolved with
// the suite's own Go. A newer suite passed over is recorded too (nothing
// compiled), in the same cache, keyed the same way.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pLimit from 'p-limit';
import { goCommandsToFillCores } from '../../common/go-runtime-env.js';
import { buildOnce } from '../../common/build-once.js';
import { cachePath } from '../../common/cache-dir.js';
import { readJsonCache, writeJsonCache, type JsonCacheKind } from '../../common/json-cache.js';
import { privatePath } from '../../common/private-path.js';
import { debianMirrorSource } from '../../debian/mirror.js';
import { newIndexCache, type IndexCache, type PackageStanza } from '../../debian/packages.js';
import { DEFAULT_BUILD_TIMEOUT_MS, goEnv as trackerGoEnv, runGo } from '../../tracker/build.js';
import type { SuitePackages } from '../../tracker/debian-modules/depends.js';
import { packageFor, suitePackages, type IndexReadOptions } from '../../tracker/debian-modules/discover.js';
import { gopathEnv } from '../../tracker/debian-modules/gobuild.js';
import { newFetchStats } from '../../tracker/debian-modules/gopath.js';
import { resolveImportGraph, type ResolvedTree } from '../../tracker/debian-modules/resolve.js';
import { suiteToolchain } from '../../tracker/debian-modules/toolchain.js';
import { goVersionFromDebian } from '../../tracker/debian-modules/version.js';
import { compareGoVersions, parseGoVersion } from '../../offsets/go-version.js';
import { modulesOf, writeModuleProxy, type DebianModule } from './debian-module-proxy.js';
import { hasRegisterAbi, matrixToolchains, MIRROR_ENV, type Toolchain } from './toolchains.js';

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

/** A suite's grpc that a matrix target's Go cannot build in module mode. */
export interface PassedOver {
  suite: string;
  grpcVersion: string;
  /** The newest `go` line of the go.mod files of the modules it would link. */
  needsGo: string;
}

/**
 * The gRPC target of a register-ABI toolchain of the matrix that is no
 * suite's own Go: grpcapp built in module mode (stripped PIE) from the newest
 * suite's grpc whose modules that Go can build.
 */
export interface GrpcMatrixTarget {
  /** The suite whose grpc and dependency trees it was built from. */
  suite: string;
  /** The toolchain's Go: `go1.22.12`. */
  goVersion: string;
  grpcVersion: string;
  grpcDebVersion: string;
  toolchain: Toolchain;
  module: { strippedPie: string };
  modules: Record<string, string>;
  packages: string[];
  /** The newest `go` line of the linked modules' own go.mod files (`1.21`): the oldest Go that builds them in module mode. */
  needsGo: string;
  /** The newer suites' grpc, newest first, each needing a newer Go than this one. */
  passedOver: PassedOver[];
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

/**
 * A matrix candidate's record, in its cache directory: a suite's grpc with
 * another suite's toolchain; `built` false when the toolchain is older than
 * `needsGo` (nothing was compiled then, the directory holds this record only).
 */
type MatrixRecord = Pick<GrpcMatrixTarget, 'suite' | 'goVersion' | 'grpcVersion' | 'grpcDebVersion' | 'modules' | 'packages' | 'needsGo'> & { built: boolean };

const MATRIX_RECORD: JsonCacheKind<MatrixRecord> = {
  name: 'grpc-matrix-target',
  format: 1,
  check: (d) => SUITE_RECORD.check(d) && typeof (d as MatrixRecord).needsGo === 'string' && typeof (d as MatrixRecord).built === 'boolean',
};

interface TargetsList {
  suites: GrpcTarget[];
  matrix: GrpcMatrixTarget[];
}

const TARGETS_FILE: JsonCacheKind<TargetsList> = {
  name: 'grpc-targets',
  format: 2,
  check: (d) => {
    const l = d as TargetsList;
    return (
      typeof l === 'object' && l !== null && Array.isArray(l.suites) && Array.isArray(l.matrix) &&
      l.suites.every((t) => SUITE_RECORD.check(t) && typeof t.module?.strippedPie === 'string' && typeof t.gopath?.stripped === 'string') &&
      l.matrix.every((t) => SUITE_RECORD.check(t) && typeof t.needsGo === 'string' && typeof t.module?.strippedPie === 'string' && Array.isArray(t.passedOver))
    );
  },
};

/** Bumped when the way the targets are built changes: older cached builds are then rebuilt. */
const RECIPE = 3;
/** The same for the matrix targets (their own, so that a change to one kind does not rebuild the other). */
const MATRIX_RECIPE = 1;

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
  /** The test matrix (default: matrixToolchains()); awaited only once the suites' own targets are built. */
  toolchains?: Toolchain[] | Promise<Toolchain[]>;
  log?: (line: string) => void;
}

let memo: Promise<TargetsList> | undefined;

function listed(): Promise<TargetsList> {
  memo ??= (async () => {
    const file = process.env[GRPC_TARGETS_ENV];
    if (file) {
      const list = await readJsonCache(file, TARGETS_FILE);
      if (list?.suites.every(allBuilt) && list.matrix.every((t) => existsSync(t.module.strippedPie))) return list;
    }
    const { suites, matrix } = await prepareGrpcTargets();
    return { suites, matrix };
  })();
  return memo;
}

/**
 * The gRPC targets of every suite in GRPC_SUITES, oldest first: read from the
 * global setup's list when there is one and its binaries exist, else
 * prepared here (cached, behind the same locks).
 */
export async function grpcTargets(): Promise<GrpcTarget[]> {
  return (await listed()).suites;
}

/** The matrix targets (one per register-ABI toolchain of the matrix that no suite target has), oldest Go first; found or prepared as grpcTargets(). */
export async function grpcMatrixTargets(): Promise<GrpcMatrixTarget[]> {
  return (await listed()).matrix;
}

/** Builds (or finds cached) every suite's targets, then the matrix targets, and writes the list GRPC_TARGETS_ENV points at. */
export async function prepareGrpcTargets(opts: PrepareOptions = {}): Promise<TargetsList & { list: string; built: number }> {
  const { uri: mirror, keyring } = await debianMirrorSource({ override: process.env[MIRROR_ENV] });
  const read: IndexReadOptions = { keyring, indexes: opts.indexes ?? newIndexCache() };
  const log = opts.log ?? (() => {});
  const ctx: Context = { mirror, read, srcHash: await grpcappSourceHash(), log, graphs: new Map() };
  const suites: { pkgs: SuitePackages; target: GrpcTarget }[] = [];
  let built = 0;
  // As many suites at a time as it takes go commands to fill the cores (common/go-runtime-env.ts):
  // one when each go build takes every core.
  const suiteLimit = pLimit(goCommandsToFillCores());
  const done = await Promise.all((await suitePackages(mirror, GRPC_SUITES, read)).map((pkgs) => suiteLimit(async () => ({ pkgs, ...(await suiteTarget(pkgs, ctx)) }))));
  for (const { pkgs, target, fresh } of done) {
    suites.push({ pkgs, target });
    if (fresh) built++;
  }
  // The matrix targets two at a time: one go build of grpc's graph keeps about one core busy (a
  // chain of packages, protobuf before grpc), and these come last, when the machine is quieter.
  const own = new Set(suites.map((s) => s.target.goVersion));
  const limit = pLimit(2);
  const toolchains = (await (opts.toolchains ?? matrixToolchains())).filter((t) => hasRegisterAbi(t) && !own.has(t.version));
  const matrix: GrpcMatrixTarget[] = [];
  for (const { target, fresh } of await Promise.all(toolchains.map((tc) => limit(() => matrixTarget(tc, suites, ctx))))) {
    matrix.push(target);
    if (fresh) built++;
  }
  const list = cachePath('grpc-targets', `targets-${cacheKey([mirror, ctx.srcHash, TARGETS_FILE.format])}.json`);
  const lists = { suites: suites.map((s) => s.target), matrix };
  await writeJsonCache(list, TARGETS_FILE, lists);
  return { ...lists, list, built };
}

/** What every build of one prepareGrpcTargets call shares. */
interface Context {
  mirror: string;
  read: IndexReadOptions;
  srcHash: string;
  log: (line: string) => void;
  /** Import graphs resolved in this call, by suite, grpc package and toolchain (importGraph). */
  graphs: Map<string, Promise<ResolvedTree>>;
}

/** A suite's grpc package and its module version. */
function suiteGrpc(pkgs: SuitePackages): { grpc: PackageStanza; grpcVersion: string } {
  const grpc = packageFor(GRPC_MODULE, pkgs);
  if (!grpc) throw new Error(`${pkgs.suite}: no Debian package ships ${GRPC_MODULE}`);
  const v = goVersionFromDebian(grpc.version);
  if (v.kind !== 'release') throw new Error(`${pkgs.suite}: ${grpc.package} ${grpc.version} is a git snapshot: no grpc version for the buildinfo`);
  return { grpc, grpcVersion: v.version };
}

const cacheKey = (parts: unknown[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
const recordPath = (dir: string) => join(dir, 'target.json');
const asToolchain = (tc: Toolchain): Toolchain => ({ version: tc.version, minor: tc.minor, suite: tc.suite, goroot: tc.goroot, go: tc.go, debVersion: tc.debVersion });

async function suiteTarget(pkgs: SuitePackages, ctx: Context): Promise<{ target: GrpcTarget; fresh: boolean }> {
  const { mirror, read, log } = ctx;
  const suite = pkgs.suite;
  const { grpc, grpcVersion } = suiteGrpc(pkgs);
  const tc = await suiteToolchain(mirror, pkgs, read);
  if (!tc) throw new Error(`${suite}: the suite has no golang-go to build with`);
  const dir = cachePath('grpc-targets', suite, `${tc.version}-${cacheKey([RECIPE, SUITE_RECORD.format, suite, grpc.sha256, tc.version, ctx.srcHash])}`);
  let fresh = false;
  await buildOnce(
    dir,
    async (tmp) => {
      const t0 = performance.now();
      const steps: string[] = [];
      const record = await buildSuite(tmp, { pkgs, mirror, read, grpc, grpcVersion, tc, suiteTc: tc, graphs: ctx.graphs }, steps);
      await writeJsonCache(recordPath(tmp), SUITE_RECORD, record);
      fresh = true;
      log(`${suite}: grpc ${grpcVersion} with ${tc.version}: built in ${seconds(t0)} (${steps.join(', ')})`);
    },
    {
      valid: async (d) => allBuilt(binaries(d)) && (await readJsonCache(recordPath(d), SUITE_RECORD)) !== undefined,
      onWait: () => log(`${suite}: waiting for another process building the gRPC targets`),
    },
  );
  const record = await readJsonCache(recordPath(dir), SUITE_RECORD);
  if (!record) throw new Error(`${dir}: the gRPC targets' record cannot be read`);
  return { target: { ...record, toolchain: asToolchain(tc), ...binaries(dir) }, fresh };
}

/** The matrix target's one binary in its cache directory. */
const matrixBinary = (dir: string) => join(dir, 'module-stripped-pie', 'grpcapp');

/**
 * The matrix target of `tc`: the suites' grpc tried newest first, each a
 * cached candidate (built, or passed over for its go lines), until one builds.
 */
async function matrixTarget(tc: Toolchain, suites: { pkgs: SuitePackages; target: GrpcTarget }[], ctx: Context): Promise<{ target: GrpcMatrixTarget; fresh: boolean }> {
  const { mirror, read, log } = ctx;
  const passedOver: PassedOver[] = [];
  let fresh = false;
  for (const { pkgs, target: base } of [...suites].reverse()) {
    const suite = pkgs.suite;
    const { grpc, grpcVersion } = suiteGrpc(pkgs);
    const key = cacheKey([MATRIX_RECIPE, MATRIX_RECORD.format, 'matrix', suite, grpc.sha256, base.toolchain.version, tc.version, ctx.srcHash]);
    const dir = cachePath('grpc-targets', suite, `${tc.version}-${key}`);
    await buildOnce(
      dir,
      async (tmp) => {
        const t0 = performance.now();
        const steps: string[] = [];
        const record = await buildMatrixCandidate(tmp, { pkgs, mirror, read, grpc, grpcVersion, tc, suiteTc: base.toolchain, graphs: ctx.graphs }, steps);
        await writeJsonCache(recordPath(tmp), MATRIX_RECORD, record);
        fresh ||= record.built;
        const what = `${tc.version}: ${suite}'s grpc ${grpcVersion}`;
        log(record.built ? `${what}: built in ${seconds(t0)} (${steps.join(', ')})` : `${what} needs go ${record.needsGo}: passed over (${seconds(t0)})`);
      },
      {
        valid: async (d) => {
          const r = await readJsonCache(recordPath(d), MATRIX_RECORD);
          return r !== undefined && (!r.built || existsSync(matrixBinary(d)));
        },
        onWait: () => log(`${tc.version}: waiting for another process building ${suite}'s grpc with it`),
      },
    );
    const record = await readJsonCache(recordPath(dir), MATRIX_RECORD);
    if (!record) throw new Error(`${dir}: the gRPC matrix target's record cannot be read`);
    const { built, ...rest } = record;
    if (!built) {
      passedOver.push({ suite, grpcVersion: record.grpcVersion, needsGo: record.needsGo });
      continue;
    }
    return { target: { ...rest, toolchain: asToolchain(tc), module: { strippedPie: matrixBinary(dir) }, passedOver }, fresh };
  }
  throw new Error(`${tc.version}: no suite's grpc builds with it in module mode (${passedOver.map((p) => `${p.suite}'s ${p.grpcVersion} needs go ${p.needsGo}`).join('; ')})`);
}

interface SuiteBuild {
  pkgs: SuitePackages;
  mirror: string;
  read: IndexReadOptions;
  grpc: PackageStanza;
  grpcVersion: string;
  /** The Go that builds. */
  tc: Toolchain;
  /** The suite's own Go, which the import graph is resolved with (as Debian builds the suite): `tc`, but for a matrix target. */
  suiteTc: Toolchain;
  graphs: Context['graphs'];
}

const STRIP = '-ldflags=-s -w';
const PIE = '-buildmode=pie';

const seconds = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

/** `step(name)` appends `name` and the time since the previous step (or since this call) to `steps`. */
function stepper(steps: string[]): (name: string) => void {
  let t0 = performance.now();
  return (name) => {
    steps.push(`${name} ${seconds(t0)}`);
    t0 = performance.now();
  };
}

/** Runs `fn` in a private work directory under cacheRoot()/grpc-targets/work, removed afterwards. */
async function inWorkDir<T>(name: string, fn: (work: string) => Promise<T>): Promise<T> {
  const work = privatePath(cachePath('grpc-targets', 'work', name));
  await mkdir(work, { recursive: true });
  try {
    return await fn(work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The Debian packages that provide grpcapp's imports in the suite, resolved
 * with the suite's own Go (an older Go would look for the newer std packages,
 * `iter` say, in the archive). Once per prepareGrpcTargets call: a matrix
 * candidate takes the graph its suite's build resolved. Its GOPATH entries
 * are cached trees (tracker/debian-modules/gopath.ts), valid after `work` is gone.
 */
function importGraph(work: string, s: SuiteBuild): Promise<ResolvedTree> {
  const key = JSON.stringify([s.pkgs.suite, s.grpc.sha256, s.suiteTc.version]);
  let graph = s.graphs.get(key);
  if (!graph) {
    graph = (async () =>
      resolveImportGraph({
        mirror: s.mirror,
        pkgs: s.pkgs,
        root: s.grpc,
        imports: await grpcappImports(),
        toolchain: s.suiteTc,
        archs: ['amd64'],
        workDir: join(work, 'resolve'),
        stats: newFetchStats(),
        http: s.read.http,
      }))();
    s.graphs.set(key, graph);
  }
  return graph;
}

/** The newest `go` line of the modules' own go.mod files; `1.0` when none has one (nothing to satisfy). */
function newestGoLine(modules: DebianModule[]): string {
  return modules.reduce((newest, m) => (m.declaredGo && compareGoVersions(parseGoVersion(m.declaredGo), parseGoVersion(newest)) > 0 ? m.declaredGo : newest), '1.0');
}

/**
 * Module mode: the trees as modules (each required at Debian's version, served
 * by a proxy in `work`), grpcapp built once per `outs` entry with its flags.
 */
async function moduleBuilds(work: string, s: SuiteBuild, modules: DebianModule[], outs: { flags: string[]; out: string }[], step: (name: string) => void): Promise<void> {
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
  for (const { flags, out } of outs) await goBuild(s.tc, appModule, env, flags, out, '.');
  step(outs.length > 1 ? 'module builds' : 'module build');
}

const recordOf = (s: SuiteBuild, tree: ResolvedTree, modules: DebianModule[]): SuiteRecord => ({
  suite: s.pkgs.suite,
  goVersion: s.tc.version,
  grpcVersion: s.grpcVersion,
  grpcDebVersion: s.grpc.version,
  modules: Object.fromEntries(modules.map((m) => [m.path, m.version])),
  packages: tree.chosen.map((p) => `${p.package}=${p.version}`),
});

/** The four binaries of one suite into `out`, from a private work directory removed afterwards; `steps` gets each step's time. */
async function buildSuite(out: string, s: SuiteBuild, steps: string[]): Promise<SuiteRecord> {
  const step = stepper(steps);
  return inWorkDir(s.pkgs.suite, async (work) => {
    const tree = await importGraph(work, s);
    step('import graph');
    const b = binaries(out);

    // GOPATH mode: the fixture as the package `grpcapp` of a GOPATH entry of its own, before Debian's trees.
    const appGopath = join(work, 'gopath');
    await cp(GRPCAPP_DIR, join(appGopath, 'src', 'grpcapp'), { recursive: true });
    const gopath = gopathEnv(s.tc, 'amd64', [appGopath, ...tree.gopath]);
    await goBuild(s.tc, work, gopath, [STRIP], b.gopath.stripped, 'grpcapp');
    await goBuild(s.tc, work, gopath, [], b.gopath.twin, 'grpcapp');
    step('GOPATH builds');

    const modules = await modulesOf(tree, s.tc.minor);
    await moduleBuilds(work, s, modules, [{ flags: [PIE, STRIP], out: b.module.strippedPie }, { flags: [PIE], out: b.module.twin }], step);
    return recordOf(s, tree, modules);
  });
}

/**
 * A matrix candidate into `out`: the import graph and its modules' go lines;
 * when `s.tc` satisfies them, the stripped PIE module build, else nothing built.
 */
async function buildMatrixCandidate(out: string, s: SuiteBuild, steps: string[]): Promise<MatrixRecord> {
  const step = stepper(steps);
  return inWorkDir(`${s.pkgs.suite}-${s.tc.version}`, async (work) => {
    const tree = await importGraph(work, s);
    step('import graph');
    const modules = await modulesOf(tree, s.tc.minor);
    const needsGo = newestGoLine(modules);
    const built = compareGoVersions(parseGoVersion(s.tc.version), parseGoVersion(needsGo)) >= 0;
    if (built) await moduleBuilds(work, s, modules, [{ flags: [PIE, STRIP], out: matrixBinary(out) }], step);
    return { ...recordOf(s, tree, modules), needsGo, built };
  });
}

/** `go build -trimpath -buildvcs=false FLAGS -o OUT PKG`, CGO off (the env's), into `out`'s directory. */
async function goBuild(tc: Toolchain, cwd: string, env: NodeJS.ProcessEnv, flags: string[], out: string, pkg: string): Promise<void> {
  await mkdir(join(out, '..'), { recursive: true });
  await runGo(tc, ['build', '-trimpath', '-buildvcs=false', ...flags, '-o', out, pkg], { cwd, env, timeoutMs: DEFAULT_BUILD_TIMEOUT_MS });
}
