import type { Command } from 'commander';
import { printErr, printOut } from '../../common/stdio.js';
import { TableError } from '../../offsets/errors.js';
import type { LeftOut } from '../../offsets/otel/export.js';
import { openTable, tableOption } from './table.js';

const FORMATS = ['otel'];

const WHY: Record<LeftOut['reason'], string> = {
  failed: 'failed scans (never written as null)',
  'otel-null': "nulls of the OpenTelemetry table read (no value: never written back)",
  'arch-not-scanned': 'fields not scanned for the arch',
  'keyed-by-own-version': "fields OpenTelemetry keys by another module's version, while this table keys them by their own",
};

export function registerExport(program: Command): void {
  const cmd = program
    .command('export')
    .description("Write the table in another layout: --format otel is OpenTelemetry's offset_results.json")
    .requiredOption('--format <format>', `output layout: ${FORMATS.join(', ')}`)
    .option('--out <file>', 'write here (atomically) instead of standard output')
    .option('--arch <arch>', "the arch to write (OpenTelemetry's layout holds one)", 'amd64');
  tableOption(cmd)
    .addHelpText('after', '\nWhat cannot be written (failed scans, nulls read from OpenTelemetry\'s layout) is left out, counted and listed on standard error.\nExit status: 0 written; 1 bad input or table.')
    .action(async (opts: { format: string; out?: string; arch: string; table?: string }) => {
      if (!FORMATS.includes(opts.format)) throw new TableError('ERR_BAD_USAGE', `unknown export format ${JSON.stringify(opts.format)} (one of ${FORMATS.join(', ')})`);
      const { checkArch } = await import('../../offsets/lookup.js');
      const arch = checkArch(opts.arch);
      const loaded = await openTable(opts.table);
      const [{ exportOtel }, { writeFileAtomic }] = await Promise.all([import('../../offsets/otel/export.js'), import('../../common/atomic-write.js')]);
      const { text, leftOut, otherArchDiffers } = exportOtel(loaded, arch);
      if (opts.out) await writeFileAtomic(opts.out, text);
      else printOut(text);
      reportLeftOut(leftOut);
      if (otherArchDiffers.length) {
        printErr(`offsets: export: ${otherArchDiffers.length} fields written for ${arch} have other offsets on another arch of the table (OpenTelemetry's layout holds one arch):\n${otherArchDiffers.map((f) => `  ${f}\n`).join('')}`);
      }
    });
}

/** One summary line per reason, then one line per field: its versions, or the whole field. */
function reportLeftOut(leftOut: LeftOut[]): void {
  if (leftOut.length === 0) return;
  const byReason = new Map<LeftOut['reason'], Map<string, string[]>>();
  for (const l of leftOut) {
    let fields = byReason.get(l.reason);
    if (!fields) byReason.set(l.reason, (fields = new Map()));
    let versions = fields.get(l.field);
    if (!versions) fields.set(l.field, (versions = []));
    if (l.version) versions.push(l.version);
  }
  const lines: string[] = [];
  for (const [reason, fields] of byReason) {
    const count = [...fields.values()].reduce((n, vs) => n + (vs.length || 1), 0);
    const unit = [...fields.values()].some((vs) => vs.length) ? 'field versions' : 'fields';
    lines.push(`offsets: export: left out ${count} ${unit} in ${fields.size} fields: ${WHY[reason]}`);
    for (const [field, versions] of fields) lines.push(`  ${field}${versions.length ? `: ${versions.join(', ')}` : ''}`);
  }
  printErr(lines.join('\n') + '\n');
}
