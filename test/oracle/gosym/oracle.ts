// Runs test/oracle/gosym (Go's debug/gosym) over a binary with a given toolchain;
// the oracle program is built once per toolchain and cached under cacheRoot().
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cachePath } from '../../../common/cache-dir.js';
import { goBuildOnce, type Toolchain } from '../../support/toolchains.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));

export interface GosymFunc {
  name: string;
  entry: number;
  end: number;
}

export interface GosymResult {
  text: number;
  textSource: string;
  funcs: GosymFunc[];
}

/** Builds (or reuses) the oracle binary for `tc`; returns its path. */
export async function gosymOracle(tc: Toolchain): Promise<string> {
  const hash = createHash('sha256').update(await readFile(join(here, 'main.go'))).update(await readFile(join(here, 'go.mod'))).digest('hex').slice(0, 16);
  const out = cachePath('oracle', 'gosym', tc.version, hash, 'gosym');
  return goBuildOnce(tc, out, { cwd: here, env: { CGO_ENABLED: '0', GOARCH: 'amd64', GOOS: 'linux' }, what: 'the gosym oracle' });
}

export async function gosymFunctions(tc: Toolchain, binary: string): Promise<GosymResult> {
  const { stdout } = await run(await gosymOracle(tc), [binary], { maxBuffer: 256 << 20 });
  const lines = stdout.split('\n').filter(Boolean);
  const head = /^text 0x([0-9a-f]+) (.*)$/.exec(lines[0] ?? '');
  if (!head) throw new Error(`gosym oracle printed no text line for ${binary}`);
  const funcs = lines.slice(1).map((l) => {
    const m = /^0x([0-9a-f]+) 0x([0-9a-f]+) (.*)$/.exec(l);
    if (!m) throw new Error(`gosym oracle: unexpected line ${JSON.stringify(l)}`);
    return { entry: parseInt(m[1], 16), end: parseInt(m[2], 16), name: m[3] };
  });
  return { text: parseInt(head[1], 16), textSource: head[2], funcs };
}
