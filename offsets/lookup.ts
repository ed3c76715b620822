import { TableError } from './errors.js';
import { fieldRuns, ARCHS, type OffsetsTable, type RunValue } from './format.js';
import { expandFor, tableModel, type ModuleModel } from './model.js';
import type { Arch } from './observation.js';
import { compareTableVersions, isUnversioned, parseVersionFor, type TableVersion } from './versions.js';

/**
 * Policies, from strict to loose; each includes the ones before it:
 * - exact: only a scanned version answers.
 * - range (default): an unscanned release between two scanned releases of its
 *   minor line that agree, with nothing scanned between them.
 * - stable: the field has one value across every scanned version of the arch, no failures.
 * - nearest: the closest scanned version (same minor line first, then older), with a warning.
 */
export type LookupPolicy = 'exact' | 'range' | 'stable' | 'nearest';
export const POLICIES: readonly LookupPolicy[] = ['exact', 'range', 'stable', 'nearest'];
/**
 * `no-value` comes only from a table imported from OpenTelemetry's layout
 * (offsets/otel/answer.ts): its file has null there, which is either absent or
 * a failed build; it is kept apart from `absent`, and like `unknown` it has no offset.
 */
export type LookupStatus = 'scanned' | 'inferred' | 'absent' | 'unknown' | 'no-value';

export interface LookupQuery {
  /** `net/http.Request.ctx` or a module field. */
  field: string;
  /** The Go version string as a binary reports it (for std fields). */
  go?: string;
  /** The owning module's version (for module fields), as the binary's buildinfo reports it. */
  moduleVersion?: string;
  arch: Arch;
  policy?: LookupPolicy;
}

export interface LookupResult {
  field: string;
  /** The owning module: `std` or a module path. */
  module: string;
  /** The queried version in table form (`go1.21.5`), or as given when it names no version. */
  version: string;
  arch: Arch;
  offset: number | null;
  status: LookupStatus;
  policy: LookupPolicy;
  /** Inferred and absent-by-inference answers: the scanned versions the answer rests on. */
  basis?: string[];
  /** Set under `nearest`, for inferred answers, and when status is unknown: why. */
  message?: string;
}

export function checkPolicy(policy: string | undefined): LookupPolicy {
  if (policy === undefined) return 'range';
  if (!(POLICIES as readonly string[]).includes(policy)) {
    throw new TableError('ERR_BAD_POLICY', `unknown policy ${JSON.stringify(policy)} (one of ${POLICIES.join(', ')})`);
  }
  return policy as LookupPolicy;
}

export function checkArch(arch: string): Arch {
  if (!(ARCHS as readonly string[]).includes(arch)) throw new TableError('ERR_BAD_ARCH', `unknown arch ${JSON.stringify(arch)} (one of ${ARCHS.join(', ')})`);
  return arch as Arch;
}

/** The module a table lists the field under; ERR_UNKNOWN_FIELD when none does. */
export function fieldModule(table: OffsetsTable, field: string): ModuleModel {
  const model = tableModel(table);
  const owner = model.owner.get(field);
  if (owner === undefined) {
    const tail = field.slice(field.lastIndexOf('/') + 1).split('.').slice(1).join('.');
    const similar = [...model.owner.keys()].filter((f) => tail && f.endsWith('.' + tail)).slice(0, 3);
    throw new TableError('ERR_UNKNOWN_FIELD', `no field ${JSON.stringify(field)} in the table${similar.length ? ` (did you mean ${similar.join(', ')}?)` : ''}`);
  }
  return model.modules.get(owner)!;
}

/**
 * Answers one field for one version and arch. Never guesses: outside what the
 * policy allows the answer is `unknown` (offset null) with the reason. A
 * module version that names nothing (`(devel)`, missing) is `unknown` too;
 * a malformed version string throws ERR_BAD_GO_VERSION / ERR_BAD_MODULE_VERSION.
 */
