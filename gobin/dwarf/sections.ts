import { inflateSync } from 'node:zlib';
import { SHF_COMPRESSED, type ElfFile, type ElfSection } from '../elf.js';
import { GobinError } from '../errors.js';
import { Cursor } from '../cursor.js';

/** The DWARF sections this reader uses, by their canonical `.debug_*` name. */
export const DWARF_SECTIONS = ['info', 'abbrev', 'str', 'line_str', 'str_offsets', 'addr'] as const;
export type DwarfSectionName = (typeof DWARF_SECTIONS)[number];

/** No DWARF section may inflate past this, whatever its header declares (a decompression bomb guard). */
export const DEFAULT_MAX_SECTION_BYTES = 1 << 30;

const ELFCOMPRESS_ZLIB = 1;
const ELF64_CHDR_SIZE = 24;

/** Raw bytes of each section, already inflated. Missing sections are absent. */
export type SectionMap = Partial<Record<DwarfSectionName, Uint8Array>>;

export interface SectionSource {
  /** Inflated bytes of `.debug_<name>`, or undefined when the binary lacks it; inflated on first use. */
  get(name: DwarfSectionName): Uint8Array | undefined;
}

/**
 * Finds the DWARF sections of an ELF file and inflates them on demand. Go has
 * compressed DWARF in two ways: `.zdebug_*` with a "ZLIB" magic and an 8-byte
 * big-endian size (Go 1.11-1.15, the GNU style), and SHF_COMPRESSED sections
 * that start with an Elf64_Chdr (Go 1.16 onwards, the gABI style).
 */
export class ElfSections implements SectionSource {
  private readonly cache = new Map<DwarfSectionName, Uint8Array | undefined>();
  constructor(
    private readonly elf: ElfFile,
    private readonly maxBytes = DEFAULT_MAX_SECTION_BYTES,
  ) {}

  get(name: DwarfSectionName): Uint8Array | undefined {
    if (this.cache.has(name)) return this.cache.get(name);
    const data = this.load(name);
    this.cache.set(name, data);
    return data;
  }

  private load(name: DwarfSectionName): Uint8Array | undefined {
    const plain = this.elf.section(`.debug_${name}`);
    if (plain) return sectionBytes(this.elf, plain, this.maxBytes);
    const gnu = this.elf.section(`.zdebug_${name}`);
    if (gnu) return inflateZdebug(this.elf.sectionData(gnu), gnu.name, gnu.offset, this.maxBytes);
    return undefined;
  }
}

function sectionBytes(elf: ElfFile, sec: ElfSection, maxBytes: number): Uint8Array {
  const raw = elf.sectionData(sec);
  if ((sec.flags & SHF_COMPRESSED) === 0) return raw;
  const c = new Cursor(raw, sec.name, 0, sec.offset);
  c.need(ELF64_CHDR_SIZE);
  const type = c.u32();
  c.u32(); // ch_reserved
  const size = Number(c.u64big());
  c.u64big(); // ch_addralign
  if (type !== ELFCOMPRESS_ZLIB) {
    throw new GobinError('ERR_DWARF_UNSUPPORTED', `${sec.name}: compression type ${type} is not supported (only ELFCOMPRESS_ZLIB)`, { section: sec.name, offset: sec.offset });
  }
  return inflateBounded(raw.subarray(ELF64_CHDR_SIZE), size, sec.name, sec.offset + ELF64_CHDR_SIZE, maxBytes);
}

/** `.zdebug_*`: "ZLIB", then the inflated size as a 64-bit big-endian integer, then a zlib stream. */
export function inflateZdebug(raw: Uint8Array, section: string, fileOffset: number, maxBytes = DEFAULT_MAX_SECTION_BYTES): Uint8Array {
  const magic = Buffer.from(raw.subarray(0, 4)).toString('latin1');
  if (raw.length < 12 || magic !== 'ZLIB') {
    throw new GobinError('ERR_DECOMPRESS', `${section}: missing "ZLIB" header`, { section, offset: fileOffset });
  }
  const size = Number(new DataView(raw.buffer, raw.byteOffset + 4, 8).getBigUint64(0, false));
  return inflateBounded(raw.subarray(12), size, section, fileOffset + 12, maxBytes);
}

/**
 * Inflates a zlib stream that declares `declared` bytes. Node's maxOutputLength
 * stops inflation as soon as the output would pass the bound, so a bomb costs
 * at most min(declared, maxBytes) bytes of memory.
 */
export function inflateBounded(stream: Uint8Array, declared: number, section: string, fileOffset: number, maxBytes = DEFAULT_MAX_SECTION_BYTES): Uint8Array {
  const where = { section, offset: fileOffset };
  if (!Number.isSafeInteger(declared) || declared > maxBytes) {
    throw new GobinError('ERR_DECOMPRESS_LIMIT', `${section}: declared inflated size ${declared} exceeds the limit of ${maxBytes} bytes`, where);
  }
  if (declared === 0) return new Uint8Array(0);
  let out: Buffer;
  try {
    // One output chunk of the declared size: with the default 16 kB chunks, Node allocates
    // hundreds and copies them all into one buffer at the end (about a third of the time).
    out = inflateSync(stream, { maxOutputLength: declared, chunkSize: Math.max(declared, 64) });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new GobinError('ERR_DECOMPRESS_LIMIT', `${section}: inflates past its declared size of ${declared} bytes`, where, { cause: err });
    }
    throw new GobinError('ERR_DECOMPRESS', `${section}: zlib stream does not inflate: ${(err as Error).message}`, where, { cause: err });
  }
  if (out.length !== declared) {
    throw new GobinError('ERR_DECOMPRESS', `${section}: inflated to ${out.length} bytes, header declares ${declared}`, where);
  }
  return out;
}

/** Sections handed over directly (tests, fuzzing, other containers). */
export class MapSections implements SectionSource {
  constructor(private readonly map: SectionMap) {}
  get(name: DwarfSectionName): Uint8Array | undefined {
    return this.map[name];
  }
}
