import type { Command } from 'commander';
import { TableError } from '../../offsets/errors.js';
import type { TableAnswer } from '../../offsets/otel/answer.js';
import { collect, columns, openTable, options, splitModuleArg, tableOption, write } from './table.js';

interface DiffOptions {
  go?: string[];
  module?: string[];
  policy?: string;
  arch?: string;
  table?: string;
  json?: boolean;
}

export function registerDiff(program: Command): void {
  const cmd = program
    .command('diff')
    .description('The fields whose offsets differ between two Go versions or two versions of one module')
    .option('--go <version>', 'a Go version; give it twice', collect)
    .option('--module <path@version>', 'a module version; give it twice, same path', collect)
    .option('--policy <policy>', 'for versions that were not scanned: exact, range, stable or nearest', 'exact')
    .option('--arch <arch>', 'amd64 or arm64', 'amd64')
    .option('--json', 'print the differences as JSON');
  tableOption(cmd).action(async (opts: DiffOptions) => {
    const { policy, arch } = await options(opts);
    const { module, a, b } = versionsToCompare(opts);
    const loaded = await openTable(opts.table);
    const [{ diffIn }, { requireModule }, { parseVersionFor, isUnversioned }] = await Promise.all([
      import('../../offsets/otel/answer.js'),
      import('../../offsets/expand.js'),
      import('../../offsets/versions.js'),
    ]);
    requireModule(loaded.table, module);
    for (const v of [a, b]) {
      if (isUnversioned(parseVersionFor(module, v))) throw new TableError('ERR_BAD_MODULE_VERSION', `diff needs real versions, got ${JSON.stringify(v)}`);
    }
    const diffs = diffIn(loaded, module, a, b, arch, policy);
    if (opts.json) return write(JSON.stringify({ module, a, b, arch, policy, differences: diffs.map((d) => ({ field: d.field, a: brief(d.a), b: brief(d.b) })) }));
    if (diffs.length === 0) return write(`no field of ${module} differs between ${a} and ${b} (${arch}, policy ${policy})`);
    write(columns([['field', a, b], ...diffs.map((d) => [d.field, show(d.a), show(d.b)])]));
  });
}

function versionsToCompare(opts: DiffOptions): { module: string; a: string; b: string } {
  const go = opts.go ?? [];
  const mods = (opts.module ?? []).map(splitModuleArg);
  if (go.length === 2 && mods.length === 0) return { module: 'std', a: go[0], b: go[1] };
  if (mods.length === 2 && go.length === 0 && mods[0].path === mods[1].path) return { module: mods[0].path, a: mods[0].version, b: mods[1].version };
  throw new TableError('ERR_BAD_USAGE', 'diff takes exactly two --go versions, or two --module versions of the same module');
}

function brief(r: TableAnswer): { offset: number | null; status: string } {
  return { offset: r.offset, status: r.status };
}

function show(r: TableAnswer): string {
  if (r.status === 'unknown') return 'unknown';
  if (r.status === 'no-value') return 'no value (null)';
  if (r.status === 'absent') return 'absent';
  return r.status === 'inferred' ? `${r.offset} (inferred)` : String(r.offset);
}
