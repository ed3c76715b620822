import { silentProgress, type Progress } from '../progress.js';
import { DebianSource } from './debian.js';
import { DirSource } from './dir.js';
import { SourceError, SourceUnavailableError } from './errors.js';
import { GoDevSource } from './go-dev.js';
import type { GoRelease, ReleaseSource, ReleaseSourceOptions, ReleaseSourceSpec } from './types.js';

export type { GoRelease, ReleaseSource, ReleaseSourceOptions, ReleaseSourceSpec } from './types.js';
export { SourceUnavailableError, SourceError, type SourceErrorCode } from './errors.js';
export { GoDevSource, DEFAULT_GO_MIRROR, goDevGorootDir } from './go-dev.js';
export { DirSource, readGorootVersion, isPrerelease } from './dir.js';
export { DebianSource, goVersionOfDebian } from './debian.js';
export { parseGoDevIndex, hostArchive, hostGoArch, type GoDevRelease, type GoDevFile } from './go-dev-index.js';

/** One source per spec: `go.dev`, `debian`, `dir:PATH`. Throws SourceError ERR_SOURCE_SPEC on anything else. */
export function createReleaseSources(specs: ReleaseSourceSpec[], opts: ReleaseSourceOptions = {}): ReleaseSource[] {
  return specs.map((spec) => {
    if (spec === 'go.dev') return new GoDevSource({ mirror: opts.goMirror, includePrereleases: opts.includePrereleases, progress: opts.progress, listHttp: opts.listHttp });
    if (spec === 'debian') return new DebianSource({ mirror: opts.debianMirror, suites: opts.debianSuites, keyring: opts.debianKeyring, indexes: opts.debianIndexes, includePrereleases: opts.includePrereleases, progress: opts.progress });
    if (spec.startsWith('dir:') && spec.length > 4) return new DirSource(spec.slice(4), { includePrereleases: opts.includePrereleases });
    throw new SourceError('ERR_SOURCE_SPEC', `unknown Go release source ${JSON.stringify(spec)} (expected go.dev, debian or dir:PATH)`);
  });
}

/**
 * Lists every source. One that cannot be reached is reported in one line
 * (`unavailable, skipped: <source>: <why>`) through `progress.log` and skipped; the
 * others still list. Other errors (a malformed index, a bad dir) propagate.
 * Releases come in source order, then index order; `bySource` has each
 * source's own answer, in source order.
 */
export async function listReleases(
  sources: ReleaseSource[],
  opts: { progress?: Progress } = {},
): Promise<{ releases: GoRelease[]; unavailable: SourceUnavailableError[]; bySource: { source: ReleaseSource; listed: GoRelease[] | SourceUnavailableError }[] }> {
  const progress = opts.progress ?? silentProgress;
  const results = await Promise.all(
    sources.map((s) =>
      s.list().catch((err: unknown) => {
        if (!(err instanceof SourceUnavailableError)) throw err;
        progress.log(`unavailable, skipped: ${err.message.replace(/\s+/g, ' ')}`);
        return err;
      }),
    ),
  );
  const releases: GoRelease[] = [];
  const unavailable: SourceUnavailableError[] = [];
  for (const r of results) {
    if (r instanceof SourceUnavailableError) unavailable.push(r);
    else releases.push(...r);
  }
  return { releases, unavailable, bySource: sources.map((source, i) => ({ source, listed: results[i] })) };
}
