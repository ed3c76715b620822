// Builds (once, cached by source hash and toolchain) the debug/dwarf oracle in main.go beside this file,
// with the newest matrix toolchain; and runs it on a binary for a list of selectors.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cachePath } from '../../../common/cache-dir.js';
import { goBuildOnce, matrixToolchains } from '../../support/toolchains.js';

const here = dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

export async function debianModulesOracle(): Promise<string> {
  const tcs = await matrixToolchains();
  if (tcs.length === 0) throw new Error('prerequisite missing: no Go toolchain in the test matrix (debian/ could not assemble one)');
  const tc = tcs[tcs.length - 1];
  const src = await readFile(join(here, 'main.go'));
  const key = createHash('sha256').update(src).update(tc.version).digest('hex').slice(0, 16);
  const bin = cachePath('test', 'debian-modules-oracle', key);
  return goBuildOnce(tc, bin, { cwd: here, packages: [join(here, 'main.go')], env: { GO111MODULE: 'off', GOFLAGS: '', GOPATH: cachePath('gopath') }, what: 'the debian-modules debug/dwarf oracle' });
}

/** The oracle's answer for each selector (`Type.field`, or `Type.#size`) in the binary's DWARF: an offset, or null. */
export async function dwarfTruth(binary: string, selectors: string[]): Promise<Record<string, number | null>> {
  const { stdout } = await run(await debianModulesOracle(), [binary, ...selectors], { maxBuffer: 1 << 24 });
  return JSON.parse(stdout) as Record<string, number | null>;
}
