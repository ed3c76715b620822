// Listing every function of a stripped Go binary (the stripped probe of the newest toolchain): gobin's
// pclntab reader against Go's debug/gosym doing the same work, in the same run.
// Both sides start from the file's bytes in memory and parse the ELF each iteration.
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { ElfFile, GoBinary } from '../gobin/index.js';
import { probeFor } from '../test/oracle/buildinfo/fallback-probes.js';
import { gosymOracle } from '../test/oracle/gosym/oracle.js';
import { matrixToolchains } from '../test/support/toolchains.js';

const exec = promisify(execFile);
const ITERATIONS = 30;

export async function run(): Promise<void> {
  const toolchains = await matrixToolchains();
  const newest = toolchains[toolchains.length - 1];
  // The probe is the same program for every toolchain; the newest toolchain's stripped build is the one gosym reads natively.
  const p = await probeFor(newest, 'stripped');
  const { size } = await stat(p.path);
  const data = new Uint8Array(await readFile(p.path));

  // Warm up the JIT, then time ITERATIONS full reads.
  let funcs = 0;
  for (let i = 0; i < 5; i++) funcs = GoBinary.fromElf(ElfFile.parse(data, p.path)).functions().length;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) funcs = GoBinary.fromElf(ElfFile.parse(data, p.path)).functions().length;
  const gobinMs = Number(process.hrtime.bigint() - t0) / 1e6 / ITERATIONS;

  const oracle = await gosymOracle(newest);
  await exec(oracle, ['-bench', '5', p.path]); // warm the page cache
  const { stdout } = await exec(oracle, ['-bench', String(ITERATIONS), p.path]);
  const m = /^ns\/op (\d+) funcs (\d+)/.exec(stdout);
  if (!m) throw new Error(`gosym -bench printed ${JSON.stringify(stdout)}`);
  const gosymMs = Number(m[1]) / 1e6;
  if (Number(m[2]) !== funcs) throw new Error(`function counts differ: gobin ${funcs}, debug/gosym ${m[2]}`);

  console.log(`binary: ${p.toolchain.version} stripped probe, ${(size / 1048576).toFixed(1)} MiB, ${funcs} functions`);
  console.log(`iterations: ${ITERATIONS} (each parses the ELF and lists every function)`);
  console.log(`gobin functions():        ${gobinMs.toFixed(2)} ms/op`);
  console.log(`Go debug/gosym (${newest.version}): ${gosymMs.toFixed(2)} ms/op`);
  console.log(`ratio gobin/gosym:        ${(gobinMs / gosymMs).toFixed(2)}x`);
}
