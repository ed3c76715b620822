import { closeSync, fstatSync, openSync, readFile, readFileSync, readSync } from 'node:fs';
import { Cursor } from './cursor.js';
import { GobinError } from './errors.js';

// ELF constants used here (elf.h).
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
export const SHT_NOBITS = 8;
export const SHT_SYMTAB = 2;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHF_COMPRESSED = 0x800;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PF_X = 1;

export type GoArch = 'amd64' | 'arm64';

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

export interface ElfProgram {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  align: number;
}

/**
 * Where an ElfFile's bytes come from: the whole file in memory, or the file
 * itself, read range by range when asked (ElfFile.openOnDemand).
 */
interface FileBytes {
  readonly size: number;
  /** The bytes of [offset, offset+length), within the file. */
  read(offset: number, length: number): Uint8Array;
  /** The whole file. */
  all(): Uint8Array;
}

function inMemory(data: Uint8Array): FileBytes {
  return { size: data.length, read: (offset, length) => data.subarray(offset, offset + length), all: () => data };
}

/**
 * A file read where asked, each read opening and closing it (an ElfFile holds
 * no descriptor, so there is nothing to close); the whole file is read once,
 * the first time all of it is asked for, and then serves every read.
 */
function onDemand(path: string): FileBytes {
  const fd = openSync(path, 'r');
  let size: number;
  try {
    size = fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
  let whole: Uint8Array | undefined;
  return {
    size,
    read(offset, length) {
      if (whole) return whole.subarray(offset, offset + length);
      const out = Buffer.allocUnsafe(length);
      const fd = openSync(path, 'r');
      try {
        for (let done = 0; done < length; ) {
          const n = readSync(fd, out, done, length - done, offset + done);
          if (n === 0) throw new GobinError('ERR_TRUNCATED', `${path}: ended at ${offset + done} while reading [0x${offset.toString(16)}, +0x${length.toString(16)}) (did it change while being read?)`, { offset: offset + done });
          done += n;
        }
      } finally {
        closeSync(fd);
      }
      return out;
    },
    all: () => (whole ??= readFileSync(path)),
  };
}

/** Bytes the ELF header, program headers and section headers are read from when the file is read on demand. */
const ELF_HEADER_SIZE = 64;

/**
 * A 64-bit little-endian ELF file (amd64 or arm64, the arches Go's eBPF
 * instrumentation targets): its sections, its program headers, and the
 * mapping between virtual addresses and file offsets that uprobes need.
 */
export class ElfFile {
  readonly type: number;
  readonly machineCode: number;
  readonly entry: number;
  readonly sections: ElfSection[] = [];
  readonly programs: ElfProgram[] = [];
  private readonly byName = new Map<string, ElfSection>();

  private constructor(
    private readonly bytes: FileBytes,
    readonly name: string,
  ) {
    const head = bytes.read(0, Math.min(ELF_HEADER_SIZE, bytes.size));
    if (head.length < 4 || head[0] !== 0x7f || head[1] !== 0x45 || head[2] !== 0x4c || head[3] !== 0x46) {
      throw new GobinError('ERR_NOT_ELF', `${name}: not an ELF file (bad magic)`);
    }
    const c = new Cursor(head, 'ELF header');
    c.need(64);
    const elfClass = head[4];
    const elfData = head[5];
    if (elfClass !== 2) throw new GobinError('ERR_ELF_UNSUPPORTED', `${name}: ${elfClass === 1 ? '32-bit' : `class ${elfClass}`} ELF is not supported; only 64-bit`);
    if (elfData !== 1) throw new GobinError('ERR_ELF_UNSUPPORTED', `${name}: big-endian ELF is not supported; only little-endian`);
    c.seek(16);
    this.type = c.u16();
    this.machineCode = c.u16();
    c.u32(); // version
    this.entry = c.u64();
    const phoff = c.u64();
    const shoff = c.u64();
    c.u32(); // flags
    c.u16(); // ehsize
    const phentsize = c.u16();
    const phnum = c.u16();
    const shentsize = c.u16();
    const shnum = c.u16();
    const shstrndx = c.u16();

    if (phnum > 0) {
      if (phentsize < 56) throw new GobinError('ERR_ELF_MALFORMED', `${name}: program header entry size ${phentsize} < 56`);
      if (phoff + phnum * phentsize > bytes.size) throw new GobinError('ERR_TRUNCATED', `${name}: program headers run past end of file`, { offset: phoff });
      const table = bytes.read(phoff, phnum * phentsize);
      for (let i = 0; i < phnum; i++) {
        const p = new Cursor(table, 'program headers', i * phentsize, phoff);
        const type = p.u32();
        const flags = p.u32();
        const offset = p.u64();
        const vaddr = p.u64();
        p.u64(); // paddr
        const filesz = p.u64();
        this.programs.push({ type, flags, offset, vaddr, filesz, memsz: p.u64(), align: p.u64() });
      }
    }

    // Stripping with -s -w keeps section headers, but other tools (sstrip, upx)
    // remove them; callers then fall back to program headers.
    if (shnum > 0 && shoff !== 0) {
      if (shentsize < 64) throw new GobinError('ERR_ELF_MALFORMED', `${name}: section header entry size ${shentsize} < 64`);
      if (shoff + shnum * shentsize > bytes.size) throw new GobinError('ERR_TRUNCATED', `${name}: section headers run past end of file`, { offset: shoff });
      const table = bytes.read(shoff, shnum * shentsize);
      const raw: Array<ElfSection & { nameOff: number }> = [];
      for (let i = 0; i < shnum; i++) {
        const s = new Cursor(table, 'section headers', i * shentsize, shoff);
        raw.push({
          index: i,
          nameOff: s.u32(),
          type: s.u32(),
          flags: s.u64(),
          addr: s.u64(),
          offset: s.u64(),
          size: s.u64(),
          link: s.u32(),
          info: s.u32(),
          addralign: s.u64(),
          entsize: s.u64(),
          name: '',
        });
      }
      const strtab = raw[shstrndx];
      if (!strtab) throw new GobinError('ERR_ELF_MALFORMED', `${name}: section name table index ${shstrndx} out of range`);
      const names = this.slice(strtab.offset, strtab.size, 'section name table');
      for (const { nameOff, ...sec } of raw) {
        if (nameOff >= names.length) throw new GobinError('ERR_ELF_MALFORMED', `${name}: section ${sec.index} name offset ${nameOff} outside the name table`);
        sec.name = new Cursor(names, '.shstrtab', nameOff).cstring();
        this.sections.push(sec);
        if (!this.byName.has(sec.name)) this.byName.set(sec.name, sec);
      }
    }
  }

  static parse(data: Uint8Array, name = '<buffer>'): ElfFile {
    return new ElfFile(inMemory(data), name);
  }

  static open(path: string): Promise<ElfFile> {
    // node:fs's callback form: node:fs/promises would load a dozen more of Node's modules (streams, readline) with this one.
    return new Promise((resolve, reject) =>
      readFile(path, (err, data) => {
        if (err) return reject(err);
        try {
          resolve(new ElfFile(inMemory(data), path));
        } catch (e) {
          reject(e);
        }
      }),
    );
  }

  /**
   * Reads the file in one blocking read. For a start-up path with nothing else
   * to do meanwhile (the agent): the asynchronous read takes a round trip
   * through the event loop for each 512 kB.
   */
  static openSync(path: string): ElfFile {
    return new ElfFile(inMemory(readFileSync(path)), path);
  }

  /**
   * Reads the headers now, and then only the ranges asked for (sectionData,
   * slice), as Go's debug/elf does: for a reader that needs a few sections of
   * a large binary, such as `offsets dwarf` (its DWARF is a tenth of the file).
   * Fresh memory is slow to come by on this project's virtual machines (about
   * 4 ms a megabyte), so reading the other nine tenths is not free. Anything
   * that asks for `data` reads the whole file then.
   */
  static openOnDemand(path: string): ElfFile {
    return new ElfFile(onDemand(path), path);
  }

  /** The whole file (read now when the file is read on demand). */
  get data(): Uint8Array {
    return this.bytes.all();
  }

  /** The file's size in bytes. */
  get size(): number {
    return this.bytes.size;
  }

  get machine(): GoArch | `unknown(${number})` {
    if (this.machineCode === EM_X86_64) return 'amd64';
    if (this.machineCode === EM_AARCH64) return 'arm64';
    return `unknown(${this.machineCode})`;
  }

  /** Position-independent: loaded at a random base (Go's -buildmode=pie produces ET_DYN). */
  get isPIE(): boolean {
    return this.type === ET_DYN;
  }

  section(name: string): ElfSection | undefined {
    return this.byName.get(name);
  }

  /** The raw (possibly compressed) bytes of a section; empty for SHT_NOBITS. */
  sectionData(sec: ElfSection): Uint8Array {
    if (sec.type === SHT_NOBITS) return new Uint8Array(0);
    return this.slice(sec.offset, sec.size, `section ${sec.name}`);
  }

  /** A checked view of [offset, offset+size) of the file. */
  slice(offset: number, size: number, what: string): Uint8Array {
    if (offset < 0 || size < 0 || offset + size > this.bytes.size) {
      throw new GobinError('ERR_TRUNCATED', `${this.name}: ${what} [0x${offset.toString(16)}, +0x${size.toString(16)}) runs past end of file (size 0x${this.bytes.size.toString(16)})`);
    }
    return this.bytes.read(offset, size);
  }

  loadSegments(): ElfProgram[] {
    return this.programs.filter((p) => p.type === PT_LOAD);
  }

  /** File offset of a virtual address, or undefined when no PT_LOAD maps it from the file. */
  vaddrToFileOffset(addr: number): number | undefined {
    for (const p of this.programs) {
      if (p.type === PT_LOAD && addr >= p.vaddr && addr < p.vaddr + p.filesz) return addr - p.vaddr + p.offset;
    }
    return undefined;
  }

  fileOffsetToVaddr(off: number): number | undefined {
    for (const p of this.programs) {
      if (p.type === PT_LOAD && off >= p.offset && off < p.offset + p.filesz) return off - p.offset + p.vaddr;
    }
    return undefined;
  }

  /** `len` bytes at virtual address `addr`, which must lie within one segment's file image. */
  readVaddr(addr: number, len: number): Uint8Array {
    for (const p of this.programs) {
      if (p.type === PT_LOAD && addr >= p.vaddr && addr + len <= p.vaddr + p.filesz) {
        return this.slice(addr - p.vaddr + p.offset, len, `address 0x${addr.toString(16)}`);
      }
    }
    throw new GobinError('ERR_ADDRESS', `${this.name}: address range [0x${addr.toString(16)}, +${len}) is not in any loaded segment`);
  }

  /** True when the file has a symbol table (`-s` removes it). */
  get hasSymtab(): boolean {
    return this.sections.some((s) => s.type === SHT_SYMTAB);
  }
}
