// Compares struct layouts read from type descriptors with Go's debug/dwarf
// (test/oracle/dwarf) on the same build: every struct whose name is carried
// once by each side, member by member (name, offset, size, embedded flag) and
// its size. Member type names are not compared: descriptors spell them with
// package names (`*url.URL`), DWARF with paths (`*net/url.URL`).
import type { StructType } from '../../../gobin/dwarf/index.js';
import type { TypeStruct } from '../../../gobin/types/index.js';

export interface Comparison {
  /** Structs present in both and compared. */
  compared: number;
  /** Descriptor structs DWARF does not have (by name). */
  onlyTypes: string[];
  /** The first differences, one line each. */
  differences: string[];
}

const shape = (s: { name: string; size: number; members: Array<{ name: string; offset: number | null; size: number | null; embedded: boolean }> }) =>
  JSON.stringify({ name: s.name, size: s.size, members: s.members.map((m) => [m.name, m.offset, m.size, m.embedded]) });

/**
 * DWARF's name for a struct with the linker's escaping undone: a dot in the last
 * element of a package path is written `%2e` (`crypto/internal/entropy/v1%2e0%2e0.source`);
 * descriptors carry the import path as it is.
 */
export function unescapedDwarfName(name: string): string {
  return name.replace(/%2e/g, '.');
}

export function compareWithDwarf(ours: TypeStruct[], dwarfStructs: StructType[], maxDifferences = 5): Comparison {
  const dwarf = dwarfStructs.map((s) => ({ ...s, name: unescapedDwarfName(s.name) }));
  const count = new Map<string, number>();
  for (const s of dwarf) count.set(s.name, (count.get(s.name) ?? 0) + 1);
  const byName = new Map(dwarf.filter((s) => count.get(s.name) === 1).map((s) => [s.name, s]));
  const out: Comparison = { compared: 0, onlyTypes: [], differences: [] };
  for (const s of ours) {
    const d = byName.get(s.name);
    if (!d) {
      if (!count.has(s.name)) out.onlyTypes.push(s.name);
      continue;
    }
    out.compared++;
    const a = shape(s);
    const b = shape(d);
    if (a !== b && out.differences.length < maxDifferences) out.differences.push(`${s.name}:\n  types: ${a}\n  dwarf: ${b}`);
  }
  return out;
}
