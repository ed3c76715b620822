// The built `offsets` launcher (bin/offsets.cjs → dist/bundle/) for CLI contract tests, and a
// check that dist/ is not older than the sources a test relies on (scripts/setup.sh
// runs `npm run build`; a stale build would test old code).
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const repoRoot = join(import.meta.dirname, '..', '..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `offsets ARGS…` and returns its exit code and output, whatever the code. */
export function offsetsCli(...args: string[]): Promise<CliResult> {
  return offsetsCliIn(undefined, ...args);
}

/** The same, run from the working directory `cwd`. */
export async function offsetsCliIn(cwd: string | undefined, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(repoRoot, 'bin', 'offsets.cjs'), ...args], { maxBuffer: 1 << 28, cwd });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Throws, naming what to do, when `built` (relative to the repo) is missing or older than any of `sources`. */
export function requireFreshBuild(built: string, sources: string[]): void {
  const path = join(repoRoot, built);
  const builtAt = statSync(path, { throwIfNoEntry: false })?.mtimeMs;
  if (builtAt === undefined) throw new Error(`${path} is missing: run \`npm run build\` (scripts/setup.sh does) before these tests`);
  const stale = sources.map((s) => join(repoRoot, s)).filter((s) => statSync(s).mtimeMs > builtAt);
  if (stale.length) throw new Error(`dist/ is older than ${stale.join(', ')}: run \`npm run build\``);
}
