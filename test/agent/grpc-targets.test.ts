// The gRPC test targets (test/support/grpc-targets.ts), per Debian suite and
// per other register-ABI toolchain of the matrix: each build is what it
// promises, against independent oracles (`go version -m` run with the
// toolchain that built it, binutils' readelf); the project's buildinfo reader
// agrees with `go version -m`; and the programs work: exact numbers of unary
// and streaming calls end with the codes they ask for, and the /call handler
// makes its two client calls. No eBPF here: the agent tests trace them.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { GoBinary } from '../../gobin/index.js';
import { compareGoVersions, parseGoVersion } from '../../offsets/go-version.js';
import { goVersionFromDebian } from '../../tracker/debian-modules/version.js';
import { goVersionM } from '../oracle/buildinfo/goversion.js';
import { GRPC_METHODS, GRPC_STREAM_MESSAGES, runGrpcClient, startGrpcApp } from '../support/grpc-app.js';
import { GRPC_MODULE, GRPC_SUITES, grpcMatrixTargets, grpcTargets, type GrpcTarget } from '../support/grpc-targets.js';
import { hasRegisterAbi, matrixToolchains, type Toolchain } from '../support/toolchains.js';

const run = promisify(execFile);
const targets = await grpcTargets();
const matrixTargets = await grpcMatrixTargets();
const registerAbi = (await matrixToolchains()).filter(hasRegisterAbi);
const goCompare = (a: string, b: string) => compareGoVersions(parseGoVersion(a), parseGoVersion(b));

/** The released suites do not change their Go nor their grpc; sid moves on. */
const PINNED: Record<string, { go: string; grpc: string }> = {
  bookworm: { go: '1.19', grpc: 'v1.33.3' },
  trixie: { go: '1.24', grpc: 'v1.64.0' },
};

async function readelf(args: string[], path: string): Promise<string> {
  return (await run('readelf', ['-W', ...args, path], { maxBuffer: 64 << 20 })).stdout;
}

/** A binary of a target: its mode, whether it is stripped, whether PIE. */
interface Build {
  name: string;
  path: string;
  mode: 'module' | 'gopath';
  stripped: boolean;
  pie: boolean;
}

/** Every binary of a suite's target. */
function builds(t: GrpcTarget): Build[] {
  return [
    { name: 'module stripped PIE', path: t.module.strippedPie, mode: 'module', stripped: true, pie: true },
    { name: 'module twin', path: t.module.twin, mode: 'module', stripped: false, pie: true },
    { name: 'GOPATH stripped', path: t.gopath.stripped, mode: 'gopath', stripped: true, pie: false },
    { name: 'GOPATH twin', path: t.gopath.twin, mode: 'gopath', stripped: false, pie: false },
  ];
}

describe('gRPC targets', () => {
  it('exist for every suite, each built with its own toolchain', () => {
    expect(targets.map((t) => t.suite)).toEqual(GRPC_SUITES);
    for (const t of targets) {
      expect({ suite: t.toolchain.suite, version: t.toolchain.version }, t.suite).toEqual({ suite: t.suite, version: t.goVersion });
      expect(t.grpcVersion, t.suite).toBe((goVersionFromDebian(t.grpcDebVersion) as { version: string }).version);
      const pinned = PINNED[t.suite];
      if (pinned) {
        expect(t.toolchain.minor, t.suite).toBe(pinned.go);
        expect(t.grpcVersion, t.suite).toBe(pinned.grpc);
      }
    }
  });
});

describe.each(GRPC_SUITES)('%s', (suite) => {
  const target = () => {
    const t = targets.find((x) => x.suite === suite);
    if (!t) throw new Error(`no gRPC target for ${suite}`);
    return t;
  };

  it('module build: go version -m names grpc and every dependency at Debian\'s version; GOPATH build: no module', async () => {
    const t = target();
    for (const b of builds(t)) await checkBuildInfo(t, b);
  });

  it('gobin reads the same buildinfo as go version -m', async () => {
    const t = target();
    for (const b of builds(t)) await checkGobinBuildInfo(t.toolchain, b);
  });

  it('ELF (readelf): the module builds are PIE (DYN), the GOPATH builds EXEC; stripped ones have no .symtab nor DWARF, twins both', async () => {
    for (const b of builds(target())) await checkElf(b);
  });

  it('serve: exact unary and streaming calls end with OK, NotFound and Internal; /call makes its gRPC and HTTP calls', async () => {
    for (const b of builds(target()).filter((x) => x.stripped)) await checkServe(b);
  });
});

