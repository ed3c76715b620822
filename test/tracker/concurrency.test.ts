// Two runs on one machine share its caches safely: two `offsets-tracker run`
// processes started together on a cache with no build results (std and the
// Debian module source) both succeed and write identical tables; a run killed
// with SIGKILL in the middle of a build leaves nothing a later run mistakes for
// a result; two preparations of the toolchain matrix started together agree.
//
// Each case gets a scratch GO_OFFSETS_CACHE holding no build result. What is
// not under test is linked in from the real cache so that nothing is
// downloaded again: the assembled toolchains, the .debs and indexes, the
// extracted Debian sources and the go command's own build cache.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheRoot } from '../../common/cache-dir.js';
import { STALE_MS_ENV } from '../../common/lock.js';
import { defaultConfigPath } from '../../tracker/config.js';
import { matrix } from './tracker-helpers.js';
import type { Toolchain } from '../support/toolchains.js';

const REPO = join(import.meta.dirname, '..', '..');
const SUITE = 'sid';
/** What only a run in progress may have: temporary files and directories, locks, work directories. */
const LEFTOVER = /\.tmp$|\.part$|\.lock$|tracker\/work\/./;

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command in its own process group (so that a kill reaches its go builds). */
function start(cmd: string, args: string[], env: NodeJS.ProcessEnv): { pid: number; done: Promise<Exit> } {
  const child = spawn(cmd, args, { cwd: REPO, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b));
  child.stderr.on('data', (b: Buffer) => (stderr += b));
  const done = new Promise<Exit>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { pid: child.pid!, done };
}

/** A cache root with no build results; the listed parts of the real cache are linked in. */
async function scratchCache(parts: string[][]): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'go-offsets-cache-'));
  for (const part of parts) {
    const real = join(cacheRoot(), ...part);
    await mkdir(real, { recursive: true });
    await mkdir(join(root, ...part.slice(0, -1)), { recursive: true });
    await symlink(real, join(root, ...part));
  }
  return root;
}

/** Every path below `dir` (links not followed). */
async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    out.push(p);
    if (e.isDirectory()) out.push(...(await walk(p)));
  }
  return out;
}

const scratches: string[] = [];
let newest: Toolchain;

beforeAll(async () => {
  const tcs = await matrix();
  newest = tcs[tcs.length - 1];
});

afterAll(async () => {
  for (const s of scratches) await rm(s, { recursive: true, force: true });
});

