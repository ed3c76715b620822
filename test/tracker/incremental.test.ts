// An incremental rerun builds and downloads nothing. The oracle is outside the
// tracker: the toolchain's `go` is wrapped by a script that logs every call.
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cachePath } from '../../common/cache-dir.js';
import type { TrackerConfig } from '../../tracker/config.js';
import { silentProgress } from '../../tracker/progress.js';
import { runTracker } from '../../tracker/run.js';
import { matrix, stdConfig, tempDir } from './tracker-helpers.js';

let config: TrackerConfig;
let dir: string;
let goroot: string;
let log: string;

/**
 * A GOROOT that mirrors `real` through symlinks, with bin/go logging each call
 * into ROOT/go-calls.log (a path baked into the script: the tracker runs go with
 * a clean environment, so an environment variable would not reach it). Stable
 * path: its build cache survives test runs.
 */
async function loggingGoroot(real: string, version: string): Promise<string> {
  const root = cachePath('test', 'tracker-logging-goroot', version);
  const script = `#!/bin/sh\nprintf '%s\\n' "$*" >> ${JSON.stringify(join(root, 'go-calls.log'))}\nexec ${JSON.stringify(join(real, 'bin', 'go'))} "$@"\n`;
  if (!existsSync(join(root, 'bin', 'go')) || (await readFile(join(root, 'bin', 'go'), 'utf8')) !== script) {
    await rm(root, { recursive: true, force: true });
    await mkdir(join(root, 'bin'), { recursive: true });
    for (const name of await readdir(real)) if (name !== 'bin') await symlink(join(real, name), join(root, name));
    for (const name of await readdir(join(real, 'bin'))) if (name !== 'go') await symlink(join(real, 'bin', name), join(root, 'bin', name));
    await writeFile(join(root, 'bin', 'go'), script);
    await chmod(join(root, 'bin', 'go'), 0o755);
  }
  return root;
}

const calls = async () => (existsSync(log) ? (await readFile(log, 'utf8')).split('\n').filter(Boolean) : []);

beforeAll(async () => {
  const tcs = await matrix();
  const tc = tcs.find((t) => t.minor === '1.19') ?? tcs[0];
  dir = await tempDir('incremental');
  config = (await stdConfig(dir)).config;
  goroot = await loggingGoroot(tc.goroot, tc.version);
  log = join(goroot, 'go-calls.log');
  await rm(log, { force: true });
});

describe('incremental runs', () => {
  it('a rerun with nothing new runs no go command and obtains no toolchain; --force redoes everything', async () => {
    const out = join(dir, 'offsets.json');
    // What the tracker logs (a failed job's reason among it), shown if a run does not exit 0.
    const logged: string[] = [];
    const progress = { ...silentProgress, log: (line: string) => void logged.push(line) };
    const opts = { config, sources: [`dir:${goroot}`], archs: ['amd64' as const], out, progress };
    const first = await runTracker({ ...opts, force: true });
    expect({ exitCode: first.exitCode, logged }).toEqual({ exitCode: 0, logged: expect.any(Array) });
    expect(first.stats.built).toBe(1);
    const afterFirst = await calls();
    expect(afterFirst.some((c) => c.startsWith('build '))).toBe(true);
    const bytes = await readFile(out, 'utf8');

    const again = await runTracker(opts);
    expect(again.stats).toMatchObject({ jobs: 1, fromTable: 1, built: 0, downloads: 0 });
    expect(await calls()).toEqual(afterFirst);
    expect(await readFile(out, 'utf8')).toBe(bytes);
    expect(again.summary.newOffsets).toEqual([]);

    // Without the table, the result cache answers: still nothing built.
    const fresh = await runTracker({ ...opts, out: join(dir, 'other.json') });
    expect(fresh.stats).toMatchObject({ fromCache: 1, built: 0, downloads: 0 });
    expect(await calls()).toEqual(afterFirst);
    expect(await readFile(join(dir, 'other.json'), 'utf8')).toBe(bytes);

    const forced = await runTracker({ ...opts, force: true });
    expect(forced.stats.built).toBe(1);
    expect((await calls()).length).toBeGreaterThan(afterFirst.length);
    expect(await readFile(out, 'utf8')).toBe(bytes);
  });

  it('a field added to the config redoes the versions that lack it', async () => {
    const out = join(dir, 'grow.json');
    const small: TrackerConfig = { ...config, modules: [{ ...config.modules[0], fields: config.modules[0].fields.filter((f) => f.selector.startsWith('runtime.')) }] };
    await runTracker({ config: small, sources: [`dir:${goroot}`], archs: ['amd64'], out });
    const before = (await calls()).length;
    const grown = await runTracker({ config, sources: [`dir:${goroot}`], archs: ['amd64'], out });
    expect(grown.stats.fromTable).toBe(0);
    expect(grown.summary.newOffsets.some((o) => o.includes('net/http.Request.ctx'))).toBe(true);
    // Either built now or answered by the result cache of the full field set (test order): never from the small table.
    expect(grown.stats.built + grown.stats.fromCache).toBe(1);
    expect((await calls()).length).toBeGreaterThanOrEqual(before);
  });
});

