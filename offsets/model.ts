import { TableError } from './errors.js';
import type { ModuleEntry, OffsetsTable, Run, RunValue } from './format.js';
import { expandRuns } from './runs.js';
import { compareTableVersions, isUnversioned, parseVersionFor, type TableVersion } from './versions.js';

/** Parsed versions and position index of one module, computed once per table. */
export interface ModuleModel {
  name: string;
  entry: ModuleEntry;
  versions: TableVersion[];
  position: Map<string, number>;
}

export interface TableModel {
  modules: Map<string, ModuleModel>;
  /** field selector → owning module */
  owner: Map<string, string>;
}

const models = new WeakMap<OffsetsTable, TableModel>();

/**
 * The lookup indices of a table (built on first use and cached). Also the
 * consistency check parseTable runs: versions parse and are strictly
 * ordered, runs name listed versions, in order, without overlap.
 */
export function tableModel(table: OffsetsTable): TableModel {
  let model = models.get(table);
  if (model) return model;
  model = { modules: new Map(), owner: new Map() };
  for (const [name, entry] of Object.entries(table.modules)) {
    const mod = moduleModel(name, entry);
    model.modules.set(name, mod);
    for (const field of Object.keys(entry.fields)) {
      const other = model.owner.get(field);
      if (other !== undefined) inconsistent(`field ${field} is listed under both ${other} and ${name}`);
      model.owner.set(field, name);
      const fe = entry.fields[field];
      if ('runs' in fe) checkRuns(mod, field, fe.runs);
      else for (const runs of Object.values(fe.byArch)) checkRuns(mod, field, runs!);
    }
  }
  models.set(table, model);
  return model;
}

function moduleModel(name: string, entry: ModuleEntry): ModuleModel {
  const versions: TableVersion[] = [];
  const position = new Map<string, number>();
  for (const [raw] of entry.versions) {
    let v;
    try {
      v = parseVersionFor(name, raw);
    } catch (err) {
      return inconsistent(`module ${name}: ${(err as Error).message}`);
    }
    if (isUnversioned(v) || v.devel || v.canonical !== raw) inconsistent(`module ${name}: version ${raw} is not in canonical form`);
    const prev = versions[versions.length - 1];
    if (prev && compareTableVersions(prev, v) >= 0) inconsistent(`module ${name}: versions ${prev.canonical} and ${raw} are out of order or repeated`);
    position.set(raw, versions.length);
    versions.push(v);
  }
  return { name, entry, versions, position };
}

function checkRuns(mod: ModuleModel, field: string, runs: Run[]): void {
  let end = -1;
  for (const [first, last] of runs) {
    const a = mod.position.get(first);
    const b = mod.position.get(last);
    if (a === undefined || b === undefined) inconsistent(`${mod.name} ${field}: run [${first}, ${last}] names a version not in the versions list`);
    if (a! > b! || a! <= end) inconsistent(`${mod.name} ${field}: run [${first}, ${last}] is reversed, out of order or overlaps the previous one`);
    end = b!;
  }
}

function inconsistent(message: string): never {
  throw new TableError('ERR_TABLE_INCONSISTENT', message);
}

/** The value of every version of the module for these runs (undefined: not scanned). */
export function expandFor(mod: ModuleModel, runs: readonly Run[]): (RunValue | undefined)[] {
  return expandRuns(runs, mod.versions.length, (v) => mod.position.get(v)!);
}
