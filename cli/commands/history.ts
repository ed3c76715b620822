import type { Command } from 'commander';
import { fieldHistory } from '../../offsets/index.js';
import { columns, openTable, tableOption, write } from './table.js';

export function registerHistory(program: Command): void {
  const cmd = program
    .command('history')
    .description('Every run of one field: the scanned versions it covers and the offset (per arch where archs differ)')
    .argument('<field>', 'field selector, e.g. net/http.Request.ctx')
    .option('--json', 'print the runs as JSON');
  tableOption(cmd).action(async (field: string, opts: { table?: string; json?: boolean }) => {
    const history = fieldHistory(await openTable(opts.table), field);
    if (opts.json) return write(JSON.stringify({ field, ...history }));
    const rows = history.rows.map((r) => [r.arch, r.first, r.last, String(r.count), r.value === null ? 'absent' : String(r.value)]);
    write(`${field} (${history.module})\n${columns([['arch', 'from', 'to', 'versions', 'offset'], ...rows])}`);
  });
}
