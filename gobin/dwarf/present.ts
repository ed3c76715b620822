import type { ElfFile } from '../elf.js';

/**
 * Whether the ELF file carries DWARF (`.debug_info`, or the `.zdebug_info`
 * of old compressed builds). Kept apart from the reader so that code which
 * only needs to know, such as GoBinary on a stripped binary, never loads it.
 */
export function hasDwarf(elf: ElfFile): boolean {
  return elf.section('.debug_info') !== undefined || elf.section('.zdebug_info') !== undefined;
}
