import type { PackageStanza } from '../../debian/packages.js';
import { DebianModuleError } from './errors.js';

/** One entry of a Depends field: alternatives (`a | b`), each a package name with an optional version constraint. */
export type DependsGroup = { name: string; constraint?: string }[];

/** Parses `a (>= 1), b | c:any, d [amd64]` into groups of alternatives. */
export function parseDepends(field: string | undefined, where: string): DependsGroup[] {
  if (!field || !field.trim()) return [];
  return field.split(',').map((group) =>
    group.split('|').map((alt) => {
      const m = /^\s*([a-z0-9][a-z0-9+.-]*)(?::[a-z0-9-]+)?\s*(?:\(([^)]*)\))?\s*(?:\[[^\]]*\])?\s*(?:<[^>]*>)?\s*$/.exec(alt);
      if (!m) throw new DebianModuleError('ERR_DEBIAN_MODULE_DEPENDS', `${where}: cannot parse Depends entry ${JSON.stringify(alt.trim())}`);
      return m[2] ? { name: m[1], constraint: m[2].trim() } : { name: m[1] };
    }),
  );
}

/** A suite's packages by name, and who provides each virtual name. */
export class SuitePackages {
  readonly byName = new Map<string, PackageStanza>();
  private providersByName?: Map<string, PackageStanza[]>;
  constructor(readonly suite: string, private readonly packages: PackageStanza[]) {
    for (const p of packages) {
      // An index lists one version per package and arch; keep the first if repeated.
      if (!this.byName.has(p.package)) this.byName.set(p.package, p);
    }
  }

  /**
   * Virtual name -> the packages that provide it, in index order. Built on first
   * use: a run that only looks packages up by name (a rerun with nothing new)
   * never parses the Provides fields of a whole suite.
   */
  get providers(): Map<string, PackageStanza[]> {
    if (!this.providersByName) {
      const out = new Map<string, PackageStanza[]>();
      for (const p of this.packages) {
        for (const prov of parseDepends(p.provides, `${this.suite} ${p.package} Provides`)) {
          for (const alt of prov) {
            const list = out.get(alt.name);
            if (list) list.push(p);
            else out.set(alt.name, [p]);
          }
        }
      }
      this.providersByName = out;
    }
    return this.providersByName;
  }

  /** The real package a dependency name resolves to: itself, else its first provider. */
  resolve(name: string): PackageStanza | undefined {
    return this.byName.get(name) ?? this.providers.get(name)?.[0];
  }

  depends(p: PackageStanza): DependsGroup[] {
    return parseDepends(p.depends, `${this.suite} ${p.package} Depends`);
  }
}

/**
 * The blind Depends closure of `root` (first resolvable alternative of each
 * group, as apt would pick on a clean system): what installing the package
 * would download. Used to measure what the import-graph fetch saves.
 */
export function dependsClosure(pkgs: SuitePackages, root: PackageStanza): PackageStanza[] {
  const seen = new Map<string, PackageStanza>([[root.package, root]]);
  const todo = [root];
  while (todo.length) {
    const p = todo.pop()!;
    for (const group of pkgs.depends(p)) {
      if (group.some((alt) => seen.has(alt.name) || [...seen.values()].some((s) => pkgs.resolve(alt.name) === s))) continue;
      const pick = group.map((alt) => pkgs.resolve(alt.name)).find((x) => x !== undefined);
      if (pick && !seen.has(pick.package)) {
        seen.set(pick.package, pick);
        todo.push(pick);
      }
    }
  }
  return [...seen.values()];
}
