// common/go-first-build with a real toolchain and an empty build cache: two
// builds of one configuration started together compile std once (the second
// waits for the first, then finds it cached). The oracle is `go build -v`,
// which names every package that the command itself compiled.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goBuildConfig } from '../../common/go-first-build.js';
import { goEnv, runGo } from '../../tracker/build.js';
import { matrixToolchains, type Toolchain } from '../support/toolchains.js';

let dir: string;
let tc: Toolchain;
const savedCacheRoot = process.env.GO_OFFSETS_CACHE;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'go-first-build-'));
  // The markers of this file's scratch build caches stay in its own scratch cache root.
  process.env.GO_OFFSETS_CACHE = join(dir, 'cache-root');
  const all = await matrixToolchains();
  tc = all.find((t) => t.minor === '1.21') ?? all[all.length - 1];
  await writeFile(join(dir, 'go.mod'), 'module tiny\n\ngo 1.15\n');
  // A program whose std closure is small (runtime and its internal packages): a few seconds to compile.
  await writeFile(join(dir, 'main.go'), 'package main\n\nimport "errors"\n\nvar err = errors.New("x")\n\nfunc main() { _ = err }\n');
});
afterAll(async () => {
  if (savedCacheRoot === undefined) delete process.env.GO_OFFSETS_CACHE;
  else process.env.GO_OFFSETS_CACHE = savedCacheRoot;
  await rm(dir, { recursive: true, force: true });
});

/** The packages `go build -v` compiled in this command (it prints each one it did not find in the cache). */
async function build(gocache: string, out: string, flags: string[] = []): Promise<string[]> {
  const env = { ...goEnv(tc, 'amd64'), GOCACHE: gocache };
  const { stderr } = await runGo(tc, ['build', '-v', '-trimpath', ...flags, '-o', join(dir, out), '.'], { cwd: dir, env, timeoutMs: 600_000 });
  return stderr.split('\n').filter((l) => /^[\w./-]+$/.test(l));
}

describe('the first build of a configuration runs alone', () => {
  it('two builds of one configuration, started together on an empty cache: std is compiled once', async () => {
    const gocache = join(dir, 'gocache-same');
    const [a, b] = await Promise.all([build(gocache, 'a'), build(gocache, 'b', ['-ldflags=-s -w'])]);
    expect(a.length + b.length).toBeGreaterThan(5);
    // Every package compiled by exactly one of the two commands.
    const both = a.filter((p) => b.includes(p));
    expect(both).toEqual([]);
    expect([...a, ...b]).toContain('runtime');
  });

  it('a later build of that configuration takes no lock and compiles nothing', async () => {
    const gocache = join(dir, 'gocache-same');
    expect(await build(gocache, 'c')).toEqual([]);
  });

  it('the configuration: toolchain, cache, target, -trimpath and build mode; not link flags or cgo', () => {
    const env = { GOCACHE: '/c', GOARCH: 'amd64' };
    const base = goBuildConfig('/go', ['build', '-trimpath', '-o', 'x', '.'], env);
    expect(goBuildConfig('/go', ['build', '-trimpath', '-ldflags=-s -w', '-o', 'y', '.'], { ...env, CGO_ENABLED: '1' })).toBe(base);
    expect(goBuildConfig('/go', ['build', '-o', 'x', '.'], env)).not.toBe(base);
    expect(goBuildConfig('/go', ['build', '-trimpath', '-buildmode=pie', '-o', 'x', '.'], env)).not.toBe(base);
    expect(goBuildConfig('/go', ['build', '-trimpath', '-buildmode', 'pie', '-o', 'x', '.'], env)).toBe(goBuildConfig('/go', ['build', '-trimpath', '-buildmode=pie', '-o', 'x', '.'], env));
    expect(goBuildConfig('/go', ['build', '-trimpath', '-o', 'x', '.'], { ...env, GOARCH: 'arm64' })).not.toBe(base);
    expect(goBuildConfig('/go2', ['build', '-trimpath', '-o', 'x', '.'], env)).not.toBe(base);
    expect(goBuildConfig('/go', ['build', '-trimpath', '-o', 'x', '.'], { ...env, GOCACHE: '/d' })).not.toBe(base);
  });
});
