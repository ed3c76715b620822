import { Command, CommanderError } from 'commander';
import { GoOffsetsError } from '../common/errors.js';
import { registerDwarf } from './commands/dwarf.js';
import { registerInspect } from './commands/inspect.js';
import { registerTableCommands } from './commands/table.js';
import { registerTypes } from './commands/types.js';

/**
 * `offsets`: the offline CLI. Each subcommand lives in cli/commands/ and
 * registers itself here. Commands throw GoOffsetsError for bad input; main
 * turns it into a one-line message and a non-zero exit code.
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('offsets')
    .description('Go struct field offsets: read binaries, look up the offsets table')
    .exitOverride()
    .showHelpAfterError();
  registerDwarf(program);
  registerInspect(program);
  registerTypes(program);
  registerTableCommands(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return reportError('offsets', err);
  }
}

/** Prints an error as one line and returns the exit code for it. */
export function reportError(prog: string, err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode;
  if (err instanceof GoOffsetsError) {
    process.stderr.write(`${prog}: ${err.code}: ${err.message}\n`);
    return 1;
  }
  // A system error from Node (ENOENT, EACCES, EISDIR…) is about the input the user named, not a bug.
  const sys = err as NodeJS.ErrnoException;
  if (sys instanceof Error && typeof sys.code === 'string' && /^E[A-Z]+$/.test(sys.code)) {
    process.stderr.write(`${prog}: ${sys.code}: ${sys.message}\n`);
    return 1;
  }
  process.stderr.write(`${prog}: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 70;
}
