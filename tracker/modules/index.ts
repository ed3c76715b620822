import semver from 'semver';
import { FetchError } from '../../fetch/errors.js';
import type { HttpOptions } from '../../fetch/http.js';
import { goDefaultGoproxy } from './default-goproxy.js';
import { ModuleSourceError } from './errors.js';
import { listGitVersions } from './git.js';
import { fetchProxyList, parseGoproxy } from './goproxy.js';
import type { ListModuleVersionsOptions, ModuleVersion } from './types.js';

export type { ListModuleVersionsOptions, ModuleVersion } from './types.js';
export { ModuleSourceError, type ModuleSourceErrorCode } from './errors.js';
export { parseGoproxy, escapeModulePath, fetchProxyList, type ProxyEntry } from './goproxy.js';
export { checkoutModuleVersion, listGitVersions, parseGitLocation } from './git.js';

/**
 * GOPROXY to use: the option, else env GOPROXY, else the go command's own
 * default (from a Go toolchain: see default-goproxy.ts), else a clear error.
 */
export async function resolveGoproxy(explicit?: string): Promise<string> {
  if (explicit !== undefined) return explicit;
  if (process.env.GOPROXY) return process.env.GOPROXY;
  const fromGo = await goDefaultGoproxy();
  if (fromGo) return fromGo;
  throw new ModuleSourceError('ERR_GOPROXY_SYNTAX', 'GOPROXY is not set (set it, pass --goproxy, or put a go command on PATH for its default)');
}

/**
 * Every version of `module`, semver-ascending, from the first GOPROXY entry
 * that answers: a ',' after an entry falls through only when it says 404/410,
 * a '|' on any error; `direct` lists the tags of `gitRepos[module]`; `off`
 * refuses. Prereleases are dropped unless asked for; `minVersion` is inclusive.
 */
export async function listModuleVersions(module: string, opts: ListModuleVersionsOptions & { http?: HttpOptions } = {}): Promise<ModuleVersion[]> {
  if (opts.minVersion !== undefined && !semver.valid(opts.minVersion)) {
    throw new ModuleSourceError('ERR_VERSION', `minimum version ${JSON.stringify(opts.minVersion)} for ${module} is not semver`);
  }
  const entries = parseGoproxy(await resolveGoproxy(opts.goproxy));
  const tried: string[] = [];
  for (const entry of entries) {
    if (entry.kind === 'off') {
      throw new ModuleSourceError('ERR_GOPROXY_OFF', `cannot list versions of ${module}: GOPROXY=off disallows module downloads${tried.length ? ` (tried ${tried.join('; ')})` : ''}`);
    }
    if (entry.kind === 'direct') {
      const location = opts.gitRepos?.[module];
      if (!location) throw new ModuleSourceError('ERR_NO_GIT_REPO', `GOPROXY reached "direct" for ${module} but no git repository is configured for it${tried.length ? ` (tried ${tried.join('; ')})` : ''}`);
      return finish(module, await listGitVersions(module, location), 'git', location, opts);
    }
    try {
      return finish(module, await fetchProxyList(entry.url, module, opts.http), 'proxy', entry.url, opts);
    } catch (err) {
      if (!(err instanceof FetchError)) throw err;
      tried.push(err.message);
      const notFound = err.code === 'ERR_HTTP_NOT_FOUND';
      if (entry.fallback === '|' || (entry.fallback === ',' && notFound)) continue;
      if (notFound) throw new ModuleSourceError('ERR_MODULE_NOT_FOUND', `module ${module} not found: ${tried.join('; ')}`, { cause: err });
      throw new ModuleSourceError('ERR_MODULE_LIST', `cannot list versions of ${module}: ${err.message}`, { cause: err });
    }
  }
  throw new ModuleSourceError('ERR_MODULE_NOT_FOUND', `module ${module} not found: ${tried.join('; ')}`);
}

function finish(module: string, raw: string[], source: string, origin: string, opts: ListModuleVersionsOptions): ModuleVersion[] {
  const seen = new Set<string>();
  return raw
    .filter((v) => v.startsWith('v') && semver.valid(v) !== null)
    .filter((v) => opts.includePrereleases || semver.prerelease(v) === null)
    .filter((v) => opts.minVersion === undefined || semver.gte(v, opts.minVersion))
    .filter((v) => !seen.has(v) && (seen.add(v), true))
    .sort(semver.compare)
    .map((version) => ({ module, version, source, origin }));
}