export function lookup(table: OffsetsTable, query: LookupQuery): LookupResult {
  const policy = checkPolicy(query.policy);
  const arch = checkArch(query.arch);
  const mod = fieldModule(table, query.field);
  const std = mod.name === 'std';
  const rawVersion = std ? query.go : query.moduleVersion;
  if (std && (query.go === undefined || query.go.trim() === '')) {
    throw new TableError('ERR_BAD_GO_VERSION', `${query.field} is a standard library field: give the Go version`);
  }
  const parsed = parseVersionFor(mod.name, rawVersion);
  const base = { field: query.field, module: mod.name, arch, policy };
  if (isUnversioned(parsed)) {
    const why = parsed.unversioned === 'devel' ? 'reports version (devel) (a local build or a directory replace)' : 'has no version in the binary';
    return { ...base, version: parsed.raw, offset: null, status: 'unknown', message: `module ${mod.name} ${why}: its offsets cannot be looked up` };
  }
  const result = (status: LookupStatus, value: RunValue | undefined, message?: string, basis?: string[]): LookupResult => ({
    ...base,
    version: parsed.canonical,
    offset: typeof value === 'number' ? value : null,
    status,
    ...(basis ? { basis } : {}),
    ...(message ? { message } : {}),
  });
  const runs = fieldRuns(mod.entry.fields[query.field], mod.entry, arch);
  if (!runs) return result('unknown', undefined, `${query.field} was not scanned for ${arch}`);
  const values = expandFor(mod, runs);
  const at = mod.position.get(parsed.canonical);
  const exact = at === undefined || parsed.devel ? undefined : values[at];
  if (typeof exact === 'number') return result('scanned', exact);
  if (exact === null) return result('absent', null, undefined);

  const notScanned =
    exact === 'failed'
      ? `the scan of ${mod.name} ${parsed.canonical} failed`
      : at !== undefined && !parsed.devel
        ? `${mod.name} ${parsed.canonical} was scanned, but not for ${query.field}`
        : `${mod.name} ${parsed.canonical} was not scanned`;
  // A version that was scanned for the module but not for this field lies outside the field's
  // configured bounds (e.g. a field that only exists from go1.23): no policy may guess there.
  if (exact === undefined && at !== undefined && !parsed.devel) return result('unknown', undefined, `${notScanned} (outside the versions the field is tracked for; no policy infers there)`);
  if (policy === 'exact') return result('unknown', undefined, `${notScanned} (policy exact)`);
  const range = inferRange(mod, values, parsed);
  if (range.ok) return result(range.value === null ? 'absent' : 'inferred', range.value, `inferred under policy ${policy}: ${range.why}`, range.basis);
  if (policy === 'range') return result('unknown', undefined, `${notScanned}, and ${range.why} (policy range)`);
  const stable = inferStable(mod, values);
  if (stable.ok) return result(stable.value === null ? 'absent' : 'inferred', stable.value, `inferred under policy ${policy}: ${stable.why}`, stable.basis);
  if (policy === 'stable') return result('unknown', undefined, `${notScanned}, ${range.why}, and ${stable.why} (policy stable)`);
  const near = nearest(mod, values, parsed);
  if (near.ok) return result(near.value === null ? 'absent' : 'inferred', near.value, `WARNING: ${near.why}; verify before relying on it`, near.basis);
  return result('unknown', undefined, `${notScanned}, and ${near.why}`);
}

type Inference = { ok: true; value: number | null; why: string; basis: string[] } | { ok: false; why: string };

function isKnown(v: RunValue | undefined): v is number | null {
  return v !== undefined && v !== 'failed';
}

function show(v: number | null): string {
  return v === null ? 'absent' : String(v);
}

