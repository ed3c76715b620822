import type { Arch } from './observation.js';

/**
 * The on-disk table, exactly as JSON (see offsets/table.schema.json and
 * docs/table.md). Plain data: parseTable returns it, serializeTable writes it.
 */
export const TABLE_FORMAT = 'go-offsets-table';
export const TABLE_FORMAT_VERSION = 1;
export const ARCHS: readonly Arch[] = ['amd64', 'arm64'];

/** An offset, `null` for absent (scanned: the field does not exist), `"failed"` for a scan that failed. */
export type RunValue = number | null | 'failed';

/**
 * `[first, last, value]`: every version of the module's `versions` list from
 * `first` to `last` inclusive, in that list's order, has `value`. Versions no
 * run covers were not scanned for that field (and arch).
 */
export type Run = [first: string, last: string, value: RunValue];

/** `runs` when every arch of the module agrees; `byArch` when they differ (an arch missing there was not scanned). */
export type FieldEntry = { runs: Run[] } | { byArch: Partial<Record<Arch, Run[]>> };

export interface ModuleEntry {
  /** The archs scanned for this module, sorted. */
  archs: Arch[];
  /** Scanned versions in version order, each `[version, source, …]` with its sources sorted. */
  versions: string[][];
  /** Fields by selector (`net/http.Request.ctx`), sorted. */
  fields: Record<string, FieldEntry>;
}

export interface OffsetsTable {
  format: typeof TABLE_FORMAT;
  formatVersion: typeof TABLE_FORMAT_VERSION;
  /** `std` (Go versions) and module paths (semver), sorted. */
  modules: Record<string, ModuleEntry>;
}

export function fieldRuns(entry: FieldEntry, module: ModuleEntry, arch: Arch): Run[] | undefined {
  if ('runs' in entry) return module.archs.includes(arch) ? entry.runs : undefined;
  return entry.byArch[arch];
}
