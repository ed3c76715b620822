import type { Command } from 'commander';
import { EXIT } from '../../common/report-error.js';
import { TableError } from '../../offsets/errors.js';
import { checkArch, checkPolicy, defaultTablePath, type LookupPolicy } from '../../offsets/index.js';
import { loadAnyTable, type LoadedTable } from '../../offsets/loaded-table.js';
import type { Arch } from '../../offsets/observation.js';
import { registerCompare } from './compare.js';
import { registerDiff } from './diff.js';
import { registerExport } from './export.js';
import { registerHistory } from './history.js';
import { registerLookup } from './lookup.js';

/** lookup, history, diff, export and compare: the offline commands over the offsets table. */
export function registerTableCommands(program: Command): void {
  registerLookup(program);
  registerHistory(program);
  registerDiff(program);
  registerExport(program);
  registerCompare(program);
}

/** Exit code of a lookup whose answer is unknown or no value, and of a compare that found a disagreement (errors exit 1). */
export const EXIT_UNKNOWN = EXIT.unknown;

export function tableOption(cmd: Command): Command {
  return cmd.option('--table <file>', "offsets table to read, ours or in OpenTelemetry's layout (default: offsets/offsets.json of this package)");
}

/** The table named by --table (or the packaged one), in either layout (offsets/loaded-table.ts). */
export async function openTable(file: string | undefined): Promise<LoadedTable> {
  const path = file ?? defaultTablePath();
  try {
    return await loadAnyTable(path);
  } catch (err) {
    if (file === undefined && err instanceof TableError && err.code === 'ERR_TABLE_READ') {
      throw new TableError('ERR_TABLE_READ', `${err.message} (the packaged table has not been generated yet: pass --table FILE)`);
    }
    throw err;
  }
}

export function options(opts: { policy?: string; arch?: string }): { policy: LookupPolicy; arch: Arch } {
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

export function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

/** Left-aligned columns, two spaces apart. */
export function columns(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}
