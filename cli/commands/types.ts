import type { Command } from 'commander';
import { GoOffsetsError } from '../../common/errors.js';
import { printErr, printJsonArray, printOut } from '../../common/stdio.js';
import { CliError } from '../errors.js';
import type { TypeDescriptors, TypeFieldOffset } from '../../gobin/types/index.js';
import { columns } from './table.js';

interface TypesCommandOptions {
  json?: boolean;
  all?: boolean;
}

/** A row of `offsets types`: the `offsets dwarf` row, plus why a selector got no answer. */
export type TypesRow = TypeFieldOffset;

/**
 * `offsets types BINARY SELECTOR... [--json]` and `offsets types BINARY --all`:
 * struct field offsets from the runtime's type descriptors, which stripped
 * binaries keep. Rows are those of `offsets dwarf` ({type, field, offset,
 * size}); a selector without an answer has offset and size null and
 * `missing`: `no-descriptor` (the struct has no descriptor in this binary),
 * `ambiguous` (several descriptors carry the name: function-local types) or
 * `no-field`. Nothing is guessed.
 */
export function registerTypes(program: Command): void {
  program
    .command('types')
    .description("struct field offsets from a Go binary's type descriptors (works on stripped binaries)")
    .argument('<binary>', 'Go ELF binary (amd64 or arm64), stripped or not')
    .argument('[selectors...]', 'fields as pkgpath.Type.field, e.g. net/http.Request.ctx')
    .option('--json', 'print JSON: [{"type","field","offset","size"}]')
    .option('--all', 'every member of every named struct that has a descriptor')
    .action(async (binary: string, selectors: string[], opts: TypesCommandOptions) => {
      if (!opts.all && selectors.length === 0) {
        throw new CliError('ERR_USAGE', 'give at least one pkgpath.Type.field selector, or --all');
      }
      // The reader loads only when this command runs.
      const { GoBinary } = await import('../../gobin/binary.js');
      const bin = await GoBinary.open(binary).catch((err: NodeJS.ErrnoException) => {
        if (err instanceof GoOffsetsError || typeof err?.code !== 'string') throw err;
        throw new CliError('ERR_OPEN', `${binary}: cannot read: ${err.code}`, { cause: err });
      });
      const td = bin.types();
      const rows = opts.all ? allRows(td) : selectors.map((s) => td.field(s));
      if (opts.json) printJsonArray(rows);
      else printOut(renderRows(rows));
      const ambiguous = [...td.ambiguous().keys()];
      if (opts.all && ambiguous.length) {
        printErr(`offsets types: left out ${ambiguous.length} struct name(s) carried by several descriptors (function-local types): ${ambiguous.join(', ')}\n`);
      }
    });
}

export function allRows(td: TypeDescriptors): TypesRow[] {
  const rows: TypesRow[] = [];
  for (const s of td.structs()) {
    for (const m of s.members) rows.push({ type: s.name, field: m.name, offset: m.offset, size: m.size });
  }
  return rows;
}

const WHY: Record<NonNullable<TypeFieldOffset['missing']>, string> = {
  'no-descriptor': 'no descriptor for this struct',
  ambiguous: 'several descriptors carry this name',
  'no-field': 'no such field',
};

export function renderRows(rows: TypesRow[]): string {
  const anyMissing = rows.some((r) => r.missing);
  const head = ['TYPE', 'FIELD', 'OFFSET', 'SIZE', ...(anyMissing ? ['NOTE'] : [])];
  const body = rows.map((r) => [r.type, r.field, r.offset === null ? '-' : String(r.offset), r.size === null ? '-' : String(r.size), ...(anyMissing ? [r.missing ? WHY[r.missing] : ''] : [])]);
  return columns([head, ...body]).split('\n').map((l) => l.trimEnd()).join('\n') + '\n';
}
