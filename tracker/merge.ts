/** `offsets-tracker merge`: combines the partial tables of a sharded run into one. */
import { writeFileAtomic } from '../common/atomic-write.js';
import { loadTable, mergeTables, serializeTable } from '../offsets/index.js';
import { RunError } from './run.js';

/** Merges partial tables; the result equals the unsharded run's table byte for byte. Returns the written text. */
export async function mergePartials(partials: readonly string[], out: string): Promise<string> {
  if (!partials.length) throw new RunError('ERR_BAD_USAGE', 'merge: name at least one partial table');
  const tables = await Promise.all(partials.map((p) => loadTable(p)));
  const text = serializeTable(mergeTables(tables));
  await writeFileAtomic(out, text);
  return text;
}
