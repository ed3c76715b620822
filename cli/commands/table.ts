import type { Command } from 'commander';

/** lookup, history and diff: the commands over the offsets table. */
export function registerTableCommands(program: Command): void {
  void program;
}
