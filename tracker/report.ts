/**
 * What `offsets-tracker run` tells a person (or, with --json, a program): one
 * row per source (available or not and why, versions listed, jobs by
 * outcome), then one line saying what changed in the table.
 */
import { GoOffsetsError } from '../common/errors.js';
import { FetchError } from '../fetch/errors.js';
import type { RunSummary } from './summary.js';

/** Jobs of one source, by how they ended. */
export interface JobCounts {
  jobs: number;
  /** Answered by the existing table (for the Debian module source: not needed, the table or another shard has them). */
  fromTable: number;
  fromCache: number;
  built: number;
  failed: number;
}

export interface SourceRow {
  /** `go.dev`, `debian`, `dir:PATH`, `module proxy`, `debian modules`. */
  source: string;
  available: boolean;
  /** Why not, when unavailable: short, and naming no host. */
  why?: string;
  /** Versions the source listed (for the Debian module source: package versions found). */
  versions: number;
  counts: JobCounts;
  /** The Debian module source: .debs downloaded and taken from the cache. */
  debs?: { downloaded: number; bytes: number; cached: number };
}

export const noJobs = (): JobCounts => ({ jobs: 0, fromTable: 0, fromCache: 0, built: 0, failed: 0 });

export function unavailableRow(source: string, err: unknown): SourceRow {
  return { source, available: false, why: reasonOf(err), versions: 0, counts: noJobs() };
}

/**
 * Why a source could not be read, in a few words and without any URL or host:
 * `unreachable (connect ECONNREFUSED)`, `HTTP 503`, or the error's first line.
 */
export function reasonOf(err: unknown): string {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (!(e instanceof FetchError)) continue;
    if (e.code === 'ERR_NETWORK') {
      const c = e.cause as { code?: unknown; syscall?: unknown } | undefined;
      const what = [c?.syscall, c?.code].filter((x) => typeof x === 'string' && x).join(' ');
      return `unreachable (${what || 'network error'})`;
    }
    if (e.status !== undefined) return `HTTP ${e.status}`;
    return e.code;
  }
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split('\n')[0].replace(/\s*\(?\b[a-z][a-z0-9+.-]*:\/\/[^\s)]*\)?/gi, '').replace(/\s+/g, ' ').trim();
  return err instanceof GoOffsetsError ? `${err.code}: ${first}` : first;
}

function jobsText(row: SourceRow): string {
  const c = row.counts;
  const first = row.source === 'debian modules' ? `${c.fromTable} not needed` : `${c.fromTable} from the table`;
  const debs = row.debs ? `; .debs downloaded ${row.debs.downloaded} (${row.debs.bytes} bytes), cached ${row.debs.cached}` : '';
  return `${c.jobs} jobs: ${first}, ${c.fromCache} from the cache, ${c.built} built, ${c.failed} failed${debs}`;
}

/** The source table: a column of versions listed, then `source: jobs by outcome` (or why it was skipped). */
export function sourceTable(rows: readonly SourceRow[]): string[] {
  const listed = rows.map((r) => (r.available ? String(r.versions) : '-'));
  const width = Math.max('listed'.length, ...listed.map((l) => l.length));
  const lines = [`${'listed'.padStart(width)}  source: jobs`];
  rows.forEach((r, i) => lines.push(`${listed[i].padStart(width)}  ${r.source}: ${r.available ? jobsText(r) : `unavailable, skipped: ${r.why}`}`));
  return lines;
}

/** One line: what this run changed in the table. */
export function changeLine(out: string, s: RunSummary): string {
  const versions = `new versions: ${s.newVersions.length}${s.newVersions.length ? ` (${s.newVersions.slice(0, 10).join(', ')}${s.newVersions.length > 10 ? ', ...' : ''})` : ''}`;
  return `${out}: ${versions}; new offsets: ${s.newOffsets.length}, changed offsets: ${s.changedOffsets.length}, failures: ${s.failures.length}`;
}

export interface RunReport {
  out: string;
  sources: SourceRow[];
  summary: RunSummary;
  exitCode: number;
}

/** The report as text for a terminal: the source table, the change line, then changes a person must confirm. */
export function reportText(r: RunReport): string {
  const s = r.summary;
  const flagged = [
    ...s.changedOffsets.map((c) => `changed: ${c}`),
    ...s.patchChanges.map((c) => `offset changed within a minor line: ${c.module} ${c.field} (${c.arch}): ${c.from.offset} in ${c.from.version}, ${c.to.offset} in ${c.to.version}`),
  ];
  return [...sourceTable(r.sources), changeLine(r.out, s), ...flagged].join('\n') + '\n';
}

/** The same report as one JSON document. */
export function reportJson(r: RunReport): string {
  return `${JSON.stringify({ out: r.out, exitCode: r.exitCode, sources: r.sources, changes: r.summary }, null, 2)}\n`;
}
