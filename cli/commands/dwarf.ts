import type { Command } from 'commander';

export function registerDwarf(program: Command): void {
  program.command('dwarf').description('(not yet implemented)');
}