describe('matrix targets', () => {
  it('one for every register-ABI toolchain of the matrix that is no suite\'s own Go, each from the newest suite\'s grpc its Go can build', () => {
    const own = new Set(targets.map((t) => t.goVersion));
    expect(matrixTargets.map((t) => t.goVersion)).toEqual(registerAbi.filter((tc) => !own.has(tc.version)).map((tc) => tc.version));
    for (const t of matrixTargets) {
      const suite = targets.find((x) => x.suite === t.suite);
      expect({ grpcVersion: t.grpcVersion, grpcDebVersion: t.grpcDebVersion }, t.goVersion).toEqual({ grpcVersion: suite?.grpcVersion, grpcDebVersion: suite?.grpcDebVersion });
      expect(t.toolchain.version, t.goVersion).toBe(t.goVersion);
      expect(goCompare(t.goVersion, t.needsGo), `${t.goVersion} builds modules that ask for go ${t.needsGo}`).toBeGreaterThanOrEqual(0);
      // Every newer suite was tried first and needs a newer Go.
      expect(t.passedOver.map((p) => p.suite), t.goVersion).toEqual(GRPC_SUITES.slice(GRPC_SUITES.indexOf(t.suite) + 1).reverse());
      for (const p of t.passedOver) expect(goCompare(t.goVersion, p.needsGo), `${t.goVersion} against ${p.suite}'s grpc ${p.grpcVersion} (go ${p.needsGo})`).toBeLessThan(0);
    }
  });

  // The module build of each: what it promises, and it works.
  it.each(matrixTargets.map((t) => [t.goVersion, t] as const))('%s: module build, stripped PIE: buildinfo (go version -m, gobin), ELF, serve', async (_, t) => {
    const b: Build = { name: `${t.goVersion} module stripped PIE`, path: t.module.strippedPie, mode: 'module', stripped: true, pie: true };
    await checkBuildInfo(t, b);
    await checkGobinBuildInfo(t.toolchain, b);
    await checkElf(b);
    await checkServe(b);
  });
});

async function checkBuildInfo(t: Pick<GrpcTarget, 'toolchain' | 'goVersion' | 'grpcVersion' | 'modules'>, b: Build): Promise<void> {
  const want = await goVersionM(t.toolchain, b.path);
  expect(want.goVersion, b.name).toBe(t.goVersion);
  expect(want.path, b.name).toBe('grpcapp');
  expect(want.settings, b.name).toMatchObject({ '-trimpath': 'true', CGO_ENABLED: '0', GOARCH: 'amd64', GOOS: 'linux' });
  // Not asserted here, readelf checks them below: -ldflags (left out under -trimpath, it may hold
  // paths) and -buildmode (Go 1.19 does not record it).
  if (b.mode === 'gopath') {
    expect(want.main, b.name).toBeNull();
    expect(want.modules, b.name).toEqual([]);
    return;
  }
  expect(want.main, b.name).toMatchObject({ path: 'grpcapp', version: '(devel)' });
  expect(want.modules.find((m) => m.path === GRPC_MODULE), b.name).toMatchObject({ version: t.grpcVersion, replace: null });
  expect(Object.fromEntries(want.modules.map((m) => [m.path, m.version])), b.name).toEqual(t.modules);
  expect(want.modules.every((m) => m.replace === null && m.sum.startsWith('h1:')), b.name).toBe(true);
}

async function checkGobinBuildInfo(tc: Toolchain, b: Build): Promise<void> {
  const got = (await GoBinary.open(b.path)).buildInfo();
  const want = await goVersionM(tc, b.path);
  expect(got.goVersion, b.name).toBe(want.goVersion);
  expect(got.path, b.name).toBe(want.path);
  expect(got.main, b.name).toEqual(want.main);
  expect(got.modules, b.name).toEqual(want.modules);
  expect(got.settings, b.name).toEqual(want.settings);
}

async function checkElf(b: Build): Promise<void> {
  expect(await readelf(['-h'], b.path), b.name).toMatch(b.pie ? /Type:\s+DYN/ : /Type:\s+EXEC/);
  const sections = await readelf(['-S'], b.path);
  expect(/\s\.symtab\s/.test(sections), `${b.name} .symtab`).toBe(!b.stripped);
  expect(/\s\.z?debug_info\s/.test(sections), `${b.name} DWARF`).toBe(!b.stripped);
  const bin = await GoBinary.open(b.path);
  expect({ pie: bin.pie, stripped: bin.stripped }, `${b.name}: gobin`).toEqual({ pie: b.pie, stripped: b.stripped });
}

async function checkServe(b: Build): Promise<void> {
  const image = await readFile(b.path);
  expect(image.includes(GRPC_METHODS.unary) && image.includes(GRPC_METHODS.stream), `${b.name} registers ${Object.values(GRPC_METHODS).join(', ')}`).toBe(true);
  const app = await startGrpcApp(b.path);
  try {
    const calls = { unary: { OK: 3, NotFound: 2, Internal: 1 }, stream: { OK: 1, NotFound: 1, Internal: 2 } };
    const { summary, exitCode } = await runGrpcClient(b.path, app.grpcAddr, calls);
    expect({ summary, exitCode }, b.name).toEqual({
      summary: { target: app.grpcAddr, ...calls, streamMessages: 4 * GRPC_STREAM_MESSAGES, mismatches: 0 },
      exitCode: 0,
    });
    const http = `http://127.0.0.1:${app.httpPort}`;
    const call = await fetch(`${http}/call?code=NotFound`);
    expect({ status: call.status, body: await call.json() }, `${b.name} /call`).toEqual({ status: 200, body: { grpc: 'NotFound', hello: 200 } });
    const hello = await fetch(`${http}/hello`);
    expect({ status: hello.status, body: await hello.text() }, `${b.name} /hello`).toEqual({ status: 200, body: 'hello\n' });
    const bad = await fetch(`${http}/call?code=Bogus`);
    expect(bad.status, `${b.name} /call with an unknown code`).toBe(400);
    await bad.text();
  } finally {
    expect(await app.stop(), `${b.name} exits 0 on SIGTERM:\n${app.stderr()}`).toBe(0);
  }
}
