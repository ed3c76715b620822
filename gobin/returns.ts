import { createRequire } from 'node:module';
import type * as IcedX86 from 'iced-x86';
import { EM_AARCH64, EM_X86_64 } from './elf.js';
import { GobinError } from './errors.js';

// RET {Xn} in A64: 1101011 0010 11111 000000 Rn 00000 (Rn is X30 for a plain `ret`).
const ARM64_RET_MASK = 0xfffffc1f;
const ARM64_RET = 0xd65f0000;

/**
 * File offsets of the return instructions in `code`, the bytes of one
 * function starting at file offset `fileOffset`. The decoder follows the
 * ELF machine, never the host: an arm64 binary read on amd64 is decoded as
 * A64. On amd64 the bytes are decoded instruction by instruction (a 0xC3 byte
 * inside an immediate or displacement is not a return); bytes that do not
 * decode are stepped over so that padding cannot derail what follows.
 */
export function returnOffsets(machineCode: number, code: Uint8Array, fileOffset: number, vaddr = 0, loadDecoder: Amd64DecoderLoader = requireIcedX86): number[] {
  if (machineCode === EM_X86_64) return amd64Returns(icedX86(loadDecoder), code, fileOffset, vaddr);
  if (machineCode === EM_AARCH64) return arm64Returns(code, fileOffset);
  throw new GobinError('ERR_ELF_UNSUPPORTED', `no instruction decoder for ELF machine ${machineCode}; only amd64 and arm64`);
}

/** Loads iced-x86 given its resolved file (the agent's decoder thread compiles it from a V8 code cache). */
export type Amd64DecoderLoader = (file: string) => typeof IcedX86;

const requireIcedX86: Amd64DecoderLoader = (file) => createRequire(import.meta.url)(file) as typeof IcedX86;

let iced: typeof IcedX86 | undefined;

/**
 * iced-x86 (a wasm decoder), loaded on the first amd64 decode and only once:
 * importing this module, or decoding A64, never loads it. Loaded with require
 * rather than import(): it is CommonJS, and an ESM import of its 900 kB of
 * glue code first runs Node's CommonJS export scanner over all of it (about
 * 3x the cost of the require itself).
 */
export function icedX86(load: Amd64DecoderLoader = requireIcedX86): typeof IcedX86 {
  if (iced) return iced;
  try {
    iced = load(createRequire(import.meta.url).resolve('iced-x86'));
  } catch (err) {
    throw new GobinError('ERR_DECODE', `cannot load the amd64 instruction decoder (iced-x86): ${(err as Error).message}`, undefined, { cause: err });
  }
  return iced;
}

/**
 * The amd64 decode, with the iced-x86 module passed in: returnOffsets passes
 * its own; the build passes the one it saves a code cache for, so that the
 * cache holds the functions this runs (scripts/build-bundles.mjs).
 */
export function amd64Returns(icedModule: typeof IcedX86, code: Uint8Array, fileOffset: number, vaddr: number): number[] {
  const { Mnemonic } = icedModule;
  const out: number[] = [];
  sweepAmd64(icedModule, code, vaddr, (ins, pos) => {
    if (ins.mnemonic === Mnemonic.Ret) out.push(fileOffset + pos);
  });
  return out;
}

/**
 * Decodes `code` (starting at `vaddr`) instruction by instruction, calling
 * `visit` with each one and its offset in `code`. Bytes that do not decode
 * are stepped over one at a time, as a linear-sweep disassembler does, so
 * that padding cannot derail what follows. `ins` is reused: read it in visit.
 */
export function sweepAmd64(icedModule: typeof IcedX86, code: Uint8Array, vaddr: number, visit: (ins: IcedX86.Instruction, pos: number) => void): void {
  const { Decoder, DecoderOptions, Instruction, Mnemonic } = icedModule;
  const decoder = new Decoder(64, code, DecoderOptions.None);
  const ins = new Instruction();
  // Each getter is a call into wasm: the position is tracked here from the
  // instruction lengths, and an undecodable instruction is told by its
  // mnemonic (INVALID for Code.INVALID) rather than by a second getter.
  try {
    decoder.ip = BigInt(vaddr);
    let pos = 0;
    while (pos < code.length) {
      decoder.decodeOut(ins);
      if (ins.mnemonic === Mnemonic.INVALID) {
        pos += 1;
        decoder.position = pos;
        decoder.ip = BigInt(vaddr + pos);
        continue;
      }
      visit(ins, pos);
      pos += ins.length;
    }
  } finally {
    ins.free();
    decoder.free();
  }
}

function arm64Returns(code: Uint8Array, fileOffset: number): number[] {
  const out: number[] = [];
  const v = new DataView(code.buffer, code.byteOffset, code.byteLength);
  for (let i = 0; i + 4 <= code.length; i += 4) {
    if ((v.getUint32(i, true) & ARM64_RET_MASK) >>> 0 === ARM64_RET) out.push(fileOffset + i);
  }
  return out;
}
