// The agent's own caches (inspected targets, resolved offsets) through common/json-cache:
// a damaged file is reported once on stderr and rebuilt, never trusted; the agent still
// attaches with the right offsets. Real agent, real eBPF, a stripped target.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
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

/** Runs the agent on `exe` with its caches under `cache` until it has attached and saved them; returns its stderr. */
async function attachOnce(exe: string, table: string): Promise<string> {
  const agent = startAgent(['--exe', exe, '--table', table], { GO_OFFSETS_CACHE: cache });
  try {
    await agent.attached;
    const files = async () => (await Promise.all(['targets', 'offsets'].map((d) => readdir(join(cache, 'agent', d)).catch(() => [])))).flat().filter((f) => f.endsWith('.json'));
    const deadline = Date.now() + 10_000;
    while ((await files()).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    agent.proc.kill('SIGINT');
    expect(await agent.exit).toBe(0);
    return agent.stderr();
  } finally {
    agent.proc.kill('SIGKILL');
  }
}

describe("the agent's caches", () => {
  it('a truncated target cache and an offsets cache of another format are reported once each and rebuilt', async () => {
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
  });
});
