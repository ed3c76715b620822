// Type-descriptor reader vs the project's DWARF reader, same run: every struct of the
// largest stripped probe from its descriptors, against every struct of its unstripped
// twin from DWARF; one pkg.Type.field from a fresh open each; then the descriptor read
// of the stripped probe of every toolchain.
import { readFile, stat } from 'node:fs/promises';
import { Dwarf } from '../gobin/dwarf/index.js';
import { ElfFile } from '../gobin/elf.js';
import { GoBinary } from '../gobin/binary.js';
import { probeBinaries } from '../test/support/probes.js';
import { allFields } from '../agent/fields.js';
import { parseSelector } from '../gobin/selector.js';

const SELECTOR = 'net/http.Request.ctx';
const ITERATIONS = 15;
/** The structs of the agent's fields. */
const AGENT_STRUCTS = [...new Set(allFields().map((f) => parseSelector(f).type))];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function timeIt(fn: () => Promise<unknown>, n = ITERATIONS): Promise<{ first: number; median: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return { first: times[0], median: median(times.slice(1)) };
}

const openBinary = async (path: string) => GoBinary.fromElf(ElfFile.parse(await readFile(path), path));

export async function run(): Promise<void> {
  const probes = await probeBinaries();
  const stripped = probes.filter((p) => p.variant === 'stripped');
  const sizes = await Promise.all(stripped.map(async (p) => (await stat(p.path)).size));
  const probe = stripped[sizes.indexOf(Math.max(...sizes))];
  const twin = probes.find((p) => p.toolchain.version === probe.toolchain.version && p.variant === 'plain')!;
  const twinSize = (await stat(twin.path)).size;

  let typeStructs = 0;
  let dwarfStructs = 0;
  let typeOffset: number | null = null;
  let dwarfOffset: number | null = null;
  const types = await timeIt(async () => {
    typeStructs = (await openBinary(probe.path)).types().structs().length;
  });
  const dwarf = await timeIt(async () => {
    dwarfStructs = Dwarf.fromElf(ElfFile.parse(await readFile(twin.path), twin.path)).structs().length;
  });
  const typesField = await timeIt(async () => {
    typeOffset = (await openBinary(probe.path)).types().field(SELECTOR).offset;
  });
  // The agent's read: only the structs of its fields, looked up by name (no walk of the graph).
  let targetedOffset: number | null = null;
  let targetedDescriptors = 0;
  const typesTargeted = await timeIt(async () => {
    const td = (await openBinary(probe.path)).typesOf(AGENT_STRUCTS);
    targetedOffset = td.field(SELECTOR).offset;
    targetedDescriptors = td.descriptorCount;
  });
  const dwarfField = await timeIt(async () => {
    dwarfOffset = Dwarf.fromElf(ElfFile.parse(await readFile(twin.path), twin.path)).field(SELECTOR).offset;
  });
  if (targetedOffset !== typeOffset) throw new Error(`${SELECTOR}: targeted read ${targetedOffset}, whole walk ${typeOffset}`);
  if (typeOffset === null || typeOffset !== dwarfOffset) throw new Error(`${SELECTOR}: descriptors ${typeOffset}, DWARF ${dwarfOffset}`);

  console.log(`binary: ${probe.toolchain.version} stripped (${(Math.max(...sizes) / 2 ** 20).toFixed(1)} MiB), twin ${twin.variant} (${(twinSize / 2 ** 20).toFixed(1)} MiB)`);
  console.log(`iterations: ${ITERATIONS}, median after the first run; each run reads the file and opens it afresh`);
  const row = (what: string, t: { first: number; median: number }, n: string) =>
    console.log(`${what.padEnd(44)} ${t.median.toFixed(1).padStart(7)} ms (first ${t.first.toFixed(1).padStart(6)} ms)  ${n}`);
  row('every struct, type descriptors (stripped)', types, `${typeStructs} named structs`);
  row('every struct, DWARF reader (unstripped twin)', dwarf, `${dwarfStructs} structs`);
  row(`${SELECTOR}, type descriptors (stripped)`, typesField, `offset ${typeOffset}`);
  row(`${SELECTOR}, DWARF reader (twin)`, dwarfField, `offset ${dwarfOffset}`);
  row(`the agent's ${AGENT_STRUCTS.length} structs, by name (stripped)`, typesTargeted, `${targetedDescriptors} descriptors decoded, offset ${targetedOffset}`);
  console.log(`descriptors / DWARF, every struct: ${(types.median / dwarf.median).toFixed(2)}`);
  console.log(`agent's structs by name / every struct from descriptors: ${(typesTargeted.median / types.median).toFixed(2)}`);

  console.log('\nevery struct from the descriptors of each toolchain\'s stripped probes (amd64 and arm64):');
  for (const p of probes.filter((q) => q.stripped)) {
    let n = 0;
    let descriptors = 0;
    const t = await timeIt(async () => {
      const td = (await openBinary(p.path)).types();
      n = td.structs().length;
      descriptors = td.descriptorCount;
    }, 5);
    console.log(`  ${`${p.toolchain.version} ${p.variant}`.padEnd(26)} ${t.median.toFixed(1).padStart(6)} ms (first ${t.first.toFixed(1).padStart(6)} ms)  ${descriptors} descriptors, ${n} named structs`);
  }
}
