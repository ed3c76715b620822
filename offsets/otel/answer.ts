import { compareCodeUnits } from '../canonical-json.js';
import { fieldRuns, type RunValue } from '../format.js';
import { fieldHistory, diffVersions, type FieldDifference, type HistoryRow } from '../history.js';
import { fieldFiling, type LoadedTable } from '../loaded-table.js';
import { fieldModule, lookup, type LookupPolicy, type LookupQuery, type LookupResult } from '../lookup.js';
import { expandFor } from '../model.js';
import type { Arch } from '../observation.js';
import { isUnversioned, parseVersionFor } from '../versions.js';
import type { FieldFiling } from './keying.js';

/**
 * Answers from a LoadedTable: the same policies as offsets/lookup.ts, plus
 * what only a table imported from OpenTelemetry's layout has to say.
 * - A null of OpenTelemetry's at the asked version is status `no-value`
 *   (not `absent`, not a failed scan of ours), with the reason.
 * - A field OpenTelemetry files under another module than its owner carries
 *   `otel`: where it is filed and how its offsets are keyed (keying.ts).
 */
export interface TableAnswer extends LookupResult {
  otel?: FieldFiling & { note: string };
}

const NULL_WHY = "OpenTelemetry's table has null there: no value (the field does not exist at that version, or OpenTelemetry's build of it failed; its file does not say which)";

export function filingNote(field: string, owner: string, f: FieldFiling): string {
  if (f.keying === 'follows') return `filed under ${f.otelModule} in OpenTelemetry's table: its offsets follow ${f.versionsOf}'s version there, not ${owner}'s own`;
  return `filed under ${f.otelModule} in OpenTelemetry's table, with ${owner}'s version numbers (released together)`;
}

/** The filing of a field when it is not under its owner (undefined: the usual case). */
export function movedFiling(loaded: LoadedTable, field: string, owner: string): (FieldFiling & { note: string }) | undefined {
  if (loaded.layout !== 'otel') return undefined;
  const f = fieldFiling(loaded, field, owner);
  return f.keying === 'owner' ? undefined : { ...f, note: filingNote(field, owner, f) };
}

/** The run value stored at a version (undefined: not scanned, or not a version of the module). */
function storedValue(loaded: LoadedTable, field: string, version: string | undefined, arch: Arch): RunValue | undefined {
  const mod = fieldModule(loaded.table, field);
  const runs = fieldRuns(mod.entry.fields[field], mod.entry, arch);
  if (!runs || version === undefined) return undefined;
  const v = parseVersionFor(mod.name, version);
  const at = isUnversioned(v) ? undefined : mod.position.get(v.canonical);
  return at === undefined ? undefined : expandFor(mod, runs)[at];
}

export function decorate(loaded: LoadedTable, r: LookupResult): TableAnswer {
  if (loaded.layout !== 'otel') return r;
  const otel = movedFiling(loaded, r.field, r.module);
  let out: TableAnswer = otel ? { ...r, otel } : { ...r };
  if (r.status === 'unknown' && storedValue(loaded, r.field, r.version, r.arch) === 'failed') {
    const failed = `the scan of ${r.module} ${r.version} failed`;
    const rest = r.message?.startsWith(failed) ? r.message.slice(failed.length).replace(/^,?\s*(and\s+)?/, '') : '';
    out = { ...out, status: 'no-value', message: rest ? `${NULL_WHY}; nothing else answers: ${rest}` : NULL_WHY };
  }
  return out;
}

export function lookupIn(loaded: LoadedTable, query: LookupQuery): TableAnswer {
  return decorate(loaded, lookup(loaded.table, query));
}

/** History rows; in an imported table a failed run is OpenTelemetry's null, shown as `no-value`. */
export function historyIn(loaded: LoadedTable, field: string): { module: string; rows: (Omit<HistoryRow, 'value'> & { value: HistoryRow['value'] | 'no-value' })[]; otel?: FieldFiling & { note: string } } {
  const h = fieldHistory(loaded.table, field);
  if (loaded.layout !== 'otel') return h;
  const otel = movedFiling(loaded, field, h.module);
  return { module: h.module, rows: h.rows.map((r) => (r.value === 'failed' ? { ...r, value: 'no-value' } : r)), ...(otel ? { otel } : {}) };
}

/**
 * diffVersions over every field keyed by `module`'s versions: in an imported table that
 * includes the fields that follow it from another owner (genproto's under grpc).
 */
export function diffIn(loaded: LoadedTable, module: string, a: string, b: string, arch: Arch, policy: LookupPolicy): (FieldDifference & { a: TableAnswer; b: TableAnswer })[] {
  const followers = new Set<string>();
  for (const [field, f] of loaded.filing) if (f.versionsOf === module && fieldModule(loaded.table, field).name !== module) followers.add(fieldModule(loaded.table, field).name);
  const diffs = diffVersions(loaded.table, module, a, b, arch, policy);
  for (const owner of followers) diffs.push(...diffVersions(loaded.table, owner, a, b, arch, policy).filter((d) => loaded.filing.get(d.field)?.versionsOf === module));
  diffs.sort((x, y) => compareCodeUnits(x.field, y.field));
  return diffs.map((d) => ({ field: d.field, a: decorate(loaded, d.a), b: decorate(loaded, d.b) }));
}
