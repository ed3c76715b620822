import { ElfFile, EM_X86_64, PT_LOAD, SHF_ALLOC, SHF_EXECINSTR, SHT_NOBITS, type GoArch } from './elf.js';
import type { Dwarf } from './dwarf/index.js';
import { hasDwarf } from './dwarf/present.js';
import { GobinError } from './errors.js';
import { AddressSpace } from './memory.js';
import { readBuildInfo, type BuildInfo } from './buildinfo.js';
import { entryBounds, functionEntryColumn, functionsNamedAll, locatePclntab, parseHeader, readFunctionColumns, type PclntabHeader, type PclntabLocation } from './pclntab.js';
import { findModuleData } from './moduledata.js';
import { icedX86, returnOffsets } from './returns.js';
import { directReferences, endSitesAfterCalls, type CodeImage, type EndSiteCandidates, type EndSites } from './call-sites.js';
import { TypeDescriptors } from './types/index.js';

export type { BuildInfo, ModuleInfo } from './buildinfo.js';

export interface GoFunction {
  name: string;
  /** Virtual address of the first instruction. */
  entry: number;
  /** Virtual address just past the last instruction. */
  end: number;
  /** File offset of `entry`: what a uprobe is attached at. */
  fileOffset: number;
  /** Bytes of its arguments in their stack layout (_func.args); set by findFunction. */
  argsSize?: number;
}

/** Where the function table came from and how its addresses were made absolute. */
export interface FunctionTableInfo {
  pclntab: PclntabLocation;
  header: PclntabHeader;
  /** Base added to 1.18+ entry offsets; 0 for older layouts, whose entries are absolute. */
  textStart: number;
  textSource: 'absolute entries' | 'pclntab header' | 'runtime.firstmoduledata' | '.text section';
}

/** One Go executable, read once; every table is decoded lazily and cached. */
export class GoBinary {
  private readonly mem: AddressSpace;
  private cachedBuildInfo?: BuildInfo;
  private cachedFunctions?: GoFunction[];
  private cachedTable?: FunctionTableInfo;
  private cachedDwarf?: Dwarf | null;
  private cachedTypes?: TypeDescriptors;

  private constructor(readonly elf: ElfFile) {
    this.mem = new AddressSpace(elf);
  }
  static async open(path: string): Promise<GoBinary> {
    return new GoBinary(await ElfFile.open(path));
  }
  /** See ElfFile.openSync. */
  static openSync(path: string): GoBinary {
    return new GoBinary(ElfFile.openSync(path));
  }
  static fromElf(elf: ElfFile): GoBinary {
    return new GoBinary(elf);
  }
  get path(): string {
    return this.elf.name;
  }
  get arch(): GoArch | string {
    return this.elf.machine;
  }
  get pie(): boolean {
    return this.elf.isPIE;
  }
  /** No symbol table and no DWARF: what `-ldflags "-s -w"` produces. */
  get stripped(): boolean {
    return !this.elf.hasSymtab && !hasDwarf(this.elf);
  }

  buildInfo(): BuildInfo {
    if (this.cachedBuildInfo) return this.cachedBuildInfo;
    try {
      return (this.cachedBuildInfo = readBuildInfo(this.elf, this.mem));
    } catch (err) {
      throw this.notGoIfBothMissing(err, () => locatePclntab(this.elf));
    }
  }

  /** Every function of the pclntab, sorted by entry. */
  functions(): GoFunction[] {
    if (this.cachedFunctions) return this.cachedFunctions;
    const table = this.functionTable();
    const { pclntab, header } = table;
    const { names, entries } = readFunctionColumns(pclntab.data, header, pclntab.source, this.pclntabFileBase(pclntab));
    const base = table.textStart;
    const n = names.length;
    const out: GoFunction[] = new Array(n);
    // Go puts every function in the one executable segment: map entries to file offsets
    // through it when it holds them all, else segment by segment.
    const lo = base + entries[0];
    const hi = base + entries[n - 1];
    const loads = this.elf.programs.filter((p) => p.type === PT_LOAD);
    const seg = loads.find((p) => lo >= p.vaddr && lo < p.vaddr + p.filesz);
    const oneSegment = seg !== undefined && hi < seg.vaddr + seg.filesz && !loads.some((p) => p !== seg && p.vaddr <= hi && lo < p.vaddr + p.filesz);
    const delta = seg ? seg.offset - seg.vaddr : 0;
    for (let i = 0; i < n; i++) {
      const entry = base + entries[i];
      const fileOffset = oneSegment ? entry + delta : this.fileOffsetOf(names[i], entry, table);
      out[i] = { name: names[i], entry, end: base + entries[i + 1], fileOffset };
    }
    this.cachedFunctions = out;
    return out;
  }

