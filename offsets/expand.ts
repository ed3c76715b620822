import { buildTable } from './build.js';
import { canonicalJson } from './canonical-json.js';
import { TableError } from './errors.js';
import { fieldRuns, type OffsetsTable } from './format.js';
import { expandFor, tableModel } from './model.js';
import type { Observation, ObservationResult } from './observation.js';

/** The table as canonical JSON text (what is committed as offsets/offsets.json). */
export function serializeTable(table: OffsetsTable): string {
  return canonicalJson(table);
}

/**
 * Every observation the table holds, one per (module, version, source, arch,
 * field) — so buildTable(tableObservations(t)) reproduces t. Failed results
 * come back as failed, so an incremental run retries them.
 */
export function tableObservations(table: OffsetsTable): Observation[] {
  const out: Observation[] = [];
  for (const mod of tableModel(table).modules.values()) {
    const sources = mod.entry.versions.map((v) => v.slice(1));
    for (const [field, entry] of Object.entries(mod.entry.fields)) {
      for (const arch of mod.entry.archs) {
        const runs = fieldRuns(entry, mod.entry, arch);
        if (!runs) continue;
        expandFor(mod, runs).forEach((value, i) => {
          if (value === undefined) return;
          const result: ObservationResult =
            value === null ? { status: 'absent' } : value === 'failed' ? { status: 'failed', error: 'failed in an earlier scan' } : { status: 'ok', offset: value };
          for (const source of sources[i]) out.push({ module: mod.name, version: mod.versions[i].canonical, source, arch, field, result });
        });
      }
    }
  }
  return out;
}

/** Combines tables (e.g. shards of one tracker run): the same bytes as building from all their observations at once. */
export function mergeTables(tables: readonly OffsetsTable[]): OffsetsTable {
  return buildTable(tables.flatMap(tableObservations));
}

/** The versions scanned for a module, in version order, with their sources; [] when the table has no such module. */
export function scannedVersions(table: OffsetsTable, module: string): { version: string; sources: string[] }[] {
  return (table.modules[module]?.versions ?? []).map(([version, ...sources]) => ({ version, sources }));
}

/** The module names of the table, `std` included. */
export function tableModules(table: OffsetsTable): string[] {
  return Object.keys(table.modules);
}

export function requireModule(table: OffsetsTable, module: string): void {
  if (!table.modules[module]) {
    throw new TableError('ERR_UNKNOWN_MODULE', `no module ${JSON.stringify(module)} in the table (modules: ${Object.keys(table.modules).join(', ')})`);
  }
}
