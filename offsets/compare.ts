import { compareCodeUnits } from './canonical-json.js';
import { ARCHS, fieldRuns, type RunValue } from './format.js';
import { fieldFiling, LAYOUT_NAMES, type LoadedTable } from './loaded-table.js';
import { expandFor, tableModel } from './model.js';
import type { Arch } from './observation.js';

/** What a table holds for one scanned (field, arch, version). */
export type CompareValue = number | 'absent' | 'no-value';

export interface VersionPair {
  version: string;
  a: CompareValue;
  b: CompareValue;
}

/**
 * One field and arch, keyed by one module's versions (`versionsOf`: the
 * owner, or the module OpenTelemetry keys it by, see offsets/otel/keying.ts):
 * the same field keyed by different modules' versions is not comparable.
 */
export interface FieldComparison {
  field: string;
  arch: Arch;
  versionsOf: string;
  /** Versions both tables hold a value for (an offset, or absent) and agree on. */
  agree: number;
  /** Both hold a value and they differ: two offsets, or an offset and absent. */
  disagree: VersionPair[];
  /** Both list the version but one has no value: a failed scan, or a null of OpenTelemetry's (absent or failed: it does not say). Neither agreement nor disagreement. */
  noValue: VersionPair[];
  /** Versions only table A (B) scanned for this field, each table's own version order. */
  onlyA: string[];
  onlyB: string[];
  /** The same, as runs of consecutive versions in that table's own list for the field: [first, last, count]. */
  onlyARuns: [string, string, number][];
  onlyBRuns: [string, string, number][];
}

export interface TableComparison {
  a: { origin: string; layout: string };
  b: { origin: string; layout: string };
  fields: FieldComparison[];
  totals: { agree: number; disagree: number; noValue: number; onlyA: number; onlyB: number };
}

interface Scanned {
  field: string;
  arch: Arch;
  versionsOf: string;
  values: Map<string, CompareValue>;
}

/** Every scanned (field, arch) of a table, keyed by `field arch versionsOf`, versions in order. */
function scanned(loaded: LoadedTable): Map<string, Scanned> {
  const out = new Map<string, Scanned>();
  const value = (v: RunValue): CompareValue => (v === null ? 'absent' : v === 'failed' ? 'no-value' : v);
  for (const mod of tableModel(loaded.table).modules.values()) {
    for (const [field, entry] of Object.entries(mod.entry.fields)) {
      const { versionsOf } = fieldFiling(loaded, field, mod.name);
      for (const arch of ARCHS) {
        const runs = fieldRuns(entry, mod.entry, arch);
        if (!runs) continue;
        const values = new Map<string, CompareValue>();
        expandFor(mod, runs).forEach((v, i) => {
          if (v !== undefined) values.set(mod.versions[i].canonical, value(v));
        });
        out.set(`${field} ${arch} ${versionsOf}`, { field, arch, versionsOf, values });
      }
    }
  }
  return out;
}

/**
 * Compares two tables (either layout) field by field and version by version,
 * over what both scanned; lists what only one has. Agreement is decided
 * only between values: an offset or absent on both sides.
 */
export function compareTables(a: LoadedTable, b: LoadedTable): TableComparison {
  const sa = scanned(a);
  const sb = scanned(b);
  const keys = [...new Set([...sa.keys(), ...sb.keys()])];
  const fields: FieldComparison[] = [];
  for (const key of keys) {
    const x = sa.get(key);
    const y = sb.get(key);
    const { field, arch, versionsOf } = (x ?? y)!;
    const c: FieldComparison = { field, arch, versionsOf, agree: 0, disagree: [], noValue: [], onlyA: [], onlyB: [], onlyARuns: [], onlyBRuns: [] };
    for (const [version, va] of x?.values ?? []) {
      const vb = y?.values.get(version);
      if (vb === undefined) c.onlyA.push(version);
      else if (va === 'no-value' || vb === 'no-value') c.noValue.push({ version, a: va, b: vb });
      else if (va === vb) c.agree++;
      else c.disagree.push({ version, a: va, b: vb });
    }
    for (const version of y?.values.keys() ?? []) if (!x?.values.has(version)) c.onlyB.push(version);
    c.onlyARuns = runsOf([...(x?.values.keys() ?? [])], (v) => y?.values.has(v) !== true);
    c.onlyBRuns = runsOf([...(y?.values.keys() ?? [])], (v) => x?.values.has(v) !== true);
    fields.push(c);
  }
  fields.sort((p, q) => compareCodeUnits(p.field, q.field) || compareCodeUnits(p.arch, q.arch) || compareCodeUnits(p.versionsOf, q.versionsOf));
  const sum = (f: (c: FieldComparison) => number) => fields.reduce((n, c) => n + f(c), 0);
  return {
    a: { origin: a.origin, layout: LAYOUT_NAMES[a.layout] },
    b: { origin: b.origin, layout: LAYOUT_NAMES[b.layout] },
    fields,
    totals: {
      agree: sum((c) => c.agree),
      disagree: sum((c) => c.disagree.length),
      noValue: sum((c) => c.noValue.length),
      onlyA: sum((c) => c.onlyA.length),
      onlyB: sum((c) => c.onlyB.length),
    },
  };
}

/** Maximal runs of consecutive list entries that pass `keep`. */
function runsOf(list: string[], keep: (v: string) => boolean): [string, string, number][] {
  const runs: [string, string, number][] = [];
  let open: [string, string, number] | undefined;
  for (const v of list) {
    if (!keep(v)) open = undefined;
    else if (open) (open[1] = v), open[2]++;
    else runs.push((open = [v, v, 1]));
  }
  return runs;
}
