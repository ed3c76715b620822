/**
 * Where a function's entry uprobe goes. A uprobe puts a breakpoint on an
 * instruction; when it is hit, the kernel emulates the instruction if it can
 * (on x86: jumps, conditional jumps, relative calls, pushes, nops) and
 * otherwise single-steps a copy of it, which is a second trap. On this
 * project's 2-core VM a trap costs about 8 µs of the target's CPU and a
 * single step 15 more (bench/agent-overhead.ts, BENCHMARKS.md).
 *
 * Go's amd64 functions (the register ABI) start with their stack-bound check:
 *
 *     lea r12, [rsp - N]      frames larger than StackSmall only
 *     cmp rsp|r12, [r14 + 16] g.stackguard0
 *     jbe morestack           a conditional jump: emulated
 *
 * At the jbe the argument registers and g (r14) still hold what they held at
 * the entry: the entry programs read the same values there, for one trap
 * instead of two. When the stack must grow, morestack calls the function
 * again from its start and the probe fires again, as one at the entry does.
 * A function that does not start that way (no check, or the longer check of a
 * huge frame) is probed at its entry, and so is every arm64 function.
 */
export function entryProbeOffset(arch: string, code: Uint8Array, fileOffset: number): number {
  if (arch !== 'amd64') return fileOffset;
  const at = (bytes: number[], pos: number) => bytes.every((b, i) => code[pos + i] === b);
  let pos = 0;
  let rex = 0x49; // REX.W REX.B: cmp rsp, [r14 + 16]
  if (at([0x4c, 0x8d, 0x64, 0x24], 0)) pos = 5; // lea r12, [rsp + disp8]
  else if (at([0x4c, 0x8d, 0xa4, 0x24], 0)) pos = 8; // lea r12, [rsp + disp32]
  if (pos) rex = 0x4d; // REX.W REX.R REX.B: cmp r12, [r14 + 16]
  if (!at([rex, 0x3b, 0x66, 0x10], pos)) return fileOffset;
  pos += 4;
  const jbe = code[pos] === 0x76 || (code[pos] === 0x0f && code[pos + 1] === 0x86); // jbe rel8, jbe rel32
  return jbe ? fileOffset + pos : fileOffset;
}
