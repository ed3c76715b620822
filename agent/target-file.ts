import { ElfFile } from '../gobin/elf.js';
import { loaderAddon } from './native.js';

/**
 * The target executable, for the reader: mapped into memory by the addon
 * (agent/native/map-file.cc: reading it into fresh memory costs a first start
 * tens of ms in page faults), else read on demand. A file that cannot be
 * mapped is read on demand too, which reports what is wrong with it.
 */
export function openTargetFile(path: string): ElfFile {
  let bytes: Uint8Array;
  try {
    bytes = loaderAddon().mapFile(path);
  } catch {
    return ElfFile.openOnDemand(path);
  }
  return ElfFile.parse(bytes, path);
}
