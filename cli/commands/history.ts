import type { Command } from 'commander';
import { columns, openTable, tableOption, write } from './table.js';

export function registerHistory(program: Command): void {
  const cmd = program
    .command('history')
    .description('Every run of one field: the scanned versions it covers and the offset (per arch where archs differ)')
    .argument('<field>', 'field selector, e.g. net/http.Request.ctx')
    .option('--json', 'print the runs as JSON');
  tableOption(cmd).action(async (field: string, opts: { table?: string; json?: boolean }) => {
    const loaded = await openTable(opts.table);
    const { historyIn } = await import('../../offsets/otel/answer.js');
    const history = historyIn(loaded, field);
    if (opts.json) return write(JSON.stringify({ field, ...history }));
    const show = (v: (typeof history.rows)[number]['value']) => (v === null ? 'absent' : v === 'no-value' ? 'no value (null)' : String(v));
    const rows = history.rows.map((r) => [r.arch, r.first, r.last, String(r.count), show(r.value)]);
    const note = history.otel ? `\n  ${history.otel.note}` : '';
    write(`${field} (${history.module})${note}\n${columns([['arch', 'from', 'to', 'versions', 'offset'], ...rows])}`);
  });
}
