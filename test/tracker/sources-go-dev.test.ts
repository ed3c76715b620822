import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixToolchains, type Toolchain } from '../support/toolchains.js';
import { startGoDevServer, unreachableUrl, type GoDevServer } from '../support/servers/index.js';
import { GoDevSource, createReleaseSources, listReleases, goDevGorootDir } from '../../tracker/sources/index.js';
import { download, downloadPath } from '../../fetch/index.js';
import { createProgress } from '../../tracker/progress.js';

const run = promisify(execFile);
const fastRetries = { minBackoffMs: 20, maxBackoffMs: 100, maxRetries: 3, connectTimeoutMs: 2000, idleTimeoutMs: 10_000 };

/** Every file under dir, relative, sorted; [] when dir does not exist. */
async function listTree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true }).catch(() => [] as string[])).map(String).sort();
}

let toolchain: Toolchain;
let cacheDir: string;
const servers: GoDevServer[] = [];

beforeAll(async () => {
  const matrix = await matrixToolchains();
  if (matrix.length === 0) throw new Error('no Go toolchain in the test matrix (test/support/toolchains.ts matrixToolchains() returned none)');
  toolchain = matrix[0];
  cacheDir = await mkdtemp(join(tmpdir(), 'go-offsets-sources-'));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
});

async function server(faults?: Parameters<typeof startGoDevServer>[0]['faults'], extraReleases?: unknown[]): Promise<GoDevServer> {
  const s = await startGoDevServer({ toolchains: [toolchain], faults, extraReleases });
  servers.push(s);
  return s;
}

