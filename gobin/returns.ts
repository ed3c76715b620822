import { Code, Decoder, DecoderOptions, Instruction, Mnemonic } from 'iced-x86';
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
export function returnOffsets(machineCode: number, code: Uint8Array, fileOffset: number, vaddr = 0): number[] {
  if (machineCode === EM_X86_64) return amd64Returns(code, fileOffset, vaddr);
  if (machineCode === EM_AARCH64) return arm64Returns(code, fileOffset);
  throw new GobinError('ERR_ELF_UNSUPPORTED', `no instruction decoder for ELF machine ${machineCode}; only amd64 and arm64`);
}

let scratch: Instruction | undefined;

function amd64Returns(code: Uint8Array, fileOffset: number, vaddr: number): number[] {
  const out: number[] = [];
  const decoder = new Decoder(64, code, DecoderOptions.None);
  const ins = (scratch ??= new Instruction());
  try {
    decoder.ip = BigInt(vaddr);
    while (decoder.canDecode) {
      const pos = decoder.position;
      decoder.decodeOut(ins);
      if (ins.code === Code.INVALID) {
        // Resynchronise one byte further on, as a linear-sweep disassembler does.
        decoder.position = pos + 1;
        decoder.ip = BigInt(vaddr + pos + 1);
        continue;
      }
      if (ins.mnemonic === Mnemonic.Ret) out.push(fileOffset + pos);
    }
  } finally {
    decoder.free();
  }
  return out;
}

function arm64Returns(code: Uint8Array, fileOffset: number): number[] {
  const out: number[] = [];
  const v = new DataView(code.buffer, code.byteOffset, code.byteLength);
  for (let i = 0; i + 4 <= code.length; i += 4) {
    if ((v.getUint32(i, true) & ARM64_RET_MASK) >>> 0 === ARM64_RET) out.push(fileOffset + i);
  }
  return out;
}
