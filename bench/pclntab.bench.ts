// Listing every function of a stripped Go binary (the stripped probe of the newest toolchain): gobin's
// pclntab reader against Go's debug/gosym doing the same work, in the same run.
// Like for like: both sides start from the file's bytes already in memory (Go: ioutil.ReadFile before
// its timer; here: readFile before the loop) and, every iteration, parse the ELF, locate .gopclntab and
// produce the list of name/entry/end for every function (gobin also resolves the Go 1.26+ text start
// through runtime.firstmoduledata and each entry's file offset; debug/gosym takes .text as given).
// The machine is shared, so the two sides alternate for ROUNDS rounds and the figures are the
// median and the best round of each; the ratio of the medians is the headline.
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { ElfFile, GoBinary } from '../gobin/index.js';
import { gosymOracle } from '../test/oracle/gosym/oracle.js';
import { buildProbe, probeSourceHash } from '../test/support/probes.js';
import { matrixToolchains } from '../test/support/toolchains.js';

const exec = promisify(execFile);
const ITERATIONS = 30;
const ROUNDS = 9;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export async function run(): Promise<void> {
  const toolchains = await matrixToolchains();
  const newest = toolchains[toolchains.length - 1];
  // Only the one probe this needs (same fixture and cache as the tests' probeBinaries()).
  const p = await buildProbe(newest, 'stripped', await probeSourceHash());
  const { size } = await stat(p.path);
  const data = new Uint8Array(await readFile(p.path));
  const oracle = await gosymOracle(newest);

  const list = () => GoBinary.fromElf(ElfFile.parse(data, p.path)).functions();
  let funcs = 0;
  for (let i = 0; i < 10; i++) funcs = list().length; // warm the JIT
  await exec(oracle, ['-bench', '5', p.path]); // warm the page cache

  const ours: number[] = [];
  const go: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < ITERATIONS; i++) funcs = list().length;
    ours.push(Number(process.hrtime.bigint() - t0) / 1e6 / ITERATIONS);
    const { stdout } = await exec(oracle, ['-bench', String(ITERATIONS), p.path]);
    const m = /^ns\/op (\d+) funcs (\d+)/.exec(stdout);
    if (!m) throw new Error(`gosym -bench printed ${JSON.stringify(stdout)}`);
    if (Number(m[2]) !== funcs) throw new Error(`function counts differ: gobin ${funcs}, debug/gosym ${m[2]}`);
    go.push(Number(m[1]) / 1e6);
  }

  const load = (await readFile('/proc/loadavg', 'utf8').catch(() => '?')).split(' ').slice(0, 3).join(' ');
  const fmt = (xs: number[]) => `median ${median(xs).toFixed(2)} ms/op, best ${Math.min(...xs).toFixed(2)} ms/op`;
  console.log(`binary: ${p.toolchain.version} stripped probe, ${(size / 1048576).toFixed(1)} MiB, ${funcs} functions`);
  console.log(`rounds: ${ROUNDS} alternating, ${ITERATIONS} iterations each (parse the ELF, list every function); load average ${load}`);
  console.log(`gobin functions():         ${fmt(ours)}`);
  console.log(`Go debug/gosym (${newest.version}): ${fmt(go)}`);
  console.log(`ratio gobin/gosym:         ${(median(ours) / median(go)).toFixed(2)}x (medians), ${(Math.min(...ours) / Math.min(...go)).toFixed(2)}x (best rounds)`);
}