describe('go.dev source', () => {
  it('lists, downloads, verifies and extracts a real toolchain whose go runs', async () => {
    const s = await server(undefined, [
      { version: 'go1.99rc1', stable: false, files: [] },
      { version: 'go1.0.3', stable: true, files: [{ filename: 'go1.0.3.src.tar.gz', os: '', arch: '', version: 'go1.0.3', sha256: '', size: 1, kind: 'source' }] },
    ]);
    const dir = join(cacheDir, 'ok');
    const source = new GoDevSource({ mirror: s.url, cacheDir: dir, http: fastRetries });
    const releases = await source.list();
    // The prerelease is left out, as is the release without a linux archive for this host.
    expect(releases.map((r) => [r.version, r.source])).toEqual([[toolchain.version, 'go.dev']]);
    const { goroot } = await releases[0].obtain();
    expect(goroot).toBe(join(goDevGorootDir(s.archives[0].sha256, dir), 'go'));
    const { stdout } = await run(join(goroot, 'bin', 'go'), ['version'], { env: { ...process.env, GOROOT: goroot, GOTOOLCHAIN: 'local' } });
    expect(stdout).toMatch(new RegExp(`^go version ${toolchain.version.replace(/\./g, '\\.')} `));
    // Obtained again: no new request, same GOROOT.
    const before = s.requests.length;
    expect((await releases[0].obtain()).goroot).toBe(goroot);
    expect(s.requests.length).toBe(before);
    expect(await listTree(join(dir, 'downloads'))).toEqual(['sha256', 'tmp', join('sha256', s.archives[0].sha256)].sort());
  });

  it('lists prereleases when asked', async () => {
    const s = await server(undefined, [
      { version: 'go1.99rc1', stable: false, files: [{ filename: 'go1.99rc1.linux-amd64.tar.gz', os: 'linux', arch: process.arch === 'arm64' ? 'arm64' : 'amd64', version: 'go1.99rc1', sha256: 'a'.repeat(64), size: 1, kind: 'archive' }] },
    ]);
    const [source] = createReleaseSources(['go.dev'], { goMirror: s.url, includePrereleases: true });
    expect((await source.list()).map((r) => r.version)).toEqual([toolchain.version, 'go1.99rc1']);
  });

  it('refuses an archive whose sha256 does not match, and keeps nothing of it', async () => {
    const s = await server({ wrongSha256: [`${toolchain.version}.linux-amd64.tar.gz`, `${toolchain.version}.linux-arm64.tar.gz`] });
    const dir = join(cacheDir, 'checksum');
    const [release] = await new GoDevSource({ mirror: s.url, cacheDir: dir, http: fastRetries }).list();
    await expect(release.obtain()).rejects.toMatchObject({ code: 'ERR_CHECKSUM', message: expect.stringContaining('sha256 mismatch') });
    expect(await listTree(join(dir, 'downloads'))).toEqual(['sha256', 'tmp']);
    expect(await listTree(join(dir, 'goroots'))).toEqual([]);
  });

  it('retries a download whose connection drops midway, resuming it, and succeeds', async () => {
    const s = await server({ dropMidway: { afterBytes: 1 << 20, times: 2 } });
    const dir = join(cacheDir, 'drop');
    const [archive] = s.archives;
    // download() directly: obtain() would add an extraction the first test already covers.
    const path = await download(`${s.url}/${archive.filename}`, { ...fastRetries, sha256: archive.sha256, size: archive.size, cacheDir: dir });
    expect(path).toBe(downloadPath(archive.sha256, dir));
    const archiveRequests = s.requests.filter((r) => r.path.endsWith('.tar.gz'));
    expect(archiveRequests.length).toBe(3);
    expect(archiveRequests.slice(1).map((r) => r.range)).toEqual(['bytes=1048576-' + (archive.size - 1), 'bytes=2097152-' + (archive.size - 1)]);
    expect(await listTree(join(dir, 'downloads'))).toEqual(['sha256', 'tmp', join('sha256', archive.sha256)].sort());
  });

  it('reports a 404 clearly, without retrying it, and keeps nothing', async () => {
    const s = await server({ missing: [s0name()] });
    const dir = join(cacheDir, 'missing');
    const [release] = await new GoDevSource({ mirror: s.url, cacheDir: dir, http: fastRetries }).list();
    await expect(release.obtain()).rejects.toMatchObject({ code: 'ERR_HTTP_NOT_FOUND', status: 404, message: expect.stringContaining(`${s.url}/${s0name()}`) });
    expect(s.requests.filter((r) => r.path.endsWith('.tar.gz')).length).toBe(1);
    expect(await listTree(join(dir, 'downloads'))).toEqual(['sha256', 'tmp']);
    expect(await listTree(join(dir, 'goroots'))).toEqual([]);
  });

  it('gives a clear error for a malformed index', async () => {
    const notJson = await server({ index: '<html>oops</html>' });
    await expect(new GoDevSource({ mirror: notJson.url, http: fastRetries }).list()).rejects.toMatchObject({ code: 'ERR_INDEX_MALFORMED', message: expect.stringContaining('not JSON') });
    const badShape = await server({ index: JSON.stringify([{ version: 'go1.21.0', stable: true, files: [{ filename: '../../etc/passwd', os: 'linux', arch: 'amd64', version: 'go1.21.0', sha256: 'a'.repeat(64), size: 1, kind: 'archive' }] }]) });
    await expect(new GoDevSource({ mirror: badShape.url, http: fastRetries }).list()).rejects.toMatchObject({ code: 'ERR_INDEX_MALFORMED', message: expect.stringContaining('/0/files/0/filename') });
  });

  it('reports an unreachable source in one line and lists the others', async () => {
    const s = await server();
    const lines: string[] = [];
    const progress = createProgress({ tty: false, stream: { write: (t: string) => (lines.push(t), true) } as unknown as NodeJS.WritableStream });
    const down = await unreachableUrl();
    const sources = [
      new GoDevSource({ mirror: down, http: fastRetries }),
      ...createReleaseSources([`dir:${toolchain.goroot}`]),
      new GoDevSource({ mirror: s.url, http: fastRetries }),
    ];
    const { releases, unavailable } = await listReleases(sources, { progress });
    expect(releases.map((r) => `${r.source} ${r.version}`)).toEqual([`dir ${toolchain.version}`, `go.dev ${toolchain.version}`]);
    expect(unavailable.map((e) => e.code)).toEqual(['ERR_SOURCE_UNAVAILABLE']);
    const text = lines.join('');
    expect(text.split('\n').filter(Boolean)).toHaveLength(1);
    expect(text).toMatch(/^unavailable, skipped: go\.dev: .*ECONNREFUSED/);
  });
});

function s0name(): string {
  return `${toolchain.version}.linux-${process.arch === 'arm64' ? 'arm64' : 'amd64'}.tar.gz`;
}
