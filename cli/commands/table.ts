import type { Command } from 'commander';
import { EXIT } from '../../common/report-error.js';
import { TableError } from '../../offsets/errors.js';
import type { LookupPolicy } from '../../offsets/lookup.js';
import type { LoadedTable } from '../../offsets/loaded-table.js';
import type { Arch } from '../../offsets/observation.js';
import { printOut } from '../../common/stdio.js';
import { registerCompare } from './compare.js';
import { registerDiff } from './diff.js';
import { registerExport } from './export.js';
import { registerHistory } from './history.js';
import { registerLookup } from './lookup.js';

// The table code (offsets/) is imported when a command runs, not when the CLI
// starts: `--help` and the readers' commands never load it.

/** lookup, history, diff, export and compare: the offline commands over the offsets table. */
/** The subcommands that read an offsets table, by name, and what adds each to the program. */
export const TABLE_COMMANDS: Readonly<Record<string, (program: Command) => void>> = {
  lookup: registerLookup,
  history: registerHistory,
  diff: registerDiff,
  export: registerExport,
  compare: registerCompare,
};

/** Exit code of a lookup whose answer is unknown or no value, and of a compare that found a disagreement (errors exit 1). */
export const EXIT_UNKNOWN = EXIT.unknown;

export function tableOption(cmd: Command): Command {
  return cmd.option('--table <file>', "offsets table to read, ours or in OpenTelemetry's layout (default: offsets/offsets.json of this package)");
}

/**
 * The table named by --table, in either layout (offsets/loaded-table.ts), or
 * the packaged one, which the build validated (offsets/packaged-table.ts).
 */
export async function openTable(file: string | undefined): Promise<LoadedTable> {
  const [{ loadAnyTable }, { loadPackagedTable }] = await Promise.all([import('../../offsets/loaded-table.js'), import('../../offsets/packaged-table.js')]);
  if (file !== undefined) return loadAnyTable(file);
  try {
    return loadPackagedTable();
  } catch (err) {
    if (err instanceof TableError && err.code === 'ERR_TABLE_READ') {
      throw new TableError('ERR_TABLE_READ', `${err.message} (the packaged table has not been generated yet: pass --table FILE)`);
    }
    throw err;
  }
}

export async function options(opts: { policy?: string; arch?: string }): Promise<{ policy: LookupPolicy; arch: Arch }> {
  const { checkArch, checkPolicy } = await import('../../offsets/lookup.js');
  return { policy: checkPolicy(opts.policy), arch: checkArch(opts.arch ?? 'amd64') };
}

/** Splits `path@version`; the version may be `(devel)` or empty. */
export function splitModuleArg(arg: string): { path: string; version: string } {
  const at = arg.lastIndexOf('@');
  if (at <= 0) throw new TableError('ERR_BAD_MODULE_VERSION', `--module takes path@version, got ${JSON.stringify(arg)}`);
  return { path: arg.slice(0, at), version: arg.slice(at + 1) };
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Prints `text` as one line (or lines) on standard output. */
export function write(text: string): void {
  printOut(text.endsWith('\n') ? text : text + '\n');
}

/** Left-aligned columns, two spaces apart. */
export function columns(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}