describe('two tracker runs at once, std and a Debian module', () => {
  let cache: string;
  const runArgs = (out: string) => [
    join(REPO, 'bin', 'offsets-tracker.cjs'),
    'run',
    '--config', join(cache, 'config.json'),
    '--source', `dir:${newest.goroot}`,
    '--module-source', 'debian',
    '--debian-suite', SUITE,
    '--arch', 'amd64',
    '--concurrency', '1',
    '--base', join(cache, 'no-table.json'),
    '--out', out,
  ];

  beforeAll(async () => {
    cache = await scratchCache([['toolchains'], ['debian'], ['debian-modules', 'gocode'], ['gocache']]);
    scratches.push(cache);
    // std and one Debian module (grpc): the race is the same with fewer builds.
    const config = JSON.parse(await readFile(defaultConfigPath, 'utf8')) as { modules: { module: string }[] };
    config.modules = config.modules.filter((m) => m.module === 'std' || m.module === 'google.golang.org/grpc');
    await writeFile(join(cache, 'config.json'), JSON.stringify(config));
  });

  it('both succeed and write identical tables; the job is built once', async () => {
    const env = { ...process.env, GO_OFFSETS_CACHE: cache };
    const a = start(process.execPath, runArgs(join(cache, 'a.json')), env);
    const b = start(process.execPath, runArgs(join(cache, 'b.json')), env);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect({ code: ra.code, stderr: ra.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect({ code: rb.code, stderr: rb.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    const tableA = await readFile(join(cache, 'a.json'), 'utf8');
    expect(tableA).toBe(await readFile(join(cache, 'b.json'), 'utf8'));
    const table = JSON.parse(tableA) as { modules: Record<string, unknown> };
    expect(Object.keys(table.modules).sort()).toEqual(expect.arrayContaining(['std', 'google.golang.org/grpc']));
    // Each job was built by one of the two: the other waited and took its result.
    const built = (r: Exit) => Number(/(\d+) built, \d+ failed\n/.exec(r.stdout)?.[1]);
    expect(built(ra) + built(rb)).toBe(1);
    const debBuilt = (r: Exit) => Number(/debian modules: \d+ jobs: \d+ not needed, \d+ from the cache, (\d+) built, 0 failed/.exec(r.stdout)?.[1]);
    const debJobs = Number(/debian modules: (\d+) jobs/.exec(ra.stdout)?.[1]);
    expect(debJobs).toBeGreaterThan(0);
    expect(debBuilt(ra) + debBuilt(rb)).toBe(debJobs);
    // Nothing private to a run is left: no work directories, no temporary files, no locks.
    expect((await walk(cache)).filter((p) => LEFTOVER.test(p))).toEqual([]);
  });

  it('a run killed midway by SIGKILL leaves nothing a rerun mistakes for a result', async () => {
    // The rerun takes over the dead run's locks once they are stale: 2 s here instead of 10.
    const env = { ...process.env, GO_OFFSETS_CACHE: cache, [STALE_MS_ENV]: '2000' };
    const expected = await readFile(join(cache, 'a.json'), 'utf8');
    // A fresh result tree: the killed run must start from no results at all.
    for (const part of [['tracker'], ['debian-modules', 'results']]) await rm(join(cache, ...part), { recursive: true, force: true });
    const victim = start(process.execPath, runArgs(join(cache, 'killed.json')), env);
    // Kill once a build is under way: a job's lock is held and its private work directory exists.
    const deadline = Date.now() + 300_000;
    let underway = false;
    while (!underway && Date.now() < deadline) {
      const paths = await walk(cache);
      underway = paths.some((p) => p.endsWith('.lock')) && paths.some((p) => /tracker\/work\/./.test(p));
      if (!underway) await new Promise((r) => setTimeout(r, 100));
    }
    expect(underway, 'the run reached a build').toBe(true);
    process.kill(-victim.pid, 'SIGKILL');
    const killed = await victim.done;
    expect(killed.code).toBe(null);
    expect(existsSync(join(cache, 'killed.json'))).toBe(false);

    const rerun = await start(process.execPath, runArgs(join(cache, 'rerun.json')), env).done;
    expect({ code: rerun.code, stderr: rerun.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(await readFile(join(cache, 'rerun.json'), 'utf8')).toBe(expected);
    // The killed run's work directory, temporary files and locks are gone: the rerun swept the
    // debris of the dead process (common/private-path) and took its locks over.
    expect((await walk(cache)).filter((p) => LEFTOVER.test(p))).toEqual([]);
  });
});

describe('two preparations of the test matrix at once', () => {
  it('both assemble the same GOROOT once and write the same manifest', async () => {
    // One suite (its Go package .debs already downloaded), with no assembled toolchain.
    const cache = await scratchCache([['debian']]);
    scratches.push(cache);
    const script = join(cache, 'prepare-matrix.mts');
    await writeFile(
      script,
      `import { buildMatrix } from ${JSON.stringify(join(REPO, 'test', 'support', 'toolchains.ts'))};\n` +
        `const { toolchains, manifest } = await buildMatrix();\nconsole.log(JSON.stringify({ toolchains, manifest }));\n`,
    );
    // trixie: one Go package (1.24), 280 MB assembled, where bookworm's 1.19 ships its compiled std (470 MB).
    const env = { ...process.env, GO_OFFSETS_CACHE: cache, GO_OFFSETS_DEBIAN_SUITES: 'trixie' };
    const tsx = join(REPO, 'node_modules', '.bin', 'tsx');
    const runs = await Promise.all([start(tsx, [script], env).done, start(tsx, [script], env).done]);
    for (const r of runs) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    const [a, b] = runs.map((r) => JSON.parse(r.stdout) as { toolchains: Toolchain[]; manifest: string });
    expect(a).toEqual(b);
    expect(a.toolchains.length).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(a.manifest, 'utf8'))).toEqual(a.toolchains);
    // One GOROOT, nothing half-assembled or moved aside, no lock left.
    expect((await readdir(join(cache, 'toolchains'))).sort()).toEqual(a.toolchains.map((t) => t.version).sort());
    expect((await walk(cache)).filter((p) => LEFTOVER.test(p))).toEqual([]);
    const version = await new Promise<Exit>((resolve) => {
      const r = start(a.toolchains[0].go, ['version'], { ...process.env, GOROOT: a.toolchains[0].goroot, GOTOOLCHAIN: 'local' });
      void r.done.then(resolve);
    });
    expect(version.stdout).toContain(a.toolchains[0].version);
  });
});