  /** How the function table was located and based (for `inspect` and diagnostics). */
  functionTable(): FunctionTableInfo {
    if (this.cachedTable) return this.cachedTable;
    try {
      return (this.cachedTable = this.readTable());
    } catch (err) {
      throw this.notGoIfBothMissing(err, () => readBuildInfo(this.elf, this.mem));
    }
  }

  findFunctions(pattern: RegExp): GoFunction[] {
    return this.functions().filter((f) => {
      pattern.lastIndex = 0;
      return pattern.test(f.name);
    });
  }

  /**
   * The function named exactly `name` (the first, should there be several).
   * Unlike findFunctions it does not read the whole table: an agent that needs
   * two functions of a binary with thousands finds them in a millisecond or two.
   */
  findFunction(name: string): GoFunction | undefined {
    return this.findFunctionsNamed([name]).get(name);
  }

  /** findFunction for several names at once: one walk of the function table for all of them. */
  findFunctionsNamed(names: readonly string[]): Map<string, GoFunction> {
    const found = new Map<string, GoFunction>();
    if (this.cachedFunctions) {
      for (const name of names) {
        const fn = this.cachedFunctions.find((f) => f.name === name);
        if (fn) found.set(name, fn);
      }
      return found;
    }
    const table = this.functionTable();
    const { pclntab, header } = table;
    for (const [name, [raw]] of functionsNamedAll(pclntab.data, header, names, pclntab.source, this.pclntabFileBase(pclntab))) {
      const entry = table.textStart + raw.entry;
      found.set(name, { name, entry, end: table.textStart + raw.end, fileOffset: this.fileOffsetOf(name, entry, table), argsSize: raw.argsSize });
    }
    return found;
  }

  /** The machine code of `fn`, from its entry to its end. */
  code(fn: GoFunction): Uint8Array {
    if (fn.end < fn.entry) throw new GobinError('ERR_DECODE', `${this.elf.name}: function ${fn.name} ends before it starts`);
    return this.elf.readVaddr(fn.entry, fn.end - fn.entry);
  }

  /** File offsets of every return instruction of `fn`, decoded for the binary's ELF machine. */
  returnSites(fn: GoFunction): number[] {
    return returnOffsets(this.elf.machineCode, this.code(fn), fn.fileOffset, fn.entry);
  }

  /** Entry address of every function, sorted, then the end of the last: the function table's entry column alone. */
  functionEntries(): Float64Array {
    const table = this.functionTable();
    const { pclntab, header } = table;
    const entries = functionEntryColumn(pclntab.data, header, pclntab.source, this.pclntabFileBase(pclntab));
    if (table.textStart !== 0) for (let i = 0; i < entries.length; i++) entries[i] += table.textStart;
    return entries;
  }

  /** The bytes of every function, from the first entry to the end of the last, with the entry column (call-sites.ts). */
  codeImage(entries = this.functionEntries()): CodeImage {
    const lo = entries[0];
    const hi = entries[entries.length - 1];
    const textFileOffset = this.elf.vaddrToFileOffset(lo);
    if (textFileOffset === undefined || hi < lo) throw new GobinError('ERR_PCLNTAB_MALFORMED', `${this.elf.name}: the functions at 0x${lo.toString(16)}-0x${hi.toString(16)} are not in a loaded segment`);
    return { text: this.elf.readVaddr(lo, hi - lo), textVaddr: lo, textFileOffset, entries };
  }

