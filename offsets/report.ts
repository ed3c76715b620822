import { belongsTo } from './build.js';
import { compareCodeUnits } from './canonical-json.js';
import type { OffsetsTable } from './format.js';
import { checkPolicy, lookup, type LookupPolicy, type LookupResult } from './lookup.js';
import { tableModel } from './model.js';
import { splitFieldSelector, type Arch } from './observation.js';

/** A dependency as the binary's buildinfo lists it. */
export interface BinaryModule {
  path: string;
  version?: string;
  /** A replace directive: the replacement's version is the one compiled in (none for a local directory). */
  replace?: { path: string; version?: string } | null;
}

export interface BinaryDescription {
  /** As the binary reports it: `go1.21.13`, `go1.20.7 X:boringcrypto`, … */
  goVersion: string;
  modules: BinaryModule[];
  arch: Arch;
  policy?: LookupPolicy;
}

/**
 * The module owning a package: the longest table module path that is the
 * package or a parent of it; `std` for standard library packages. Accepts a
 * package path or a field selector.
 */
export function owningModule(table: OffsetsTable, pkgOrField: string): string | undefined {
  const model = tableModel(table);
  const known = model.owner.get(pkgOrField);
  if (known) return known;
  const pkg = splitFieldSelector(pkgOrField)?.pkg ?? pkgOrField;
  if (belongsTo(pkg, 'std')) return 'std';
  let best: string | undefined;
  for (const name of model.modules.keys()) {
    if (name !== 'std' && belongsTo(pkg, name) && (!best || name.length > best.length)) best = name;
  }
  return best;
}

/**
 * The version of `module` compiled into the binary: the replacement's when
 * replaced. undefined when the binary does not use the module; '' when it
 * does but with no version (a directory replace).
 */
export function moduleVersionIn(binary: Pick<BinaryDescription, 'modules'>, module: string): string | undefined {
  const dep = binary.modules.find((m) => m.path === module);
  if (!dep) return undefined;
  if (dep.replace) return dep.replace.version ?? '';
  return dep.version ?? '';
}

/** Looks a field up for a binary: the Go version for std fields, the owning module's (replaced) version otherwise. */
export function lookupForBinary(table: OffsetsTable, field: string, binary: BinaryDescription): LookupResult | undefined {
  const module = owningModule(table, field);
  if (module === 'std') return lookup(table, { field, go: binary.goVersion, arch: binary.arch, policy: binary.policy });
  const version = module === undefined ? undefined : moduleVersionIn(binary, module);
  if (version === undefined) return undefined;
  return lookup(table, { field, moduleVersion: version, arch: binary.arch, policy: binary.policy });
}

export interface TableReport {
  goVersion: string;
  arch: Arch;
  policy: LookupPolicy;
  /** Every tracked field of std and of the modules the binary uses, sorted by field. */
  fields: LookupResult[];
  /** The fields among them with status unknown. */
  unknown: LookupResult[];
  /** Table modules the binary does not use (their fields are not reported). */
  modulesNotInBinary: string[];
}

/**
 * Every tracked field's answer for one binary (for `offsets inspect` and the
 * agent). Never throws for one bad field or version: that field is unknown,
 * with the reason in its message.
 */
export function tableReport(table: OffsetsTable, binary: BinaryDescription): TableReport {
  const policy = checkPolicy(binary.policy);
  const model = tableModel(table);
  const fields: LookupResult[] = [];
  const notUsed: string[] = [];
  for (const [name, mod] of [...model.modules].sort(([a], [b]) => compareCodeUnits(a, b))) {
    const version = name === 'std' ? binary.goVersion : moduleVersionIn(binary, name);
    if (version === undefined) {
      notUsed.push(name);
      continue;
    }
    for (const field of Object.keys(mod.entry.fields)) {
      try {
        fields.push(lookup(table, { field, go: binary.goVersion, moduleVersion: version, arch: binary.arch, policy }));
      } catch (err) {
        fields.push({ field, module: name, version, arch: binary.arch, offset: null, status: 'unknown', policy, message: (err as Error).message });
      }
    }
  }
  fields.sort((a, b) => compareCodeUnits(a.field, b.field));
  return { goVersion: binary.goVersion, arch: binary.arch, policy, fields, unknown: fields.filter((f) => f.status === 'unknown'), modulesNotInBinary: notUsed };
}
