import { DW_AT, DW_FORM, DW_TAG } from './constants.js';
import type { Abbrev } from './abbrev.js';
import type { DwarfData } from './reader.js';
import type { Unit } from './unit.js';

/** What a byte search can say of a unit: the offset of its struct named so, none, or that it cannot tell. */
export type NameSearch = number | 'none' | 'unsure';

/**
 * Finds the struct DIE named `name` in `u` by searching the unit's bytes, not
 * by walking its DIEs (the runtime unit that holds Go's type DIEs has about
 * 16,000 of them: most of a one-field lookup's time, in JavaScript that V8
 * still interprets).
 *
 * Go's linker writes a name inline (DW_FORM_string) as a DIE's first
 * attribute, right after the abbreviation code (cmd/link/internal/dwarf), so a
 * struct named N begins one byte before the bytes "N\0", and that byte is the
 * code of a structure_type abbreviation. The answer is sure only when:
 * - every abbreviation of the unit but those of unit roots puts its inline
 *   strings first: then past the root DIE no string follows other data, and
 *   every whole string value follows its DIE's code;
 * - the structure_type codes are below 0x20, a byte that no name contains
 *   (a longer name that ends in N has a printable byte before it);
 * - N is printable ASCII and at least 12 bytes long: the unit's other values
 *   (addresses and DIE offsets, all below 2^32 in a Go binary, location
 *   expressions, flags) never make a run of that many non-zero bytes;
 * - exactly one occurrence follows such a code. None means that the unit has
 *   no such struct; two cannot be told apart here.
 * Otherwise the caller walks the unit.
 */
export function searchStructByName(data: DwarfData, u: Unit, name: string): NameSearch {
  if (!searchable(name)) return 'unsure';
  const codes = structCodes(data, u);
  if (!codes) return 'unsure';
  const info = data.info;
  const bytes = Buffer.from(info.buffer, info.byteOffset, u.end);
  const needle = Buffer.from(`${name}\0`, 'latin1');
  // Past the root DIE, whose abbreviation may hold strings anywhere (DW_AT_comp_dir, DW_AT_producer).
  const rootEnd = data.entry(u, u.dieStart)?.end ?? u.dieStart;
  let found: number | undefined;
  for (let at = bytes.indexOf(needle, rootEnd + 1); at >= 0; at = bytes.indexOf(needle, at + 1)) {
    if (!codes.has(bytes[at - 1])) continue;
    if (found !== undefined) return 'unsure';
    found = at - 1;
  }
  return found ?? 'none';
}

/**
 * searchStructByName over every unit at once: one search of the whole
 * section, so that a lookup needs neither the units' names nor their order.
 * It is sure only when every unit's abbreviation table is (a Go binary has one
 * table for all its units): then a struct named N in any unit shows as such an
 * occurrence. Exactly one means that struct; none, that no unit has it.
 */
export function searchStructByNameInAllUnits(data: DwarfData, name: string): NameSearch {
  if (!searchable(name) || data.units.length === 0) return 'unsure';
  const tables = new Map(data.units.map((u) => [u.abbrevOffset, u]));
  for (const u of tables.values()) if (!structCodes(data, u)) return 'unsure';
  const info = data.info;
  const bytes = Buffer.from(info.buffer, info.byteOffset, info.length);
  const needle = Buffer.from(`${name}\0`, 'latin1');
  let found: number | undefined;
  for (let at = bytes.indexOf(needle, 1); at >= 0; at = bytes.indexOf(needle, at + 1)) {
    const u = data.unitOfDie(at - 1);
    if (!u || at + needle.length > u.end || !structCodes(data, u)?.has(bytes[at - 1])) continue;
    if (at - 1 <= u.dieStart || at <= (data.entry(u, u.dieStart)?.end ?? u.dieStart)) continue;
    if (found !== undefined) return 'unsure';
    found = at - 1;
  }
  return found ?? 'none';
}

function searchable(name: string): boolean {
  return name.length >= MIN_NAME_LENGTH && !/[^\x20-\x7e]/.test(name);
}

/** Shorter names could be spelled by the non-zero bytes of an address and a DIE offset side by side. */
const MIN_NAME_LENGTH = 12;

const codesOfTable = new WeakMap<Map<number, Abbrev>, Set<number> | null>();

/** The structure_type codes of the unit's abbreviation table, when a byte search of it is sure (see above); else null. */
function structCodes(data: DwarfData, u: Unit): Set<number> | null {
  const table = data.abbrevs(u);
  let codes = codesOfTable.get(table);
  if (codes === undefined) {
    codes = new Set<number>();
    for (const a of table.values()) {
      if (UNIT_ROOTS.has(a.tag)) continue;
      const inlineLater = a.attrs.some((s, i) => i > 0 && (s.form === DW_FORM.string || s.form === DW_FORM.indirect));
      const structNamedFirst = a.tag === DW_TAG.structure_type && a.attrs[0]?.at === DW_AT.name && a.attrs[0].form === DW_FORM.string;
      if (inlineLater || (a.tag === DW_TAG.structure_type && (!structNamedFirst || a.code >= 0x20))) {
        codes = null;
        break;
      }
      if (structNamedFirst) codes.add(a.code);
    }
    codesOfTable.set(table, codes);
  }
  return codes;
}

/** Tags of a unit's root DIE, the only DIE of a unit whose abbreviation may put strings after other values. */
const UNIT_ROOTS = new Set<number>([DW_TAG.compile_unit, DW_TAG.partial_unit, DW_TAG.type_unit, DW_TAG.skeleton_unit]);
