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
 */
import { Dwarf } from '../../gobin/dwarf/index.js';
import { ElfFile } from '../../gobin/elf.js';
import { generateProbe, type ProbeFiles, type ProbeSpec, type ProbeType } from './generate.js';

/** The structs of `types` that the binary's DWARF does not describe. */
export async function structsMissingFromDwarf(binary: string, types: readonly ProbeType[]): Promise<ProbeType[]> {
  const dwarf = Dwarf.fromElf(await ElfFile.open(binary));
  return types.filter((t) => dwarf.findStruct(`${t.pkg}.${t.type}`) === undefined);
}

/** Builds `spec` through `build` (which returns the binary's path), injecting only the structs a bare build lacks. */
export async function buildWithFewestInjections(spec: ProbeSpec, build: (probe: ProbeFiles) => Promise<string>): Promise<string> {
  const bare = await build(generateProbe({ ...spec, types: [] }));
  const missing = await structsMissingFromDwarf(bare, spec.types);
  if (missing.length === 0) return bare;
  return build(generateProbe({ ...spec, types: missing }));
}
