import { compareCodeUnits } from './canonical-json.js';
import type { OffsetsTable, Run } from './format.js';
import { fieldModule, lookup, type LookupPolicy, type LookupResult } from './lookup.js';
import type { Arch } from './observation.js';

export interface HistoryRow {
  /** `all` when every scanned arch agrees. */
  arch: Arch | 'all';
  first: string;
  last: string;
  /** How many scanned versions the run covers. */
  count: number;
  value: Run[2];
}

/** Every run of a field, per arch where archs differ: what `offsets history` prints. */
export function fieldHistory(table: OffsetsTable, field: string): { module: string; rows: HistoryRow[] } {
  const mod = fieldModule(table, field);
  const entry = mod.entry.fields[field];
  const groups: [Arch | 'all', Run[]][] = 'runs' in entry ? [['all', entry.runs]] : (Object.entries(entry.byArch) as [Arch, Run[]][]);
  const rows: HistoryRow[] = [];
  for (const [arch, runs] of groups) {
    for (const run of runs) {
      const count = mod.position.get(run[1])! - mod.position.get(run[0])! + 1;
      rows.push({ arch, first: run[0], last: run[1], count, value: run[2] });
    }
  }
  return { module: mod.name, rows };
}

export interface FieldDifference {
  field: string;
  a: LookupResult;
  b: LookupResult;
}

/**
 * The fields of `module` whose answers differ between versions a and b (an
 * offset, or a status such as absent/unknown). `std` versions are Go versions.
 */
export function diffVersions(table: OffsetsTable, module: string, a: string, b: string, arch: Arch, policy: LookupPolicy = 'exact'): FieldDifference[] {
  const diffs: FieldDifference[] = [];
  for (const field of Object.keys(table.modules[module]?.fields ?? {}).sort(compareCodeUnits)) {
    const q = (v: string) => lookup(table, { field, go: v, moduleVersion: v, arch, policy });
    const ra = q(a);
    const rb = q(b);
    if (ra.offset !== rb.offset || (ra.status === 'unknown') !== (rb.status === 'unknown')) diffs.push({ field, a: ra, b: rb });
  }
  return diffs;
}