/** Index of the first version ordered after q. */
function upperBound(mod: ModuleModel, q: TableVersion): number {
  let lo = 0;
  let hi = mod.versions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareTableVersions(mod.versions[mid], q) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The scanned versions on either side of q (indexes a < q < b), stepping over failed scans.
 * `untrackedEdge`: one of them was scanned without the field, so the field's tracked span
 * (its config bounds) ends next to q and the field may not exist at q: no inference there.
 */
function neighbours(mod: ModuleModel, values: (RunValue | undefined)[], q: TableVersion): { a: number; b: number; untrackedEdge: boolean } {
  const hi = upperBound(mod, q);
  let a = hi - 1;
  if (a >= 0 && mod.versions[a].canonical === q.canonical) a--;
  while (a >= 0 && values[a] === 'failed') a--;
  let b = hi;
  while (b < values.length && values[b] === 'failed') b++;
  const untrackedEdge = (a >= 0 && values[a] === undefined) || (b < values.length && values[b] === undefined);
  return { a, b, untrackedEdge };
}

function inferRange(mod: ModuleModel, values: (RunValue | undefined)[], q: TableVersion): Inference {
  if (!q.release) return { ok: false, why: `${q.canonical} is not a release (range inference covers releases only)` };
  const { a, b, untrackedEdge } = neighbours(mod, values, q);
  if (untrackedEdge) return { ok: false, why: 'a neighbouring scanned version did not track the field' };
  const sameLine = (i: number) => i >= 0 && i < values.length && mod.versions[i].line === q.line && mod.versions[i].release;
  if (!sameLine(a)) return { ok: false, why: `no scanned release of the ${q.line} line precedes it` };
  if (!sameLine(b)) return { ok: false, why: `no scanned release of the ${q.line} line follows it (it is newer than every scanned release of its line)` };
  const va = values[a] as number | null;
  const vb = values[b] as number | null;
  const names = [mod.versions[a].canonical, mod.versions[b].canonical];
  if (va !== vb) return { ok: false, why: `the field changes between ${names[0]} (${show(va)}) and ${names[1]} (${show(vb)})` };
  return { ok: true, value: va, why: `${names[0]} and ${names[1]} agree`, basis: names };
}

function inferStable(mod: ModuleModel, values: (RunValue | undefined)[]): Inference {
  let seen: number | null | undefined;
  let count = 0;
  for (const v of values) {
    if (v === undefined) return { ok: false, why: 'the field was not tracked at every scanned version' };
    if (v === 'failed') return { ok: false, why: 'some scans of the field failed' };
    if (count > 0 && v !== seen) return { ok: false, why: 'the field is not the same across every scanned version' };
    seen = v;
    count++;
  }
  if (count === 0) return { ok: false, why: 'no version of the field was scanned' };
  const first = mod.versions[values.findIndex(isKnown)].canonical;
  const last = mod.versions[values.length - 1 - [...values].reverse().findIndex(isKnown)].canonical;
  return { ok: true, value: seen!, why: `${show(seen!)} across all ${count} scanned versions`, basis: [first, last] };
}

function nearest(mod: ModuleModel, values: (RunValue | undefined)[], q: TableVersion): Inference {
  const hi = upperBound(mod, q);
  const older: number[] = [];
  const newer: number[] = [];
  if (neighbours(mod, values, q).untrackedEdge) return { ok: false, why: 'it lies next to a scanned version that did not track the field' };
  for (let i = hi - 1; i >= 0; i--) if (isKnown(values[i]) && mod.versions[i].canonical !== q.canonical) older.push(i);
  for (let i = hi; i < values.length; i++) if (isKnown(values[i])) newer.push(i);
  const inLine = (i: number) => mod.versions[i].line === q.line;
  const pick = older.find(inLine) ?? newer.find(inLine) ?? older[0] ?? newer[0];
  if (pick === undefined) return { ok: false, why: 'no version of the field was scanned' };
  const v = values[pick] as number | null;
  const name = mod.versions[pick].canonical;
  return { ok: true, value: v, why: `${q.canonical} was not scanned; using the nearest scanned version ${name} (${show(v)})`, basis: [name] };
}
