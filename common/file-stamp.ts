import type { Stats } from 'node:fs';

/**
 * A file's size and modification time, `SIZE-MTIME`: how what the build made
 * from a file (a V8 code cache, the stamp of a validated table) tells that the
 * file is still the one it was made from. Any rewrite changes it.
 */
export function fileStamp(st: Stats): string {
  return `${st.size}-${Math.trunc(st.mtimeMs)}`;
}
