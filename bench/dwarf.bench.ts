// DWARF reader vs Go's debug/dwarf (test/oracle/dwarf -bench), same binary, same run:
// (a) every member of every struct, (b) one pkg.Type.field lookup from a fresh open.
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { Dwarf } from '../gobin/dwarf/index.js';
import { ElfFile } from '../gobin/elf.js';
import { dwarfProbes, oracleBinary } from '../test/oracle/dwarf/oracle.js';
import { matrixToolchains } from '../test/support/toolchains.js';

const exec = promisify(execFile);
const SELECTOR = 'net/http.Request.ctx';
const ITERATIONS = 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function timeIt(fn: () => Promise<unknown>): Promise<{ first: number; median: number }> {
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return { first: times[0], median: median(times.slice(1)) };
}

export async function run(): Promise<void> {
  const toolchains = await matrixToolchains();
  const newest = toolchains[toolchains.length - 1];
  const candidates = (await dwarfProbes()).filter((p) => !p.stripped && p.arch === 'amd64');
  const sizes = await Promise.all(candidates.map(async (p) => (await stat(p.path)).size));
  const probe = candidates[sizes.indexOf(Math.max(...sizes))];
  const oracle = await oracleBinary(newest);

  let structs = 0;
  let offset: number | null = null;
  const all = await timeIt(async () => {
    structs = Dwarf.fromElf(ElfFile.parse(await readFile(probe.path), probe.path)).structs().length;
  });
  const lookup = await timeIt(async () => {
    offset = Dwarf.fromElf(ElfFile.parse(await readFile(probe.path), probe.path)).field(SELECTOR).offset;
  });
  const { stdout } = await exec(oracle, ['-bench', String(ITERATIONS), probe.path, SELECTOR]);
  const go = JSON.parse(stdout) as { lookupMs: number; allMs: number; offset: number; structs: number };
  if (go.structs !== structs || go.offset !== offset) throw new Error(`results differ from Go: ${JSON.stringify({ structs, offset, go })}`);

  console.log(`binary: ${probe.toolchain.version} ${probe.variant} (${(Math.max(...sizes) / 2 ** 20).toFixed(1)} MiB), ${structs} structs; Go reference built with ${newest.version}`);
  console.log(`iterations: ${ITERATIONS} (TypeScript: median after the first run; Go: mean)`);
  const row = (what: string, ts: { first: number; median: number }, goMs: number) =>
    console.log(`${what.padEnd(34)} TS ${ts.median.toFixed(1).padStart(7)} ms (first ${ts.first.toFixed(1)} ms)   Go ${goMs.toFixed(1).padStart(7)} ms   TS/Go ${(ts.median / goMs).toFixed(2)}`);
  row('(a) every struct member', all, go.allMs);
  row(`(b) ${SELECTOR}, fresh open`, lookup, go.lookupMs);
}
