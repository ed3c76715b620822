import { compareCodeUnits } from '../canonical-json.js';
import { fieldRuns } from '../format.js';
import { fieldFiling, type LoadedTable } from '../loaded-table.js';
import { expandFor, tableModel } from '../model.js';
import { splitFieldSelector, type Arch } from '../observation.js';
import { toOtelVersion, type OtelFile, type OtelOffset } from './layout.js';

/** A field, or one version of it, that the export could not write. */
export interface LeftOut {
  field: string;
  /** Our canonical version; absent when the whole field is left out. */
  version?: string;
  reason: 'failed' | 'otel-null' | 'arch-not-scanned' | 'keyed-by-own-version';
}

export interface OtelExport {
  doc: OtelFile;
  /** The file's bytes: two-space indented JSON and a newline, as OpenTelemetry writes it. */
  text: string;
  leftOut: LeftOut[];
  /** Fields written whose runs differ on another arch of the table: OpenTelemetry's agent uses the one arch written for every arch. */
  otherArchDiffers: string[];
}

/**
 * Writes a table in OpenTelemetry's layout for one arch (OpenTelemetry's file
 * holds one; default amd64). Only scanned versions appear: an offset as is,
 * absent as null (OpenTelemetry's "no offset"). A failed scan is never written
 * as null: it is left out and listed, as are the nulls of an imported
 * OpenTelemetry file. Fields go under the module OpenTelemetry files them
 * under (keying.ts). The output is deterministic: modules, packages, structs
 * and fields sorted, offsets null first then ascending, versions in version order.
 */
export function exportOtel(loaded: LoadedTable, arch: Arch = 'amd64'): OtelExport {
  const leftOut: LeftOut[] = [];
  const otherArchDiffers: string[] = [];
  // otel module → package → struct → field → offsets
  const tree = new Map<string, Map<string, Map<string, Map<string, OtelOffset[]>>>>();
  const child = <K, V>(m: Map<K, V>, k: K, make: () => V): V => {
    let v = m.get(k);
    if (v === undefined) m.set(k, (v = make()));
    return v;
  };
  for (const mod of tableModel(loaded.table).modules.values()) {
    for (const [field, entry] of Object.entries(mod.entry.fields)) {
      const filing = fieldFiling(loaded, field, mod.name);
      if (filing.keying === 'follows' && filing.versionsOf !== filing.otelModule) {
        leftOut.push({ field, reason: 'keyed-by-own-version' });
        continue;
      }
      const runs = fieldRuns(entry, mod.entry, arch);
      if (!runs) {
        leftOut.push({ field, reason: 'arch-not-scanned' });
        continue;
      }
      const byOffset = new Map<number | null, string[]>();
      expandFor(mod, runs).forEach((value, i) => {
        const version = mod.versions[i].canonical;
        if (value === undefined) return;
        if (value === 'failed') leftOut.push({ field, version, reason: loaded.layout === 'otel' ? 'otel-null' : 'failed' });
        else child(byOffset, value, () => [] as string[]).push(toOtelVersion(mod.name, version));
      });
      if (byOffset.size === 0) continue;
      const differs = (other: Arch) => {
        const theirs = other === arch ? undefined : fieldRuns(entry, mod.entry, other);
        return theirs !== undefined && JSON.stringify(theirs) !== JSON.stringify(runs);
      };
      if ('byArch' in entry && mod.entry.archs.some(differs)) otherArchDiffers.push(field);
      const sel = splitFieldSelector(field)!;
      const offsets = [...byOffset]
        .sort(([a], [b]) => (a === null ? -1 : b === null ? 1 : a - b))
        .map(([offset, versions]) => ({ offset, versions }));
      child(child(child(tree, filing.otelModule, () => new Map()), sel.pkg, () => new Map()), sel.type, () => new Map()).set(sel.field, offsets);
    }
  }
  const sorted = <V>(m: Map<string, V>): [string, V][] => [...m].sort(([a], [b]) => compareCodeUnits(a, b));
  const doc: OtelFile = sorted(tree).map(([module, pkgs]) => ({
    module,
    packages: sorted(pkgs).map(([pkg, structs]) => ({
      package: pkg,
      structs: sorted(structs).map(([struct, fields]) => ({
        struct,
        fields: sorted(fields).map(([field, offsets]) => ({ field, offsets })),
      })),
    })),
  }));
  return { doc, text: JSON.stringify(doc, null, 2) + '\n', leftOut, otherArchDiffers: otherArchDiffers.sort(compareCodeUnits) };
}
