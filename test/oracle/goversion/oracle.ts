// Runs test/oracle/goversion (Go's go/version) over pairs of version strings with
// the newest toolchain of the matrix; the program is built once and cached.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cachePath } from '../../../common/cache-dir.js';
import { goBuildOnce, matrixToolchains } from '../../support/toolchains.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));

export interface GoVersionAnswer {
  validX: boolean;
  validY: boolean;
  compare: number;
  /** version.Lang(x), '' when x is not valid. */
  lang: string;
}

/** Go's answers for each pair [x, y], in order (one process for the whole batch). */
export async function goVersionOracle(pairs: [string, string][]): Promise<GoVersionAnswer[]> {
  const tcs = (await matrixToolchains()).filter((t) => Number(t.minor.split('.')[1]) >= 22);
  const tc = tcs.at(-1);
  if (!tc) throw new Error('the go/version oracle needs a Go 1.22 or later toolchain in the matrix');
  const hash = createHash('sha256').update(await readFile(join(here, 'main.go'))).update(await readFile(join(here, 'go.mod'))).digest('hex').slice(0, 16);
  const bin = await goBuildOnce(tc, cachePath('oracle', 'goversion', tc.version, hash, 'goversion'), { cwd: here, env: { CGO_ENABLED: '0' }, what: 'the go/version oracle' });
  const child = run(bin, [], { maxBuffer: 64 << 20 });
  child.child.stdin!.end(pairs.map(([x, y]) => `${x} ${y}\n`).join(''));
  const { stdout } = await child;
  return stdout.split('\n').filter(Boolean).map((line) => {
    const [validX, validY, compare, lang] = line.split(' ');
    return { validX: validX === 'true', validY: validY === 'true', compare: Number(compare), lang: lang === '-' ? '' : lang };
  });
}
