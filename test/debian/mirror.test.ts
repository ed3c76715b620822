// Mirror discovery from apt configuration files, in all three formats.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DebianError } from '../../debian/errors.js';
import { debianMirror, debianMirrorSource } from '../../debian/mirror.js';

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});

async function aptRoot(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'go-offsets-apt-'));
  dirs.push(root);
  await mkdir(join(root, 'sources.list.d'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, name), text);
  return root;
}

describe('debianMirror', () => {
  it('reads deb822 .sources, skipping the security archive listed first', async () => {
    const root = await aptRoot({
      'sources.list.d/debian.sources': [
        'Types: deb',
        'URIs: http://mirror.test/debian-security',
        'Suites: bookworm-security',
        'Components: main',
        '',
        'Types: deb deb-src',
        '# a comment',
        'URIs: http://mirror.test/debian/',
        'Suites: bookworm bookworm-updates',
        'Components: main',
      ].join('\n'),
    });
    expect(await debianMirror({ aptRoot: root })).toBe('http://mirror.test/debian');
  });

  it('skips disabled deb822 stanzas and deb-src-only ones', async () => {
    const root = await aptRoot({
      'sources.list.d/a.sources': 'Types: deb\nURIs: http://off.test/debian\nSuites: bookworm\nEnabled: no\n\nTypes: deb-src\nURIs: http://src.test/debian\nSuites: bookworm\n',
      'sources.list.d/b.list': 'deb http://on.test/debian bookworm main\n',
    });
    expect(await debianMirror({ aptRoot: root })).toBe('http://on.test/debian');
  });

  it('reads one-line sources.list entries with options, skipping security and non-debian archives', async () => {
    const root = await aptRoot({
      'sources.list': [
        '# deb http://commented.test/debian bookworm main',
        'deb http://security.test/debian-security bookworm-security main',
        'deb [arch=amd64 signed-by=/x.gpg] http://other.test/ubuntu jammy main',
        'deb [arch=amd64] http://one.test/debian bookworm main contrib',
      ].join('\n'),
    });
    expect(await debianMirror({ aptRoot: root })).toBe('http://one.test/debian');
  });

  it('takes the keyring from Signed-By (deb822) and [signed-by=] (one-line)', async () => {
    const a = await aptRoot({ 'sources.list.d/d.sources': 'Types: deb\nURIs: http://m.test/debian\nSuites: bookworm\nSigned-By: /k/one.gpg\n' });
    expect(await debianMirrorSource({ aptRoot: a })).toEqual({ uri: 'http://m.test/debian', keyring: '/k/one.gpg' });
    const b = await aptRoot({ 'sources.list': 'deb [arch=amd64 signed-by=/k/two.gpg] http://m.test/debian bookworm main\n' });
    expect(await debianMirrorSource({ aptRoot: b })).toEqual({ uri: 'http://m.test/debian', keyring: '/k/two.gpg' });
    expect(await debianMirrorSource({ aptRoot: b, override: 'http://127.0.0.1:9/debian' })).toEqual({ uri: 'http://127.0.0.1:9/debian', keyring: undefined });
  });

  it('an explicit override wins over the apt configuration', async () => {
    const root = await aptRoot({ 'sources.list': 'deb http://one.test/debian bookworm main\n' });
    expect(await debianMirror({ aptRoot: root, override: 'http://127.0.0.1:9/debian/' })).toBe('http://127.0.0.1:9/debian');
  });

  it('fails with ERR_DEBIAN_NO_MIRROR naming where it looked when nothing serves the debian archive', async () => {
    const root = await aptRoot({ 'sources.list.d/x.list': 'deb http://security.test/debian-security bookworm-security main\n' });
    const err = await debianMirror({ aptRoot: root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DebianError);
    expect((err as DebianError).code).toBe('ERR_DEBIAN_NO_MIRROR');
    expect((err as DebianError).message).toContain(root);
  });
});
