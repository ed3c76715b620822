// common/build-once and common/lock across real processes: one producer per
// entry however many processes ask at once, a lock left by a killed process is
// taken over, and a failed or killed producer leaves no entry behind (and the
// next producer removes its temporary file).
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce } from '../../common/build-once.js';
import { STALE_MS, STALE_MS_ENV } from '../../common/lock.js';

const REPO = join(import.meta.dirname, '..', '..');
let dir: string;
let askers = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'build-once-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A process that asks for `entry`, producing it (slowly, logging to `log`) when nobody has. */
function asker(entry: string, log: string, opts: { failFirst?: boolean; holdMs?: number; staleMs?: number } = {}): { pid: number; done: Promise<number | null> } {
  const script = `
    import { appendFileSync, writeFileSync } from 'node:fs';
    import { buildOnce } from ${JSON.stringify(join(REPO, 'common', 'build-once.ts'))};
    await buildOnce(${JSON.stringify(entry)}, async (tmp) => {
      writeFileSync(tmp, 'half');
      appendFileSync(${JSON.stringify(log)}, 'produce ' + process.pid + '\\n');
      await new Promise((r) => setTimeout(r, ${opts.holdMs ?? 300}));
      writeFileSync(tmp, 'made by ' + process.pid);
    });
    appendFileSync(${JSON.stringify(log)}, 'got ' + process.pid + '\\n');
  `;
  const file = join(dir, `asker-${++askers}.mts`);
  writeFileSync(file, script);
  const env = opts.staleMs ? { ...process.env, [STALE_MS_ENV]: String(opts.staleMs) } : process.env;
  const child = spawn(join(REPO, 'node_modules', '.bin', 'tsx'), [file], { stdio: 'inherit', detached: true, env });
  return { pid: child.pid!, done: new Promise((resolve) => child.on('close', (code) => resolve(code))) };
}

const lines = async (log: string) => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);

describe('buildOnce across processes', () => {
  it('four processes asking at once: one produces, all four get the entry', async () => {
    const entry = join(dir, 'a', 'entry');
    const log = join(dir, 'a.log');
    const codes = await Promise.all([1, 2, 3, 4].map(() => asker(entry, log).done));
    expect(codes).toEqual([0, 0, 0, 0]);
    const l = await lines(log);
    expect(l.filter((x) => x.startsWith('produce'))).toHaveLength(1);
    expect(l.filter((x) => x.startsWith('got'))).toHaveLength(4);
    expect(await readFile(entry, 'utf8')).toBe(`made by ${l[0].split(' ')[1]}`);
    expect(await readdir(join(dir, 'a'))).toEqual(['entry']);
  });

  it('a producer killed midway leaves no entry; the next asker takes its lock over and produces', async () => {
    const entry = join(dir, 'b', 'entry');
    const log = join(dir, 'b.log');
    // Both sides take a lock for stale after 2 s (GO_OFFSETS_LOCK_STALE_MS) instead of 10.
    const staleMs = 2_000;
    const victim = asker(entry, log, { holdMs: 60_000, staleMs });
    while (!(await lines(log)).length) await new Promise((r) => setTimeout(r, 50));
    process.kill(-victim.pid, 'SIGKILL');
    expect(await victim.done).toBe(null);
    expect(existsSync(entry)).toBe(false);
    const t0 = Date.now();
    expect(await asker(entry, log, { staleMs }).done).toBe(0);
    // It waited for the dead holder's lock to go stale, and no longer.
    expect(Date.now() - t0).toBeLessThan(staleMs + 15_000);
    const l = await lines(log);
    expect(l.filter((x) => x.startsWith('produce'))).toHaveLength(2);
    expect(await readFile(entry, 'utf8')).toBe(`made by ${l[2].split(' ')[1]}`);
    // The victim's half-written temporary file went with it: the next producer swept it (common/private-path).
    expect(await readdir(join(dir, 'b'))).toEqual(['entry']);
  }, 120_000);

  it('an old lock directory with nobody behind it does not hold anyone up past staleness', async () => {
    const entry = join(dir, 'c', 'entry');
    await mkdir(`${entry}.lock`, { recursive: true });
    const old = new Date(Date.now() - STALE_MS * 2);
    await utimes(`${entry}.lock`, old, old);
    await buildOnce(entry, (tmp) => writeFile(tmp, 'x'));
    expect(await readFile(entry, 'utf8')).toBe('x');
    expect(existsSync(`${entry}.lock`)).toBe(false);
  });

  it('a failing producer leaves neither the entry nor its temporary file, and the error reaches the caller', async () => {
    const entry = join(dir, 'd', 'entry');
    await expect(
      buildOnce(entry, async (tmp) => {
        await writeFile(tmp, 'half');
        throw new Error('build broke');
      }),
    ).rejects.toThrow('build broke');
    expect(await readdir(join(dir, 'd'))).toEqual([]);
    await buildOnce(entry, (tmp) => writeFile(tmp, 'whole'));
    expect(await readFile(entry, 'utf8')).toBe('whole');
  });

  it('an invalid entry (per `valid`) is rebuilt, not trusted', async () => {
    const entry = join(dir, 'e', 'entry');
    await mkdir(join(dir, 'e'), { recursive: true });
    await writeFile(entry, 'trunc');
    await buildOnce(entry, (tmp) => writeFile(tmp, 'complete'), { valid: async (p) => existsSync(p) && (await readFile(p, 'utf8')) === 'complete' });
    expect(await readFile(entry, 'utf8')).toBe('complete');
  });
});
