// API stub: the buildinfo/pclntab engineer replaces this file with the real facade; keep these exports.
import { ElfFile, type GoArch } from './elf.js';
import { Dwarf } from './dwarf/index.js';

export interface ModuleInfo {
  path: string;
  version: string;
  sum: string;
  replace: ModuleInfo | null;
}

export interface BuildInfo {
  /** As the binary reports it: `go1.21.13`, `go1.20.7 X:boringcrypto`, `devel go1.23-abc123 …`. */
  goVersion: string;
  path: string;
  main: ModuleInfo | null;
  modules: ModuleInfo[];
  settings: Record<string, string>;
}

export interface GoFunction {
  name: string;
  /** Virtual address of the first instruction. */
  entry: number;
  /** Virtual address just past the last instruction. */
  end: number;
  /** File offset of `entry`: what a uprobe is attached at. */
  fileOffset: number;
}

/** One Go executable, read once; every table is decoded lazily and cached. */
export class GoBinary {
  private constructor(readonly elf: ElfFile) {}
  static async open(path: string): Promise<GoBinary> {
    return new GoBinary(await ElfFile.open(path));
  }
  static fromElf(elf: ElfFile): GoBinary {
    return new GoBinary(elf);
  }
  get arch(): GoArch | string {
    return this.elf.machine;
  }
  buildInfo(): BuildInfo {
    throw new Error('not implemented');
  }
  functions(): GoFunction[] {
    throw new Error('not implemented');
  }
  findFunctions(_pattern: RegExp): GoFunction[] {
    throw new Error('not implemented');
  }
  /** File offsets of every return instruction of `fn`, decoded for the binary's ELF machine. */
  returnSites(_fn: GoFunction): number[] {
    throw new Error('not implemented');
  }
  /** The binary's own DWARF, or undefined when it has none (-w). */
  dwarf(): Dwarf | undefined {
    return Dwarf.hasDwarf(this.elf) ? Dwarf.fromElf(this.elf) : undefined;
  }
}
