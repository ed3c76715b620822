import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutModuleVersion, escapeModulePath, listModuleVersions, parseGoproxy } from '../../tracker/modules/index.js';
import { createFixtureGitRepo, startGoProxy, unreachableUrl, type FixtureGitRepo, type GoProxyServer } from '../support/servers/index.js';
import { goEnv, matrixToolchains } from '../support/toolchains.js';

const run = promisify(execFile);
const http = { minBackoffMs: 10, maxBackoffMs: 50, maxRetries: 2, connectTimeoutMs: 2000 };
const LAYOUT = 'example.test/layout';
const stable = ['v1.0.0', 'v1.0.1', 'v1.1.0', 'v1.2.0', 'v1.3.0'];

let proxy: GoProxyServer;
let onlyCase: GoProxyServer;
let broken: GoProxyServer;
let down: string;
let repo: FixtureGitRepo;
let subRepo: FixtureGitRepo;
let scratch: string;

beforeAll(async () => {
  proxy = await startGoProxy();
  onlyCase = await startGoProxy({ modules: ['example.test/CaseMod'] });
  broken = await startGoProxy({ failWith: 500 });
  down = await unreachableUrl();
  repo = await createFixtureGitRepo({ module: LAYOUT, extraTags: ['latest', 'v2', 'release-1.0', 'v1.5'] });
  subRepo = await createFixtureGitRepo({ module: LAYOUT, subdir: 'layout' });
  scratch = await mkdtemp(join(tmpdir(), 'go-offsets-modules-'));
});

