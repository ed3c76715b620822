import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import semver from 'semver';
import { cacheRoot } from '../../common/cache-dir.js';
import { privatePath } from '../../common/private-path.js';
import { ModuleSourceError } from './errors.js';

/**
 * A module's git location: `URL` or `URL#subdir` when the module lives in a
 * subdirectory of the repository (its tags are then `subdir/vX.Y.Z`).
 */
export function parseGitLocation(location: string): { url: string; subdir: string } {
  const hash = location.lastIndexOf('#');
  if (hash < 0) return { url: location, subdir: '' };
  const subdir = location.slice(hash + 1).replace(/^\/+|\/+$/g, '');
  if (subdir.split('/').some((e) => e === '..' || e === '.')) throw new ModuleSourceError('ERR_NO_GIT_REPO', `bad module subdirectory in ${JSON.stringify(location)}`);
  return { url: location.slice(0, hash), subdir };
}

/** Major version a module path admits: /vN suffix -> N, else 0 or 1. */
function admitsMajor(module: string, major: number): boolean {
  const m = /\/v(\d+)$/.exec(module);
  return m ? major === Number(m[1]) : major <= 1;
}

/**
 * The module's versions from the repository's tags (`git ls-remote --tags`,
 * nothing is cloned): canonical semver tags (vMAJOR.MINOR.PATCH[-pre]) under
 * the module's subdirectory prefix, whose major matches the module path.
 */
export async function listGitVersions(module: string, location: string): Promise<string[]> {
  const { url, subdir } = parseGitLocation(location);
  let out: string;
  try {
    out = await simpleGit().listRemote(['--tags', '--refs', url]);
  } catch (err) {
    throw new ModuleSourceError('ERR_GIT', `git ls-remote ${url} failed for ${module}: ${(err as Error).message.trim()}`, { cause: err });
  }
  const prefix = subdir ? `refs/tags/${subdir}/` : 'refs/tags/';
  const versions: string[] = [];
  for (const line of out.split('\n')) {
    const ref = line.split('\t')[1]?.trim();
    if (!ref?.startsWith(prefix)) continue;
    const tag = ref.slice(prefix.length);
    const parsed = /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(tag) ? semver.parse(tag) : null;
    if (parsed && admitsMajor(module, parsed.major)) versions.push(tag);
  }
  return versions;
}

const inflight = new Map<string, Promise<string>>();

/**
 * The module's source at `version`, checked out (once) into
 * cacheRoot()/modules/git/<hash of URL>/<version>, for a
 * `replace module => dir` directive. The checkout is made in a temp dir and
 * renamed into place, so a half-done one is never reused.
 */
export function checkoutModuleVersion(module: string, version: string, gitLocation: string, opts: { cacheDir?: string } = {}): Promise<string> {
  const { url, subdir } = parseGitLocation(gitLocation);
  if (!semver.valid(version) || !version.startsWith('v')) return Promise.reject(new ModuleSourceError('ERR_VERSION', `not a module version: ${JSON.stringify(version)}`));
  const base = join(opts.cacheDir ?? cacheRoot(), 'modules', 'git', createHash('sha256').update(url).digest('hex').slice(0, 24));
  const final = join(base, version);
  let p = inflight.get(final);
  if (!p) {
    p = checkout(module, version, url, subdir, base, final).finally(() => inflight.delete(final));
    inflight.set(final, p);
  }
  return p;
}

async function checkout(module: string, version: string, url: string, subdir: string, base: string, final: string): Promise<string> {
  const moduleDir = subdir ? join(final, subdir) : final;
  if (await stat(final).then(() => true, () => false)) return moduleDir;
  await mkdir(base, { recursive: true });
  const tmp = privatePath(final);
  const tag = subdir ? `${subdir}/${version}` : version;
  try {
    try {
      await simpleGit().clone(url, tmp, ['--quiet', '--depth', '1', '--branch', tag, '-c', 'advice.detachedHead=false']);
    } catch (err) {
      throw new ModuleSourceError('ERR_GIT', `cannot check out ${module}@${version} (tag ${tag}) from ${url}: ${(err as Error).message.trim()}`, { cause: err });
    }
    await rm(join(tmp, '.git'), { recursive: true, force: true });
    const goMod = await readFile(join(tmp, subdir, 'go.mod'), 'utf8').catch(() => undefined);
    const declared = goMod && /^module\s+"?([^\s"]+)"?/m.exec(goMod)?.[1];
    if (declared && declared !== module) {
      throw new ModuleSourceError('ERR_GIT', `tag ${tag} of ${url} holds module ${declared}, not ${module}`);
    }
    try {
      await rename(tmp, final);
    } catch (err) {
      if (!(await stat(final).then(() => true, () => false))) throw err; // else: another process finished first
    }
    return moduleDir;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
