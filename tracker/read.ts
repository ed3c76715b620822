/**
 * Reads the tracked fields from a probe's DWARF with the project's reader:
 * offsets, and the layout of each tracked struct for the checks.
 */
import { Dwarf, type StructType } from '../gobin/dwarf/index.js';
import { ElfFile } from '../gobin/elf.js';

/** A number: the offset. null: the field, or its struct, is not in this version. A string: why it could not be read. */
export type FieldReading = number | null | { error: string };

export interface ProbeReading {
  /** `amd64`, `arm64` or `unknown(N)`, from the ELF machine. */
  machine: string;
  pointerSize: number;
  fields: Map<string, FieldReading>;
  /** `pkg.Type` -> layout (undefined: the struct is not in this version). */
  structs: Map<string, StructType | undefined>;
}

export async function readProbe(binary: string, selectors: readonly string[]): Promise<ProbeReading> {
  const elf = await ElfFile.open(binary);
  const dwarf = Dwarf.fromElf(elf);
  const fields = new Map<string, FieldReading>();
  const structs = new Map<string, StructType | undefined>();
  for (const selector of selectors) {
    const dot = selector.lastIndexOf('.');
    const typeName = selector.slice(0, dot);
    if (!structs.has(typeName)) structs.set(typeName, dwarf.findStruct(typeName));
    const member = structs.get(typeName)?.members.find((m) => m.name === selector.slice(dot + 1));
    if (!member) fields.set(selector, null);
    else if (member.offset === null) fields.set(selector, { error: `${selector}: the DWARF member has no constant offset` });
    else fields.set(selector, member.offset);
  }
  return { machine: elf.machine, pointerSize: dwarf.pointerSize, fields, structs };
}
