/**
 * Listing what there is to measure: Go releases from the release sources and
 * module versions from the GOPROXY list. A source that cannot be reached is
 * one row of the run's source table (with the reason) and is skipped; it
 * must not hold the run for minutes.
 */
import type { HttpOptions } from '../fetch/http.js';
import type { TrackedModule } from './config.js';
import { listModuleVersions, ModuleSourceError, resolveGoproxy, type ModuleVersion } from './modules/index.js';
import type { Listings } from './plan.js';
import { noJobs, reasonOf, unavailableRow, type SourceRow } from './report.js';
import { listReleases, SourceUnavailableError, type ReleaseSource } from './sources/index.js';

/** Listings (go.dev index, GOPROXY lists) fail fast. */
export const LISTING_HTTP: HttpOptions = { connectTimeoutMs: 5_000, idleTimeoutMs: 30_000, maxRetries: 1, minBackoffMs: 300, maxBackoffMs: 1_000 };

const row = (source: string, versions: number): SourceRow => ({ source, available: true, versions, counts: noJobs() });

/** Every release source, listed at once; one row each (an unreachable one says why, once, in its row). */
export async function listReleaseSources(sources: ReleaseSource[]): Promise<{ releases: Listings['releases']; rows: SourceRow[] }> {
  const { bySource } = await listReleases(sources);
  const releases: Listings['releases'] = [];
  const rows = bySource.map(({ source, listed }) => {
    if (listed instanceof SourceUnavailableError) return unavailableRow(source.name, listed);
    for (const release of listed) releases.push({ release, listedBy: source.name });
    return row(source.name, listed.length);
  });
  return { releases, rows };
}

export interface ProxyListing {
  modules: Map<string, ModuleVersion[]>;
  row: SourceRow;
  /** Modules that could not be listed while the proxy answered for others, one line each. */
  problems: string[];
}

/**
 * Versions of every tracked module from the GOPROXY list. Without --goproxy
 * and GOPROXY, the go command's own default is used. A proxy that cannot be
 * reached makes the whole source unavailable: the remaining modules are not tried.
 */
export async function listProxyVersions(modules: TrackedModule[], goproxyFlag: string | undefined): Promise<ProxyListing> {
  const out = new Map<string, ModuleVersion[]>();
  const problems: string[] = [];
  const unavailable = (err: unknown): ProxyListing => ({ modules: new Map(), row: unavailableRow('module proxy', err), problems });
  let goproxy: string;
  try {
    goproxy = await resolveGoproxy(goproxyFlag);
  } catch (err) {
    return unavailable(err);
  }
  for (const tracked of modules) {
    try {
      out.set(tracked.module, await listModuleVersions(tracked.module, { goproxy, minVersion: tracked.minVersion, includePrereleases: tracked.includePrereleases, http: LISTING_HTTP }));
    } catch (err) {
      if (err instanceof ModuleSourceError && (err.code === 'ERR_GOPROXY_OFF' || err.code === 'ERR_GOPROXY_SYNTAX' || unreachable(err))) return unavailable(err);
      problems.push(`${tracked.module}: ${reasonOf(err)}`);
    }
  }
  return { modules: out, row: row('module proxy', [...out.values()].reduce((n, v) => n + v.length, 0)), problems };
}

function unreachable(err: ModuleSourceError): boolean {
  return err.code === 'ERR_MODULE_LIST' && reasonOf(err.cause).startsWith('unreachable');
}
