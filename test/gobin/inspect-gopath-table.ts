// The repository's offsets table (offsets/offsets.json), which lists golang.org/x/net:
// a GOPATH build must still not be looked up in it (no module version to look up).
import { join } from 'node:path';
import { loadTable, type OffsetsTable } from '../../offsets/index.js';

export function loadOffsetsTableForTest(): Promise<OffsetsTable> {
  return loadTable(join(import.meta.dirname, '..', '..', 'offsets', 'offsets.json'));
}
