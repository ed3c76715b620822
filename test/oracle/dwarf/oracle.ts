// Test support for the DWARF reader: the Go oracle (main.go, debug/dwarf), built per
// toolchain, and gcc-built C probes, cached under cacheRoot() by the hash of their sources.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildOnce } from '../../../common/build-once.js';
import { cachePath } from '../../../common/cache-dir.js';
import type { StructType } from '../../../gobin/dwarf/index.js';
import { probeBinaries, type ProbeBinary } from '../../support/probes.js';
import { goBuildOnce, type Toolchain } from '../../support/toolchains.js';

const run = promisify(execFile);
export const oracleDir = dirname(fileURLToPath(import.meta.url));

async function sourceHash(dir: string, files: string[]): Promise<string> {
  const h = createHash('sha256');
  for (const f of files) h.update(f).update(await readFile(join(dir, f)));
  return h.digest('hex').slice(0, 16);
}

/** test/oracle/dwarf built with `tc` (the oracle must read binaries with the same toolchain's debug/dwarf). */
export async function oracleBinary(tc: Toolchain): Promise<string> {
  const hash = await sourceHash(oracleDir, ['main.go', 'go.mod']);
  const out = cachePath('dwarf-oracle', `${tc.version}-${hash}`, 'dwarf-oracle');
  return goBuildOnce(tc, out, { cwd: oracleDir, env: { CGO_ENABLED: '0' }, what: 'the debug/dwarf oracle' });
}

const oracleRuns = new Map<string, Promise<StructType[]>>();

/** The oracle's structs for `binary`, run once per test file and binary. */
export function runOracle(tc: Toolchain, binary: string): Promise<StructType[]> {
  const key = `${tc.version}\0${binary}`;
  let result = oracleRuns.get(key);
  if (!result) {
    result = oracleBinary(tc).then(async (oracle) => JSON.parse((await run(oracle, [binary], { maxBuffer: 1 << 30 })).stdout) as StructType[]);
    oracleRuns.set(key, result);
  }
  return result;
}

/**
 * The matrix's probe binaries (test/support/probes.ts); kept for bench/dwarf.bench.ts.
 * The DWARF tests' own fallback probe is gone now that the shared fixtures exist.
 */
export function dwarfProbes(): Promise<ProbeBinary[]> {
  return probeBinaries();
}

/** c-probe.c compiled by gcc into each DWARF version and compression style, to cover the forms Go does not emit. */
export const cVariants = {
  'dwarf2': ['-gdwarf-2', '-gstrict-dwarf'],
  'dwarf3': ['-gdwarf-3', '-gstrict-dwarf'],
  'dwarf4': ['-gdwarf-4'],
  'dwarf5': ['-gdwarf-5'],
  'dwarf5-zlib': ['-gdwarf-5', '-gz=zlib'],
  'dwarf4-zlib-gnu': ['-gdwarf-4', '-gz=zlib-gnu'],
  'dwarf5-64bit': ['-gdwarf-5', '-gdwarf64'],
} as const;

export async function cProbe(variant: keyof typeof cVariants): Promise<string> {
  const hash = await sourceHash(oracleDir, ['c-probe.c']);
  const out = cachePath('dwarf-c-probes', hash, variant);
  return buildOnce(out, (tmp) => run('gcc', ['-O0', ...cVariants[variant], '-o', tmp, join(oracleDir, 'c-probe.c')]));
}
