// Private paths (common/private-path.ts) with real processes: what a process
// killed midway left behind is removed by the next process that makes a
// private path in the same directory; what a running process, another pid
// namespace or anything else owns is left alone.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateOwner, privatePath, sweepDebris } from '../../common/private-path.js';
import { repoRoot, requireFreshBuild } from '../support/built-cli.js';

const BUILT = join(repoRoot, 'dist', 'common', 'private-path.js');
let dir: string;

beforeAll(async () => {
  requireFreshBuild('dist/common/private-path.js', ['common/private-path.ts']);
  dir = await mkdtemp(join(tmpdir(), 'go-offsets-private-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * A node process that makes a private file and a private directory (with a directory in it)
 * beside `target`, prints their names, then waits until killed.
 */
function owner(target: string) {
  const code = `
    import { mkdirSync, writeFileSync } from 'node:fs';
    import { basename, join } from 'node:path';
    import { privatePath } from ${JSON.stringify(BUILT)};
    const file = privatePath(${JSON.stringify(target)});
    writeFileSync(file, 'half');
    const work = privatePath(${JSON.stringify(target)}, '.part');
    mkdirSync(join(work, 'inner'), { recursive: true });
    console.log(JSON.stringify([basename(file), basename(work)]));
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const names = new Promise<string[]>((resolve, reject) => {
    child.stdout.once('data', (b: Buffer) => resolve(JSON.parse(String(b)) as string[]));
    child.once('exit', (c) => reject(new Error(`owner exited ${c} before making its paths`)));
  });
  return { child, names };
}

/** What a fresh process's sweep of `target`'s directory removes. */
async function sweepInNewProcess(target: string): Promise<string[]> {
  const script = `import { sweepDebris } from ${JSON.stringify(BUILT)}; console.log(JSON.stringify(sweepDebris(${JSON.stringify(join(target, '..'))})));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b));
  const [exitCode] = (await once(child, 'exit')) as [number];
  expect(exitCode).toBe(0);
  return (JSON.parse(out) as string[]).sort();
}

describe('private paths', () => {
  it('name their owner and are unique', () => {
    const a = privatePath(join(dir, 'entry'));
    const b = privatePath(join(dir, 'entry'), '.part');
    expect(a).not.toBe(b);
    expect(basename(a)).toMatch(/^\.entry\..*\.tmp$/);
    expect(privateOwner(basename(a))).toEqual({ pid: process.pid, namespace: expect.stringMatching(/^[0-9a-z]+$/) });
    expect(privateOwner(basename(b))?.pid).toBe(process.pid);
    expect(privateOwner('entry.json')).toBeUndefined();
    expect(privateOwner('.entry.1234.deadbeef.tmp')).toBeUndefined(); // no namespace: not ours to judge
  });

  it("a killed process's files and directories are swept by the next one; a live one's, another namespace's and other names stay", async () => {
    const target = join(dir, 'result.json');
    const killed = owner(target);
    const live = owner(target);
    const [killedNames, liveNames] = await Promise.all([killed.names, live.names]);
    killed.child.kill('SIGKILL');
    await once(killed.child, 'exit');

    const ns = privateOwner(killedNames[0])!.namespace;
    const foreign = `.result.json.${killed.child.pid}-${ns === 'zz' ? 'zy' : 'zz'}.abc.tmp`; // a pid of another namespace
    await writeFile(join(dir, foreign), 'theirs');
    await writeFile(join(dir, 'result.json'), 'done');
    await mkdir(join(dir, 'cache'));

    expect(await sweepInNewProcess(target)).toEqual([...killedNames].sort());
    const left = (await readdir(dir)).sort();
    expect(left).toEqual(['cache', foreign, 'result.json', ...liveNames].sort());

    live.child.kill('SIGKILL');
    await once(live.child, 'exit');
    expect(await sweepInNewProcess(target)).toEqual([...liveNames].sort());
    expect((await readdir(dir)).sort()).toEqual(['cache', foreign, 'result.json'].sort());
  });

  it('sweeps a directory once per process', async () => {
    const sub = await mkdtemp(join(dir, 'once-'));
    expect(sweepDebris(sub)).toEqual([]);
    const dead = owner(join(sub, 'x'));
    await dead.names;
    dead.child.kill('SIGKILL');
    await once(dead.child, 'exit');
    // This process has already swept `sub`: its debris waits for the next process.
    expect(sweepDebris(sub)).toEqual([]);
    privatePath(join(sub, 'x'));
    expect((await readdir(sub)).length).toBe(2);
    expect((await sweepInNewProcess(join(sub, 'x'))).length).toBe(2);
  });
});
