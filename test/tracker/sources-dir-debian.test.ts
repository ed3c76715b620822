import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReleaseSources, goVersionOfDebian, listReleases } from '../../tracker/sources/index.js';
import { unreachableUrl } from '../support/servers/index.js';
import { matrixToolchains, type Toolchain } from '../support/toolchains.js';

let toolchain: Toolchain;
let scratch: string;
beforeAll(async () => {
  const matrix = await matrixToolchains();
  if (matrix.length === 0) throw new Error('no Go toolchain in the test matrix (test/support/toolchains.ts matrixToolchains() returned none)');
  toolchain = matrix[0];
  scratch = await mkdtemp(join(tmpdir(), 'go-offsets-dir-'));
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('dir: source', () => {
  it('takes one GOROOT, reading the first line of VERSION', async () => {
    const [source] = createReleaseSources([`dir:${toolchain.goroot}`]);
    const releases = await source.list();
    expect(releases.map((r) => [r.version, r.source])).toEqual([[toolchain.version, 'dir']]);
    expect(await releases[0].obtain()).toEqual({ goroot: toolchain.goroot });
  });

  it('takes a directory of GOROOTs, ignoring other entries and prereleases unless asked', async () => {
    const root = join(scratch, 'many');
    await mkdir(join(root, 'go-new'), { recursive: true });
    await writeFile(join(root, 'go-new', 'VERSION'), 'go1.23.4\ntime 2024-12-03T00:00:00Z\n');
    await mkdir(join(root, 'go-rc'), { recursive: true });
    await writeFile(join(root, 'go-rc', 'VERSION'), 'go1.24rc1\n');
    await mkdir(join(root, 'not-a-goroot'), { recursive: true });
    await writeFile(join(root, 'README'), 'x');
    await symlink(toolchain.goroot, join(root, 'apt-go'));
    const versions = async (includePrereleases: boolean) => (await createReleaseSources([`dir:${root}`], { includePrereleases })[0].list()).map((r) => r.version);
    expect(await versions(false)).toEqual([toolchain.version, 'go1.23.4']);
    expect(await versions(true)).toEqual([toolchain.version, 'go1.23.4', 'go1.24rc1']);
  });

  it('says when a path holds no GOROOT, and when it does not exist', async () => {
    const empty = join(scratch, 'empty');
    await mkdir(empty, { recursive: true });
    await expect(createReleaseSources([`dir:${empty}`])[0].list()).rejects.toMatchObject({ code: 'ERR_NOT_GOROOT', message: expect.stringContaining(empty) });
    await expect(createReleaseSources([`dir:${join(scratch, 'nope')}`])[0].list()).rejects.toMatchObject({ code: 'ERR_SOURCE_UNAVAILABLE' });
  });
});

describe('source specs', () => {
  it('refuses an unknown spec, naming it', () => {
    for (const bad of ['godev', 'dir:', 'ftp://x']) {
      expect(() => createReleaseSources(['go.dev', bad]), bad).toThrow(expect.objectContaining({ code: 'ERR_SOURCE_SPEC', message: expect.stringContaining(JSON.stringify(bad)) }));
    }
  });
});

describe('debian source', () => {
  it('maps Debian package versions to Go versions', () => {
    expect(goVersionOfDebian('1.19.8-2')).toBe('go1.19.8');
    expect(goVersionOfDebian('2:1.21.13-1~bpo12+1')).toBe('go1.21.13');
    expect(goVersionOfDebian('1.24~rc1-1')).toBe('go1.24rc1');
  });

  it('is reported in one line when its mirror cannot be reached, and the other sources still list', async () => {
    const lines: string[] = [];
    const progress = { task: () => ({ increment() {}, done() {} }), log: (l: string) => void lines.push(l), stop() {} };
    const sources = createReleaseSources(['debian', `dir:${toolchain.goroot}`], { debianMirror: await unreachableUrl() });
    const { releases, unavailable } = await listReleases(sources, { progress });
    expect(releases.map((r) => r.source)).toEqual(['dir']);
    expect(unavailable.map((e) => e.source)).toEqual(['debian']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^unavailable, skipped: debian: /);
    expect(lines[0]).not.toContain('\n');
  });
});
