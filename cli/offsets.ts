import { Command, CommanderError } from 'commander';
import { commanderErrorOutput, EXIT, reportError } from '../common/report-error.js';
import { registerDwarf } from './commands/dwarf.js';
import { registerInspect } from './commands/inspect.js';
import { TABLE_COMMANDS } from './commands/table.js';
import { registerTypes } from './commands/types.js';

/** Every subcommand, by name, and what adds it to the program (in the order `--help` lists them). */
const SUBCOMMANDS: Readonly<Record<string, (program: Command) => void>> = {
  dwarf: registerDwarf,
  inspect: registerInspect,
  types: registerTypes,
  ...TABLE_COMMANDS,
};

/** For the launcher (bin/offsets.js): what escapes main is reported like any other error. */
export { reportError };

/**
 * `offsets`: the offline CLI. Each subcommand lives in cli/commands/ and
 * registers itself here. Commands throw GoOffsetsError for bad input; main
 * reports it through common/report-error (one `offsets: CODE: message` line,
 * the exit code of the README's table).
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('offsets')
    .description('Go struct field offsets: read binaries, look up the offsets table')
    .exitOverride()
    .configureOutput(commanderErrorOutput('offsets'));
  // Only the subcommand named on the command line is built (about a millisecond less of every
  // start); help, or a name that is none of them, needs them all.
  const only = argv[0] === undefined ? undefined : SUBCOMMANDS[argv[0]];
  for (const register of only ? [only] : Object.values(SUBCOMMANDS)) register(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    // commander printed its own usage error (or the help, exit 0).
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    return reportError('offsets', err);
  }
}
