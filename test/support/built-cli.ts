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
  return builtCli('offsets', ...args);
}

/** The same, run from the working directory `cwd`. */
export function offsetsCliIn(cwd: string | undefined, ...args: string[]): Promise<CliResult> {
  return builtCliIn(cwd, 'offsets', ...args);
}

/** The launchers of the three CLIs, as package.json's bin names them. */
export const LAUNCHERS = { offsets: 'offsets.cjs', 'offsets-tracker': 'offsets-tracker.cjs', 'offsets-agent': 'offsets-agent.cjs' } as const;

/** Runs one of the built CLIs with ARGS… and returns its exit code and output, whatever the code. */
export function builtCli(program: keyof typeof LAUNCHERS, ...args: string[]): Promise<CliResult> {
  return builtCliIn(undefined, program, ...args);
}

/** The same, from the working directory `cwd`. */
export function builtCliIn(cwd: string | undefined, program: keyof typeof LAUNCHERS, ...args: string[]): Promise<CliResult> {
  return commandResult(process.execPath, [join(repoRoot, 'bin', LAUNCHERS[program]), ...args], { cwd });
}

/** Runs `file ARGS…` and returns its exit code and output, whatever the code. */
export async function commandResult(file: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(file, args, { maxBuffer: 1 << 28, ...opts });
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