afterAll(async () => {
  await Promise.all([proxy, onlyCase, broken].filter(Boolean).map((s) => s.close()));
  await Promise.all([repo, subRepo].filter(Boolean).map((r) => r.remove()));
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('GOPROXY syntax and escaping', () => {
  it('parses lists as the go command does', () => {
    expect(parseGoproxy('http://a.test,b.test|http://c.test/,direct,http://ignored.test')).toEqual([
      { kind: 'url', url: 'http://a.test', fallback: ',' },
      { kind: 'url', url: 'https://b.test', fallback: '|' },
      { kind: 'url', url: 'http://c.test', fallback: ',' },
      { kind: 'direct' },
    ]);
    expect(parseGoproxy('off')).toEqual([{ kind: 'off' }]);
    expect(() => parseGoproxy(' , ')).toThrow(expect.objectContaining({ code: 'ERR_GOPROXY_SYNTAX' }));
  });

  it('escapes upper case with ! and refuses bad paths', () => {
    expect(escapeModulePath('github.com/Azure/azure-sdk-for-go')).toBe('github.com/!azure/azure-sdk-for-go');
    for (const bad of ['', '/abs', 'a//b', 'a/../b', 'has space/x', 'bang!/x']) {
      expect(() => escapeModulePath(bad), bad).toThrow(expect.objectContaining({ code: 'ERR_MODULE_PATH' }));
    }
  });
});

describe('module versions from a GOPROXY', () => {
  it('lists semver-ordered stable versions, with the proxy as origin', async () => {
    const got = await listModuleVersions(LAYOUT, { goproxy: proxy.url, http });
    expect(got.map((v) => v.version)).toEqual(stable);
    expect(got.every((v) => v.source === 'proxy' && v.origin === proxy.url && v.module === LAYOUT)).toBe(true);
  });

  it('includes prereleases on request and honours the lower bound', async () => {
    const got = await listModuleVersions(LAYOUT, { goproxy: proxy.url, includePrereleases: true, minVersion: 'v1.1.0', http });
    expect(got.map((v) => v.version)).toEqual(['v1.1.0', 'v1.2.0', 'v1.3.0', 'v1.4.0-rc.1']);
  });

  it('escapes upper-case module paths in requests', async () => {
    const got = await listModuleVersions('example.test/CaseMod', { goproxy: proxy.url, http });
    expect(got.map((v) => v.version)).toEqual(['v0.1.0', 'v0.2.0']);
    expect(proxy.requests.map((r) => r.path)).toContain('/example.test/!case!mod/@v/list');
  });

  it('falls through a comma only on 404, a pipe on any error', async () => {
    const viaComma = await listModuleVersions(LAYOUT, { goproxy: `${onlyCase.url},${proxy.url}`, http });
    expect(viaComma.map((v) => v.origin)).toEqual(stable.map(() => proxy.url));
    await expect(listModuleVersions(LAYOUT, { goproxy: `${broken.url},${proxy.url}`, http })).rejects.toMatchObject({ code: 'ERR_MODULE_LIST', message: expect.stringContaining('HTTP 500') });
    await expect(listModuleVersions(LAYOUT, { goproxy: `${down},${proxy.url}`, http })).rejects.toMatchObject({ code: 'ERR_MODULE_LIST', message: expect.stringContaining('ECONNREFUSED') });
    const viaPipe = await listModuleVersions(LAYOUT, { goproxy: `${broken.url}|${down}|${proxy.url}`, http });
    expect(viaPipe.map((v) => v.version)).toEqual(stable);
  });

  it('reports a module that no proxy has', async () => {
    await expect(listModuleVersions(LAYOUT, { goproxy: onlyCase.url, http })).rejects.toMatchObject({
      code: 'ERR_MODULE_NOT_FOUND',
      message: expect.stringContaining(`${onlyCase.url}/example.test/layout/@v/list`),
    });
  });

  it('refuses GOPROXY=off with a clear message, also after a fall-through', async () => {
    await expect(listModuleVersions(LAYOUT, { goproxy: 'off' })).rejects.toMatchObject({ code: 'ERR_GOPROXY_OFF', message: expect.stringContaining('GOPROXY=off') });
    await expect(listModuleVersions(LAYOUT, { goproxy: `${onlyCase.url},off`, http })).rejects.toMatchObject({ code: 'ERR_GOPROXY_OFF' });
  });

  it('serves modules that a real go build resolves (the way the core builds probes)', async () => {
    const [tc] = await matrixToolchains();
    if (!tc) throw new Error('no Go toolchain in the test matrix (matrixToolchains() returned none)');
    const dir = join(scratch, 'build');
    await run('mkdir', ['-p', dir]);
    await writeFile(join(dir, 'go.mod'), `module probe\n\ngo 1.15\n\nrequire ${LAYOUT} v1.2.0\n`);
    await writeFile(join(dir, 'main.go'), `package main\n\nimport (\n\t"fmt"\n\t"unsafe"\n\n\t"${LAYOUT}"\n)\n\nfunc main() {\n\tvar c layout.Conn\n\tfmt.Println(layout.Version, unsafe.Offsetof(c.Name))\n}\n`);
    const env = goEnv(tc, { GOPROXY: proxy.url, GOSUMDB: 'off', GOFLAGS: '-mod=mod', GOPATH: join(scratch, 'gopath'), GOMODCACHE: join(scratch, 'modcache') });
    await run(tc.go, ['build', '-trimpath', '-o', 'probe', '.'], { cwd: dir, env });
    const { stdout } = await run(join(dir, 'probe'), []);
    expect(stdout.trim()).toBe('v1.2.0 16');
    await run('chmod', ['-R', 'u+w', join(scratch, 'modcache')]);
  });
});

describe('module versions from git (GOPROXY direct)', () => {
  it('lists semver tags of the repository, ignoring other tags', async () => {
    const got = await listModuleVersions(LAYOUT, { goproxy: 'direct', gitRepos: { [LAYOUT]: repo.path } });
    expect(got.map((v) => v.version)).toEqual(stable);
    expect(got.every((v) => v.source === 'git' && v.origin === repo.path)).toBe(true);
  });

  it('falls through a 404 proxy to direct, and reads subdirectory tag prefixes', async () => {
    const got = await listModuleVersions(LAYOUT, { goproxy: `${onlyCase.url},direct`, gitRepos: { [LAYOUT]: `${subRepo.path}#layout` }, includePrereleases: true });
    expect(got.map((v) => v.version)).toEqual([...stable, 'v1.4.0-rc.1']);
    expect(subRepo.tags).toContain('layout/v1.0.0');
  });

  it('says which module has no repository for direct', async () => {
    await expect(listModuleVersions(LAYOUT, { goproxy: 'direct' })).rejects.toMatchObject({ code: 'ERR_NO_GIT_REPO', message: expect.stringContaining(LAYOUT) });
  });

  it('checks a tag out into the cache, once, and the dir holds that version', async () => {
    const cacheDir = join(scratch, 'cache');
    const dir = await checkoutModuleVersion(LAYOUT, 'v1.0.1', repo.path, { cacheDir });
    expect(await readFile(join(dir, 'layout.go'), 'utf8')).toContain('const Version = "v1.0.1"');
    expect(await checkoutModuleVersion(LAYOUT, 'v1.0.1', repo.path, { cacheDir })).toBe(dir);
    const sub = await checkoutModuleVersion(LAYOUT, 'v1.3.0', `${subRepo.path}#layout`, { cacheDir });
    expect(sub.endsWith(join('v1.3.0', 'layout'))).toBe(true);
    expect(await readFile(join(sub, 'layout.go'), 'utf8')).toContain('ID    uint32');
    // A missing tag fails with a typed error and leaves no temp dir behind.
    await expect(checkoutModuleVersion(LAYOUT, 'v9.9.9', repo.path, { cacheDir })).rejects.toMatchObject({ code: 'ERR_GIT', message: expect.stringContaining('v9.9.9') });
    const repoDirs = await readdir(join(cacheDir, 'modules', 'git'));
    const left = (await Promise.all(repoDirs.map((d) => readdir(join(cacheDir, 'modules', 'git', d))))).flat().sort();
    expect(left).toEqual(['v1.0.1', 'v1.3.0']);
  });
});
