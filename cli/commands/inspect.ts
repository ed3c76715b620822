import type { Command } from 'commander';
import type { InspectCommandOptions } from './inspect-report.js';

/**
 * `offsets inspect`'s command line. What it does is in inspect-report.ts,
 * loaded only when the command runs (with the binary reader and the table code).
 */
export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('read a Go binary (stripped or not): Go version, modules, build settings; or functions with their uprobe offsets')
    .argument('<binary>', 'path of a Go ELF executable (amd64 or arm64)')
    .option('--funcs <regexp>', 'list functions whose name matches, with entry address, file offset and return-instruction offsets')
    .option('--table <file>', 'offsets table for the tracked fields (default: offsets/offsets.json of this package, when it exists)')
    .option('--no-table', 'do not look fields up in any table')
    .option('--policy <policy>', 'for a version the table did not scan: exact, range, stable or nearest', 'range')
    .option('--offsets', "every tracked field that applies to this binary: offset and source (its DWARF, then its type descriptors, then the table)")
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nWith a table, every tracked field of std and of the modules the binary uses is listed with its offset for\n' +
        "the binary's Go and module versions, unknown ones included; a binary with DWARF also shows DWARF's offset\n" +
        'and whether the table agrees. Exit status 0 (unknown or disagreeing fields are reported, not errors); 1 bad input.',
    )
    .action(async (binary: string, opts: InspectCommandOptions) => {
      const { runInspect } = await import('./inspect-report.js');
      await runInspect(binary, opts);
    });
}
