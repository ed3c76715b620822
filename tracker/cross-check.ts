/**
 * The tracker's check of the type-descriptor reader: the probe the tracker
 * builds has DWARF, and its type descriptors are the ones a stripped build of
 * the same source would carry (-s -w drops only the symbol table and DWARF).
 * Reading them with the same code path `offsets types` uses on stripped
 * binaries and comparing with the DWARF reading of the same build finds a
 * reader bug before anyone relies on it. A disagreement fails the job.
 */
import { GoBinary } from '../gobin/binary.js';
import { GobinError } from '../gobin/errors.js';
import type { ProbeReading } from './read.js';

export interface CrossCheck {
  /** Tracked structs found both in DWARF and among the descriptors, and compared. */
  compared: number;
  /** One line per disagreement (or an unreadable descriptor table); empty when all agree. */
  problems: string[];
  /** Set when the descriptors were not read because the reader does not know this Go version's layout. */
  skipped?: string;
}

export async function crossCheckDescriptors(binary: string, reading: ProbeReading): Promise<CrossCheck> {
  const bin = await GoBinary.open(binary);
  let td;
  try {
    td = bin.types();
  } catch (err) {
    if (err instanceof GobinError && err.code === 'ERR_TYPES_UNSUPPORTED') return { compared: 0, problems: [], skipped: err.message };
    const why = err instanceof GobinError ? `${err.code}: ${err.message}` : String(err);
    return { compared: 0, problems: [`type descriptors unreadable: ${why}`] };
  }
  const problems: string[] = [];
  let compared = 0;
  for (const [name, dwarf] of reading.structs) {
    const types = dwarf && td.findStruct(name);
    if (!dwarf || !types) continue;
    compared++;
    if (types.size !== dwarf.size) problems.push(`${name}: size ${types.size} from type descriptors, ${dwarf.size} from DWARF`);
    const dw = new Map(dwarf.members.map((m) => [m.name, m]));
    if (types.members.length !== dwarf.members.length) problems.push(`${name}: ${types.members.length} fields from type descriptors, ${dwarf.members.length} from DWARF`);
    for (const m of types.members) {
      const d = dw.get(m.name);
      if (!d) problems.push(`${name}.${m.name}: in the type descriptors, not in DWARF`);
      else if (d.offset !== m.offset || d.size !== m.size) problems.push(`${name}.${m.name}: offset ${m.offset} size ${m.size} from type descriptors, offset ${d.offset} size ${d.size} from DWARF`);
    }
  }
  return { compared, problems };
}
