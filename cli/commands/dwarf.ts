import type { Command } from 'commander';
import { GoOffsetsError } from '../../common/errors.js';
import { jsonArrayWriter, printJsonArray, printOut } from '../../common/stdio.js';
import { CliError } from '../errors.js';
import type { Dwarf, FieldOffset } from '../../gobin/dwarf/index.js';
import type { ElfFile } from '../../gobin/elf.js';

interface DwarfCommandOptions {
  json?: boolean;
  all?: boolean;
}

/**
 * `offsets dwarf BINARY SELECTOR... [--json]` and `offsets dwarf BINARY --all`:
 * struct field offsets from a binary's DWARF. The JSON shape is a contract
 * other tools rely on: [{"type","field","offset","size"}], offset and size
 * null for an absent type or field.
 */
export function registerDwarf(program: Command): void {
  program
    .command('dwarf')
    .description('struct field offsets from a Go binary\'s DWARF (pkgpath.Type.field selectors, or --all)')
    .argument('<binary>', 'ELF binary built without -w')
    .argument('[selectors...]', 'fields as pkgpath.Type.field, e.g. net/http.Request.ctx')
    .option('--json', 'print JSON: [{"type","field","offset","size"}]')
    .option('--all', 'every member of every struct')
    .action(async (binary: string, selectors: string[], opts: DwarfCommandOptions) => {
      if (!opts.all && selectors.length === 0) {
        throw new CliError('ERR_USAGE', 'give at least one pkgpath.Type.field selector, or --all');
      }
      // The readers load only when this command runs (in the bundle, esbuild defers their
      // evaluation and that of node:zlib): other commands do not pay for them.
      const [{ ElfFile }, { Dwarf }] = await Promise.all([import('../../gobin/elf.js'), import('../../gobin/dwarf/index.js')]);
      let elf: ElfFile;
      try {
        // Only the headers and the DWARF sections are read, not the whole binary.
        elf = ElfFile.openOnDemand(binary);
      } catch (err) {
        // The reader's own typed errors (ERR_NOT_ELF, ERR_TRUNCATED, …) name the problem: pass them on as they are.
        if (err instanceof GoOffsetsError) throw err;
        const e = err as NodeJS.ErrnoException;
        throw new CliError('ERR_OPEN', `${binary}: cannot read: ${e.code ?? e.message}`, { cause: err });
      }
      const dwarf = Dwarf.fromElf(elf);
      if (opts.all && opts.json) return printAllFields(dwarf);
      const rows: FieldOffset[] = opts.all ? allFields(dwarf) : selectors.map((s) => dwarf.field(s));
      if (opts.json) printJsonArray(rows);
      else printOut(table(rows));
    });
}

/** Every member of every struct as a row, in DIE order, each passed on as its struct is read (Dwarf.eachStruct). */
function eachField(dwarf: Dwarf, visit: (row: FieldOffset) => void): void {
  dwarf.eachStruct((s) => {
    for (const m of s.members) visit({ type: s.name, field: m.name, offset: m.offset, size: m.size });
  });
}

function allFields(dwarf: Dwarf): FieldOffset[] {
  const rows: FieldOffset[] = [];
  eachField(dwarf, (row) => rows.push(row));
  return rows;
}

/** allFields as JSON, printed as the structs are read: none of them is kept. */
function printAllFields(dwarf: Dwarf): void {
  const out = jsonArrayWriter();
  eachField(dwarf, (row) => out.push(row));
  out.end();
}

function table(rows: FieldOffset[]): string {
  const cells = [['TYPE', 'FIELD', 'OFFSET', 'SIZE'], ...rows.map((r) => [r.type, r.field, r.offset === null ? '-' : String(r.offset), r.size === null ? '-' : String(r.size)])];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...cells.map((c) => c[i].length)));
  return cells.map((c) => c.map((v, i) => (i >= 2 ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd()).join('\n') + '\n';
}