  /**
   * Which of `addresses` (functions' entries) are stored in the binary's
   * data: in a func value, an itab or a table of functions, through which the
   * function may be called without a direct call. Looked for as an aligned
   * pointer in every allocated section but code and the pclntab (whose
   * entries are addresses before Go 1.18), and, in a PIE, among the RELATIVE
   * relocations' values. Without section headers every one is taken.
   */
  takenAddresses(addresses: readonly number[]): Set<number> {
    const wanted = new Set(addresses);
    if (this.elf.sections.length === 0) return wanted;
    const needles = [...wanted].map((a) => {
      const needle = Buffer.alloc(8);
      needle.writeBigUInt64LE(BigInt(a));
      return { address: a, needle };
    });
    const taken = new Set<number>();
    for (const sec of this.elf.sections) {
      if ((sec.flags & SHF_ALLOC) === 0 || (sec.flags & SHF_EXECINSTR) !== 0 || sec.type === SHT_NOBITS || sec.size < 8 || sec.name === '.gopclntab') continue;
      const bytes = this.elf.readVaddr(sec.addr, sec.size);
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (const { address, needle } of needles) {
        if (taken.has(address)) continue;
        // A byte search (memmem) per address; Go aligns every pointer in its data to 8 bytes.
        for (let at = buf.indexOf(needle); at >= 0; at = buf.indexOf(needle, at + 1)) {
          if ((sec.addr + at) % 8 === 0) {
            taken.add(address);
            break;
          }
        }
      }
    }
    for (const value of this.mem.relocations().storedValues(wanted)) taken.add(value);
    return taken;
  }

  /**
   * The half of endSites that decodes nothing, for the functions at
   * `entries`: which of their addresses are stored in the data, and the
   * direct references to each (call-sites.ts directReferences). amd64 only.
   * `functionEntries`, when the caller has them, spares reading the function
   * table.
   */
  endSiteCandidates(entries: readonly number[], functionEntries?: Float64Array): EndSiteCandidates {
    if (this.elf.machineCode !== EM_X86_64) throw new GobinError('ERR_DECODE', `${this.elf.name}: end sites after calls are found on amd64 only`);
    return this.candidatesIn(this.codeImage(functionEntries), entries);
  }

  private candidatesIn(image: CodeImage, entries: readonly number[]): EndSiteCandidates {
    return { taken: [...this.takenAddresses(entries)], refs: directReferences(image, entries) };
  }

  /**
   * Where the return programs of `queries` go instead of their RETs
   * (call-sites.ts): amd64 only, and only for a function whose address is
   * not taken. In the order of `queries`. `candidates`, when the caller has
   * found them (endSiteCandidates, for the same functions), are not looked for again.
   */
  endSites(queries: readonly { fn: GoFunction; readsResults: boolean }[], functionEntries?: Float64Array, candidates?: EndSiteCandidates): EndSites[] {
    if (queries.length === 0) return [];
    if (this.elf.machineCode !== EM_X86_64) return queries.map(() => ({ unsuited: 'not amd64' }));
    const image = this.codeImage(functionEntries);
    const { taken, refs } = candidates ?? this.candidatesIn(image, queries.map((q) => q.fn.entry));
    return queries.map(({ fn, readsResults }) => {
      const found = refs.get(fn.entry);
      if (taken.includes(fn.entry)) return { unsuited: 'its address is stored in the data (it may be called through a register)' };
      if (!found) throw new GobinError('ERR_DECODE', `${this.elf.name}: no call search was made for ${fn.name}`);
      return endSitesAfterCalls(icedX86(), image, fn.entry, { readsResults }, found);
    });
  }

  /**
   * The binary's own DWARF, or undefined when it has none (-w). The DWARF
   * reader is imported on first use: reading a stripped binary never loads it.
   */
  async dwarf(): Promise<Dwarf | undefined> {
    if (this.cachedDwarf === undefined) {
      this.cachedDwarf = hasDwarf(this.elf) ? (await import('./dwarf/index.js')).Dwarf.fromElf(this.elf) : null;
    }
    return this.cachedDwarf ?? undefined;
  }

