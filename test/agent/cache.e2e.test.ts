// The agent's own caches (inspected targets, resolved offsets) through common/json-cache:
// a damaged file is reported once on stderr and rebuilt, never trusted; the agent still
// attaches with the right offsets; a directory past its limit keeps the entries used
// last. Real agent, real eBPF, a stripped target.
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { MAX_CACHE_FILES } from '../../agent/cache-writes.js';
import { matrixToolchains } from '../support/toolchains.js';
import { buildApp, hasRegisterAbi, requireAgentPrerequisites, startAgent, tableFromDwarf, privateCopy, tempFile } from './support.js';

const newest = (await matrixToolchains()).filter(hasRegisterAbi).at(-1)!;
let cache: string;

beforeAll(async () => {
  requireAgentPrerequisites();
  cache = await mkdtemp(join(tmpdir(), 'agent-cache-'));
});
afterAll(async () => {
  if (cache) await rm(cache, { recursive: true, force: true });
});

/**
 * Runs the agent on `exe` with its caches under `cache` until it has attached and `saved()`
 * holds (by default: both caches hold a file); returns its stderr.
 */
async function attachOnce(exe: string, table: string, saved?: () => Promise<boolean>): Promise<string> {
  const agent = startAgent(['--exe', exe, '--table', table], { GO_OFFSETS_CACHE: cache });
  try {
    await agent.attached;
    const files = async () => (await Promise.all(['targets', 'offsets'].map((d) => readdir(join(cache, 'agent', d)).catch(() => [])))).flat().filter((f) => f.endsWith('.json'));
    const done = saved ?? (async () => (await files()).length >= 2);
    const deadline = Date.now() + 10_000;
    while (!(await done()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    agent.proc.kill('SIGINT');
    expect(await agent.exit).toBe(0);
    return agent.stderr();
  } finally {
    agent.proc.kill('SIGKILL');
  }
}

describe("the agent's caches", () => {
  it('a truncated target cache and an offsets cache of another format are reported once each and rebuilt; past the limit, the least recently used entries go', async () => {
    // A copy: an agent given --exe traces every process of the executable, and other files run the cached build.
    const copy = await privateCopy(await buildApp(newest, 'stripped'));
    onTestFinished(() => copy.done());
    const exe = copy.path;
    const table = await tableFromDwarf(newest, await tempFile('cache-table.json'));
    const first = await attachOnce(exe, table);
    expect(first).not.toContain('cache file');
    const [target] = await readdir(join(cache, 'agent', 'targets'));
    const [offsets] = await readdir(join(cache, 'agent', 'offsets'));
    const targetFile = join(cache, 'agent', 'targets', target);
    const offsetsFile = join(cache, 'agent', 'offsets', offsets);
    const goodTarget = await readFile(targetFile, 'utf8');
    const goodOffsets = await readFile(offsetsFile, 'utf8');
    expect(JSON.parse(goodTarget)).toMatchObject({ cache: 'agent-target' });
    expect(JSON.parse(goodOffsets)).toMatchObject({ cache: 'agent-offsets' });

    await writeFile(targetFile, goodTarget.slice(0, goodTarget.length >> 1));
    await writeFile(offsetsFile, goodOffsets.replace(/"format":\d+/, '"format":1'));
    const second = await attachOnce(exe, table);
    const reports = second.split('\n').filter((l) => l.includes('cache file'));
    expect(reports).toEqual([
      expect.stringMatching(new RegExp(`${target.replace(/\./g, '\\.')} is not valid JSON .*rebuilding it`)),
      expect.stringMatching(new RegExp(`${offsets.replace(/\./g, '\\.')} is in format 1, not \\d+; rebuilding it`)),
    ]);
    expect(second).toContain('offsets from type descriptors');
    // Rebuilt: the same content as the first start wrote.
    expect(await readFile(targetFile, 'utf8')).toBe(goodTarget);
    expect(await readFile(offsetsFile, 'utf8')).toBe(goodOffsets);

    // A targets directory past the limit, full of entries older than this target's: a start that
    // answers from the cache renews its entry; a start that writes one prunes the directory to the
    // limit, the least recently used first.
    const targets = join(cache, 'agent', 'targets');
    const day = 86_400_000;
    const stale = Array.from({ length: MAX_CACHE_FILES + 10 }, (_, i) => `v0-old-${String(i).padStart(3, '0')}.json`);
    for (const [i, name] of stale.entries()) {
      await writeFile(join(targets, name), '{}');
      const t = new Date(Date.now() - 10 * day + i * 1000);
      await utimes(join(targets, name), t, t);
    }
    const longAgo = new Date(Date.now() - 30 * day);
    await utimes(targetFile, longAgo, longAgo);
    const renewed = async () => (await stat(targetFile)).mtimeMs > Date.now() - day;
    expect(await attachOnce(exe, table, renewed)).not.toContain('cache file');
    expect(await renewed()).toBe(true);
    expect(await readdir(targets)).toHaveLength(stale.length + 1);
    // Another executable (a copy: another inode) is inspected and written: now the directory is pruned.
    const other = await privateCopy(exe);
    onTestFinished(() => other.done());
    await attachOnce(other.path, table, async () => (await readdir(targets)).length === MAX_CACHE_FILES);
    const left = (await readdir(targets)).sort();
    expect(left).toHaveLength(MAX_CACHE_FILES);
    expect(left).toContain(target);
    // The oldest stale entries went: 266 stale + 2 real entries, 256 kept.
    expect(left.filter((n) => n.startsWith('v0-old-'))).toEqual(stale.slice(stale.length - (MAX_CACHE_FILES - 2)));
  });
});
