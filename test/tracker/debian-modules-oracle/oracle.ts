// Builds (once, cached by source hash and toolchain) the debug/dwarf oracle in main.go beside this file,
// with the newest matrix toolchain; and runs it on a binary for a list of selectors.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cachePath } from '../../../common/cache-dir.js';
import { matrixToolchains } from '../../support/toolchains.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));

export async function debianModulesOracle(): Promise<string> {
  const tcs = await matrixToolchains();
  if (tcs.length === 0) throw new Error('prerequisite missing: no Go toolchain in the test matrix (debian/ could not assemble one)');
  const tc = tcs[tcs.length - 1];
  const src = await readFile(join(here, 'main.go'));
  const key = createHash('sha256').update(src).update(tc.version).digest('hex').slice(0, 16);
  const bin = cachePath('test', 'debian-modules-oracle', key);
  if (existsSync(bin)) return bin;
  await mkdir(dirname(bin), { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  await run(tc.go, ['build', '-o', tmp, join(here, 'main.go')], {
    env: { ...process.env, GOROOT: tc.goroot, GO111MODULE: 'off', GOFLAGS: '', GOTOOLCHAIN: 'local', GOCACHE: cachePath('gocache', tc.version), GOPATH: cachePath('gopath') },
  });
  await rename(tmp, bin);
  return bin;
}
