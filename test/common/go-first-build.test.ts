// common/go-first-build with a real toolchain: two builds of one configuration
// that this machine has never built, started together, compile each package
// once (the second waits for the first, then finds everything cached). The
// oracle is `go build -v`, which names every package that the command itself
// compiled. The configuration is new to a scratch marker root; the build cache
// is the project's, whose std the suite has compiled already, so only the
// program's own package (new at every run) is left to compile: that keeps the
// test cheap, and it fails as soon as both commands compile it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goBuildCache } from '../../common/cache-dir.js';
import { goBuildConfig } from '../../common/go-first-build.js';
import { goEnv, runGo } from '../../tracker/build.js';
import { matrixToolchains, type Toolchain } from '../support/toolchains.js';

let dir: string;
let tc: Toolchain;
const savedCacheRoot = process.env.GO_OFFSETS_CACHE;
const gocache = goBuildCache();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'go-first-build-'));
  // Markers in a root of this file's own: to it, every configuration is new.
  process.env.GO_OFFSETS_CACHE = join(dir, 'cache-root');
  const all = await matrixToolchains();
  tc = all.find((t) => t.minor === '1.21') ?? all[all.length - 1];
  await writeFile(join(dir, 'go.mod'), 'module tiny\n\ngo 1.15\n');
  // A program that no build cache holds yet (its string is new at every run), with enough functions that
  // compiling it takes a second: two commands started together both miss it unless one waits.
  const funcs = Array.from({ length: 4000 }, (_, i) => `func f${i}(x int) int { return x*${i} + len(err.Error()) }\n`).join('');
  await writeFile(join(dir, 'main.go'), `package main\n\nimport "errors"\n\nvar err = errors.New(${JSON.stringify(dir)})\n\n${funcs}\nfunc main() { _ = f1(1) }\n`);
});
afterAll(async () => {
  if (savedCacheRoot === undefined) delete process.env.GO_OFFSETS_CACHE;
  else process.env.GO_OFFSETS_CACHE = savedCacheRoot;
  await rm(dir, { recursive: true, force: true });
});

/** The packages `go build -v` compiled in this command (it prints each one it did not find in the cache). */
async function build(out: string, flags: string[] = []): Promise<string[]> {
  const env = { ...goEnv(tc, 'amd64'), GOCACHE: gocache };
  const { stderr } = await runGo(tc, ['build', '-v', '-trimpath', ...flags, '-o', join(dir, out), '.'], { cwd: dir, env, timeoutMs: 600_000 });
  return stderr.split('\n').filter((l) => /^[\w./-]+$/.test(l));
}

describe('the first build of a configuration runs alone', () => {
  it('two builds of a new configuration, started together: each package is compiled once', async () => {
    const [a, b] = await Promise.all([build('a'), build('b', ['-ldflags=-s -w'])]);
    // Every package compiled by exactly one of the two commands, the program's own among them.
    const both = a.filter((p) => b.includes(p));
    expect(both).toEqual([]);
    expect([...a, ...b]).toContain('tiny');
  });

  it('a later build of that configuration compiles nothing', async () => {
    expect(await build('c')).toEqual([]);
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
