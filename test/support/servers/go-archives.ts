import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tar from 'tar';
import { cachePath } from '../../../common/cache-dir.js';
import { writeFileAtomic } from '../../../common/atomic-write.js';
import { withLock } from '../../../common/lock.js';
import { privatePath } from '../../../common/private-path.js';

/** A go.dev-style archive of a real GOROOT: entries laid out as `go/...`. */
export interface GoArchive {
  version: string;
  filename: string;
  path: string;
  sha256: string;
  size: number;
}

export function hostGoArch(): string {
  if (process.arch === 'x64') return 'amd64';
  if (process.arch === 'arm64') return 'arm64';
  throw new Error(`no Go archive name for host arch ${process.arch}`);
}

/** First line of GOROOT/VERSION (Go 1.21+ appends more lines). */
export async function gorootVersion(goroot: string): Promise<string> {
  return (await readFile(join(goroot, 'VERSION'), 'utf8')).split('\n')[0].trim();
}

/**
 * Packs `goroot` as `go<version>.linux-<arch>.tar.gz` the way go.dev ships it
 * (symlinks followed, so a Debian GOROOT's links into /usr/share are packed as
 * files). Built once per GOROOT and cached under cacheRoot()/test/go-archives,
 * keyed by the GOROOT's real path and VERSION file.
 */
export async function goArchive(goroot: string): Promise<GoArchive> {
  const root = await realpath(goroot);
  const version = await gorootVersion(root);
  const versionStat = await stat(join(root, 'VERSION'));
  const key = createHash('sha256').update(`${root}\0${version}\0${versionStat.mtimeMs}`).digest('hex').slice(0, 16);
  const filename = `${version}.linux-${hostGoArch()}.tar.gz`;
  const dir = cachePath('test', 'go-archives', key);
  const path = join(dir, filename);
  const metaPath = `${path}.json`;
  const readCached = async () => {
    const cached = await readFile(metaPath, 'utf8').then((t) => JSON.parse(t) as GoArchive, () => undefined);
    return cached && (await stat(path).then(() => true, () => false)) ? cached : undefined;
  };
  // Once per machine: two test files packing the same GOROOT share one archive.
  return (await readCached()) ?? withLock(path, async () => (await readCached()) ?? packArchive(root, version, dir, filename, path, metaPath));
}

async function packArchive(root: string, version: string, dir: string, filename: string, path: string, metaPath: string): Promise<GoArchive> {
  await mkdir(dir, { recursive: true });
  const tmp = privatePath(join(dir, filename));
  try {
    const entries = (await readdir(root)).sort();
    await tar.c({ file: tmp, cwd: root, prefix: 'go', gzip: { level: 1 }, follow: true, portable: true }, entries);
    const sha256 = await sha256File(tmp);
    const { size } = await stat(tmp);
    await rename(tmp, path);
    const archive: GoArchive = { version, filename, path, sha256, size };
    await writeFileAtomic(metaPath, JSON.stringify(archive, null, 2));
    return archive;
  } finally {
    await rm(tmp, { force: true });
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
