// objdump (binutils, for the binary's own architecture) as the tests' oracle
// of instructions: one run per binary and process, shared by the test files'
// describes (return sites, end sites after calls).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const OBJDUMP = { amd64: 'objdump', arm64: 'aarch64-linux-gnu-objdump' } as const;
const listings = new Map<string, Promise<string>>();

/**
 * objdump -d of .text, without raw bytes; of [range.start, range.stop) only
 * when given. With `keep`, the whole listing is kept for the next call in
 * this process (a listing is tens of MB: only those asked for again are kept).
 */
export function disassembly(arch: 'amd64' | 'arm64', path: string, keep = false, range?: { start: number; stop: number }): Promise<string> {
  let out = range ? undefined : listings.get(path);
  if (out && !keep) listings.delete(path);
  if (!out) {
    const bounds = range ? [`--start-address=0x${range.start.toString(16)}`, `--stop-address=0x${range.stop.toString(16)}`] : [];
    out = run(OBJDUMP[arch], ['-d', '--no-show-raw-insn', '-j', '.text', ...bounds, path], { maxBuffer: 1 << 30 }).then(
      (r) => r.stdout,
      (err: Error) => {
        throw new Error(`${OBJDUMP[arch]} failed (install binutils${arch === 'arm64' ? '-aarch64-linux-gnu' : ''}): ${err.message}`);
      },
    );
    if (keep && !range) listings.set(path, out);
  }
  return out;
}

// amd64: ret, ret $imm (objdump may print retq / a bnd or repz prefix); arm64: ret, ret xN.
const RET = /^\s*([0-9a-f]+):\s+(?:(?:bnd|repz|rep)\s+)?ret[qw]?(?:\s|$)/;

/** Addresses of every return instruction in the listing. */
export function returnsIn(listing: string): number[] {
  const out: number[] = [];
  for (const line of listing.split('\n')) {
    const m = RET.exec(line);
    if (m) out.push(parseInt(m[1], 16));
  }
  return out;
}

export interface Instruction {
  addr: number;
  mnemonic: string;
  /** Target of a direct call or jump. */
  target?: number;
  /** A call or jump through a register or memory. */
  indirect: boolean;
}

/** Every instruction of an amd64 listing, in order. */
export function instructionsIn(listing: string): Instruction[] {
  const out: Instruction[] = [];
  for (const line of listing.split('\n')) {
    const m = /^\s*([0-9a-f]+):\s+(?:(?:bnd|notrack|rep|repz|repnz|data16|cs|ds)\s+)*([a-z][a-z0-9.]*)\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, addr, mnemonic, operands] = m;
    const branch = mnemonic.startsWith('j') || mnemonic.startsWith('call');
    const t = branch ? /^([0-9a-f]+)(?:\s|$)/.exec(operands) : null;
    out.push({ addr: parseInt(addr, 16), mnemonic, target: t ? parseInt(t[1], 16) : undefined, indirect: branch && operands.startsWith('*') });
  }
  return out;
}
