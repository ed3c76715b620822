/**
 * Import-graph-driven fetch: starting from the library's own package, run
 * `go list -e -deps` over the probe in GOPATH mode, and satisfy each import
 * path it cannot find from the Depends of the packages already chosen, one
 * round at a time, until nothing is missing. Alternatives (`a | b`) are tried
 * in order, and a group one of whose alternatives is already chosen is never
 * satisfied a second time, so that two packages installing the same import
 * path at different versions are never mixed.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FetchOptions } from '../../debian/http.js';
import type { PackageStanza } from '../../debian/packages.js';
import type { Arch } from '../../offsets/observation.js';
import type { Toolchain } from '../build.js';
import { generateProbe, writeFiles } from '../probe/generate.js';
import type { SuitePackages } from './depends.js';
import { DebianModuleError } from './errors.js';
import { listDeps, type ListedPackage } from './gobuild.js';
import { ensureGocode, providesImport, type FetchStats } from './gopath.js';
import { candidatePackageNames } from './naming.js';

export interface ResolvedTree {
  suite: string;
  /** Chosen packages, in GOPATH order (the library first). */
  chosen: PackageStanza[];
  /** GOPATH entries, parallel to `chosen`. */
  gopath: string[];
  /** Every non-std import path of the probe (any arch) -> the package that provides it. */
  provider: Map<string, PackageStanza>;
  /** Packages downloaded to look for an import path that they turned out not to have. */
  triedAndRejected: string[];
  /** Packages taken from the suite by the naming convention because no Depends named them (incomplete Depends), with the path they serve. */
  outsideDepends: string[];
}

export interface ResolveRequest {
  mirror: string;
  pkgs: SuitePackages;
  root: PackageStanza;
  imports: string[];
  toolchain: Toolchain;
  archs: Arch[];
  workDir: string;
  stats: FetchStats;
  http?: FetchOptions;
}

const MAX_ROUNDS = 100;

export async function resolveImportGraph(req: ResolveRequest): Promise<ResolvedTree> {
  const chosen: PackageStanza[] = [req.root];
  const gopath: string[] = [await ensureGocode(req.mirror, req.root, req.stats, req.http)];
  const outsideDepends: string[] = [];
  const rejected = new Map<string, string>(); // package -> GOPATH entry (fetched, provided nothing asked so far)
  const probeDir = join(req.workDir, 'list');
  await rm(probeDir, { recursive: true, force: true });
  await mkdir(probeDir, { recursive: true });
  await writeFiles(probeDir, generateProbe({ imports: req.imports, types: [] }).main);

  const isChosen = (name: string) => chosen.some((c) => c.package === name || req.pkgs.resolve(name) === c);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const listed: ListedPackage[] = [];
    for (const arch of req.archs) listed.push(...(await listDeps(req.toolchain, arch, gopath, probeDir)));
    const missing = [...new Set(listed.filter((p) => p.missing).map((p) => p.importPath))].sort();
    if (missing.length === 0) {
      const provider = new Map<string, PackageStanza>();
      for (const p of listed) {
        if (p.standard || !p.root) continue;
        const i = gopath.indexOf(p.root);
        if (i >= 0) provider.set(p.importPath, chosen[i]);
      }
      return { suite: req.pkgs.suite, chosen, gopath, provider, triedAndRejected: [...rejected.keys()], outsideDepends };
    }
    // Satisfy every missing path of this round; a package picked for one path may provide the next.
    const picked: string[] = [];
    for (const path of missing) {
      if (await someProvides(picked, path)) continue;
      // Groups of the chosen packages' Depends that no chosen package satisfies yet, in order.
      const groups = chosen.flatMap((c) => req.pkgs.depends(c));
      const open = groups.filter((g) => !g.some((alt) => isChosen(alt.name)));
      const alternatives = open.flatMap((g) => g.map((alt) => req.pkgs.resolve(alt.name)).filter((p): p is PackageStanza => p !== undefined));
      // Alternatives of satisfied groups: never chosen on top (they would install the same paths again).
      const excluded = new Set(groups.filter((g) => !open.includes(g)).flatMap((g) => g.map((alt) => req.pkgs.resolve(alt.name)?.package ?? alt.name)));
      const pick = await choose(path, alternatives, excluded, req, rejected);
      // Not (yet) allowed: a package picked later in this round may bring the Depends that allow it.
      if (!pick) continue;
      if (pick.outsideDepends) outsideDepends.push(`${pick.pkg.package} for ${path}`);
      chosen.push(pick.pkg);
      gopath.push(pick.entry);
      picked.push(pick.entry);
      rejected.delete(pick.pkg.package);
    }
    if (picked.length === 0) {
      throw new DebianModuleError(
        'ERR_DEBIAN_MODULE_IMPORT',
        `${req.pkgs.suite}: import path ${missing[0]}${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}, needed by the probe of ${req.root.package} ${req.root.version}, is in no package that the Depends of ${chosen.map((c) => c.package).join(', ')} allow, nor in a package of the suite named by the convention`,
      );
    }
  }
  throw new DebianModuleError('ERR_DEBIAN_MODULE_IMPORT', `${req.pkgs.suite}: ${req.root.package}: import graph not complete after ${MAX_ROUNDS} rounds`);
}

async function someProvides(entries: string[], path: string): Promise<boolean> {
  for (const e of entries) if (await providesImport(e, path)) return true;
  return false;
}

/**
 * The package that provides `path`, in this order: (1) open Depends
 * alternatives whose name the naming convention gives for the path (or a
 * parent); (2) a package of the suite with such a name that no Depends group
 * excludes, when the Depends are incomplete (it happens: kafka-go 0.4.51 in
 * sid imports klauspost/compress without depending on it); (3) any other open
 * golang-*-dev alternative, fetched and looked into.
 */
async function choose(
  path: string,
  alternatives: PackageStanza[],
  excluded: Set<string>,
  req: ResolveRequest,
  rejected: Map<string, string>,
): Promise<{ pkg: PackageStanza; entry: string; outsideDepends: boolean } | undefined> {
  const names = candidatePackageNames(path);
  const byConvention = names.map((n) => alternatives.find((a) => a.package === n)).filter((p): p is PackageStanza => p !== undefined);
  // The conventional name, or a versioned variant of it (golang-github-golang-protobuf-1-5-dev for github.com/golang/protobuf).
  const suiteNames = names.flatMap((n) => [n, ...[...req.pkgs.byName.keys()].filter((k) => k.startsWith(n.slice(0, -'dev'.length)) && /^-\d+(-\d+)*-dev$/.test(k.slice(n.length - 4))).sort().reverse()]);
  const inSuite = suiteNames.map((n) => req.pkgs.byName.get(n)).filter((p): p is PackageStanza => p !== undefined && !excluded.has(p.package) && !byConvention.includes(p));
  const rest = alternatives.filter((a) => !byConvention.includes(a) && /^golang-.*-dev$/.test(a.package));
  const order = [...byConvention.map((p) => [p, false] as const), ...inSuite.map((p) => [p, true] as const), ...rest.map((p) => [p, false] as const)];
  for (const [pkg, outsideDepends] of order) {
    const entry = rejected.get(pkg.package) ?? (await ensureGocode(req.mirror, pkg, req.stats, req.http));
    if (await providesImport(entry, path)) return { pkg, entry, outsideDepends };
    rejected.set(pkg.package, entry);
  }
  return undefined;
}
