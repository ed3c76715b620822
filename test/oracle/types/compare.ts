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

export function compareWithDwarf(ours: TypeStruct[], dwarf: StructType[], maxDifferences = 5): Comparison {
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
