/**
 * A probe built with no more injections than its DWARF needs.
 *
 * Injecting into a package changes its compiled output, and with it the cache
 * key of every package that imports it: an injection into runtime recompiles
 * all of std. Most tracked structs are in a probe's DWARF without any
 * (runtime.g always is), so the probe is first built bare, sharing every
 * compile with plain `go build -trimpath` builds, and built again only when
 * some tracked struct is missing, with injections for those structs alone.
 * The second build recompiles just the injected packages and their importers.
 *
 * A struct missing from the bare build may also not exist in this version
 * (runtime.hmap since Go 1.24): injecting it would fail, the wrapper would
 * drop the file, but the package would still be compiled under another key,
 * and with runtime that is all of std again. So a struct is injected only when
 * one of the files the go command compiles for its package declares it.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Dwarf } from '../../gobin/dwarf/index.js';
import { ElfFile } from '../../gobin/elf.js';
import { generateProbe, type ProbeFiles, type ProbeSpec, type ProbeType } from './generate.js';

/** The structs of `types` that the binary's DWARF does not describe. */
export async function structsMissingFromDwarf(binary: string, types: readonly ProbeType[]): Promise<ProbeType[]> {
  const dwarf = Dwarf.fromElf(await ElfFile.open(binary));
  return types.filter((t) => dwarf.findStruct(`${t.pkg}.${t.type}`) === undefined);
}

/** A package's directory and the Go files the go command compiles in it (`go list -f '{{.Dir}} {{.GoFiles}}'`). */
export interface ListedFiles {
  dir: string;
  goFiles: string[];
}

/** What `go list` says of `pkgs`, run beside the bare probe (whose module or GOPATH resolves them). */
export type ListPackages = (pkgs: string[], probeDir: string) => Promise<Map<string, ListedFiles>>;

/** The structs of `types` that some compiled file of their package declares (`type T struct`, or `T struct` in a type group). */
export async function declaredStructs(types: readonly ProbeType[], listed: Map<string, ListedFiles>): Promise<ProbeType[]> {
  const sources = new Map<string, string>();
  const source = async (pkg: string): Promise<string> => {
    if (!sources.has(pkg)) {
      const l = listed.get(pkg);
      sources.set(pkg, l ? (await Promise.all(l.goFiles.map((f) => readFile(join(l.dir, f), 'utf8')))).join('\n') : '');
    }
    return sources.get(pkg)!;
  };
  const out: ProbeType[] = [];
  for (const t of types) {
    // A package go list cannot describe is kept: the wrapper's retry then decides, as before.
    if (!listed.has(t.pkg)) out.push(t);
    else if (new RegExp(`(^|\\n)(type\\s+|\\s+)${t.type}(\\[[^\\]]*\\])?\\s+struct\\b`).test(await source(t.pkg))) out.push(t);
  }
  return out;
}

/**
 * Builds `spec` through `build` (which returns the binary's path), injecting
 * only the structs a bare build lacks and its package's files declare.
 */
export async function buildWithFewestInjections(spec: ProbeSpec, build: (probe: ProbeFiles) => Promise<string>, list: ListPackages): Promise<string> {
  const bare = await build(generateProbe({ ...spec, types: [] }));
  const lacking = await structsMissingFromDwarf(bare, spec.types);
  if (lacking.length === 0) return bare;
  const missing = await declaredStructs(lacking, await list([...new Set(lacking.map((t) => t.pkg))], dirname(bare)));
  if (missing.length === 0) return bare;
  return build(generateProbe({ ...spec, types: missing }));
}