  /**
   * Struct layouts from the runtime's type descriptors (present in stripped
   * binaries too); the layout is chosen by the buildinfo's Go version. Cached.
   */
  types(): TypeDescriptors {
    if (this.cachedTypes) return this.cachedTypes;
    return (this.cachedTypes = TypeDescriptors.read(this.typesInput()));
  }

  /**
   * Only the named structs `names` (`net/http.Request`) from the type
   * descriptors, found without walking the whole graph (what the agent needs
   * at start-up). Not cached.
   */
  typesOf(names: Iterable<string>): TypeDescriptors {
    if (this.cachedTypes) return this.cachedTypes;
    return TypeDescriptors.readStructs(this.typesInput(), names);
  }

  private typesInput() {
    const bi = this.buildInfo();
    return { elf: this.elf, mem: this.mem, goVersion: bi.goVersion, goexperiment: bi.settings.GOEXPERIMENT, pclntabAddr: this.functionTable().pclntab.addr };
  }

  /**
   * A missing table is ERR_NO_BUILDINFO / ERR_NO_PCLNTAB when the binary is
   * otherwise Go; when the other table is missing too, it is not a Go binary.
   */
  private notGoIfBothMissing(err: unknown, other: () => unknown): unknown {
    if (!(err instanceof GobinError) || (err.code !== 'ERR_NO_BUILDINFO' && err.code !== 'ERR_NO_PCLNTAB')) return err;
    try {
      other();
      return err;
    } catch (second) {
      if (second instanceof GobinError && (second.code === 'ERR_NO_BUILDINFO' || second.code === 'ERR_NO_PCLNTAB')) {
        return new GobinError('ERR_NOT_GO', `${this.elf.name}: not a Go binary: no Go build information and no pclntab`, undefined, { cause: err });
      }
      return err;
    }
  }

  /** File offset of the table's start, for error messages. */
  private pclntabFileBase(pclntab: PclntabLocation): number {
    return this.elf.vaddrToFileOffset(pclntab.addr) ?? 0;
  }

  private fileOffsetOf(name: string, entry: number, table: FunctionTableInfo): number {
    const fileOffset = this.elf.vaddrToFileOffset(entry);
    if (fileOffset === undefined) {
      throw new GobinError('ERR_PCLNTAB_MALFORMED', `${this.elf.name}: function ${name} at 0x${entry.toString(16)} is not in any loaded segment`, { section: table.pclntab.source });
    }
    return fileOffset;
  }

  private readTable(): FunctionTableInfo {
    const pclntab = locatePclntab(this.elf);
    const header = parseHeader(pclntab.data, pclntab.source, this.pclntabFileBase(pclntab));
    if (header.layout === '1.2' || header.layout === '1.16') return { pclntab, header, textStart: 0, textSource: 'absolute entries' };
    if (header.textStart !== 0) return { pclntab, header, textStart: header.textStart, textSource: 'pclntab header' };
    return { pclntab, header, ...this.textStartFromModuleData(pclntab, header) };
  }

  /**
   * Go 1.26 stopped recording textStart in the pclntab header (it needed a
   * relocation); the runtime uses moduledata.text. Without a usable moduledata
   * the `.text` section start is right only for internally linked binaries, so
   * it is accepted only when the whole table fits inside it.
   */
  private textStartFromModuleData(pclntab: PclntabLocation, header: PclntabHeader): Pick<FunctionTableInfo, 'textStart' | 'textSource'> {
    const { first, end: last } = entryBounds(pclntab.data, header, pclntab.source, this.pclntabFileBase(pclntab));
    try {
      return { textStart: findModuleData(this.elf, this.mem, pclntab.addr, header, first, last).text, textSource: 'runtime.firstmoduledata' };
    } catch (err) {
      const text = this.elf.section('.text');
      if (err instanceof GobinError && text && last <= text.size) return { textStart: text.addr, textSource: '.text section' };
      throw err;
    }
  }
}
