import type { Command } from 'commander';
import type { CompareValue, FieldComparison, TableComparison } from '../../offsets/compare.js';
import { columns, EXIT_UNKNOWN, write } from './table.js';

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description("Compare two offsets tables (ours or OpenTelemetry's layout) field by field, for every version both scanned")
    .argument('<tableA>', 'a table file, either layout')
    .argument('<tableB>', 'a table file, either layout')
    .option('--json', 'print the comparison as JSON')
    .addHelpText(
      'after',
      `\nAgreements print as counts per field, each disagreement on a line of its own, then the versions only one table has.\n` +
        `A version where one side has no value (a failed scan, or a null of OpenTelemetry's) is listed, neither agreement nor disagreement.\n` +
        `Exit status: 0 the tables agree on everything they share; ${EXIT_UNKNOWN} they disagree somewhere; 1 bad input or table.`,
    )
    .action(async (fileA: string, fileB: string, opts: { json?: boolean }) => {
      const [{ loadAnyTable }, { compareTables }] = await Promise.all([import('../../offsets/loaded-table.js'), import('../../offsets/compare.js')]);
      const [a, b] = [await loadAnyTable(fileA), await loadAnyTable(fileB)];
      const cmp = compareTables(a, b);
      if (opts.json) write(JSON.stringify(cmp));
      else write(asText(cmp));
      if (cmp.totals.disagree > 0) process.exitCode = EXIT_UNKNOWN;
    });
}

const show = (v: CompareValue): string => (v === 'no-value' ? 'no value' : String(v));
const runs = (rs: FieldComparison['onlyARuns']): string => rs.map(([f, l, n]) => (n === 1 ? f : `${f}..${l} (${n})`)).join(', ');

function asText(cmp: TableComparison): string {
  const t = cmp.totals;
  const shared = cmp.fields.filter((c) => c.agree + c.disagree.length + c.noValue.length > 0);
  const out = [
    `A: ${cmp.a.origin} (${cmp.a.layout})`,
    `B: ${cmp.b.origin} (${cmp.b.layout})`,
    `field versions in both: ${t.agree + t.disagree + t.noValue}: ${t.agree} agree, ${t.disagree} disagree, ${t.noValue} with no value on one side`,
    `field versions only in A: ${t.onlyA}; only in B: ${t.onlyB}`,
  ];
  if (shared.length) {
    out.push('', 'in both:');
    out.push(columns([['field', 'arch', 'versions of', 'agree', 'disagree', 'no value'], ...shared.map((c) => [c.field, c.arch, c.versionsOf, String(c.agree), String(c.disagree.length), String(c.noValue.length)])]));
  }
  const lines = (title: string, rows: string[]) => {
    if (rows.length) out.push('', title, ...rows.map((r) => `  ${r}`));
  };
  lines('disagree:', cmp.fields.flatMap((c) => c.disagree.map((d) => `${c.field} ${c.arch} ${d.version}: A ${show(d.a)}, B ${show(d.b)}`)));
  lines('no value on one side:', cmp.fields.flatMap((c) => c.noValue.map((d) => `${c.field} ${c.arch} ${d.version}: A ${show(d.a)}, B ${show(d.b)}`)));
  // An arch the other table has nothing of (OpenTelemetry's layout holds one) is summed up in one line, not listed field by field.
  const archsOf = (side: 'onlyA' | 'onlyB') => new Set(cmp.fields.filter((c) => c.agree + c.disagree.length + c.noValue.length + c[side].length > 0).map((c) => c.arch));
  const only = (side: 'onlyA' | 'onlyB', other: Set<string>, name: string, otherName: string) => {
    const listed = cmp.fields.filter((c) => c[side].length && other.has(c.arch));
    const rows = listed.map((c) => `${c.field} ${c.arch} (versions of ${c.versionsOf}): ${runs(side === 'onlyA' ? c.onlyARuns : c.onlyBRuns)}`);
    const elsewhere = new Map<string, { fields: number; versions: number }>();
    for (const c of cmp.fields) {
      if (!c[side].length || other.has(c.arch)) continue;
      const e = elsewhere.get(c.arch) ?? { fields: 0, versions: 0 };
      e.fields++;
      e.versions += c[side].length;
      elsewhere.set(c.arch, e);
    }
    for (const [arch, e] of elsewhere) rows.push(`${arch}, which ${otherName} has none of: ${e.versions} field versions in ${e.fields} fields`);
    lines(`only in ${name}:`, rows);
  };
  only('onlyA', archsOf('onlyB'), 'A', 'B');
  only('onlyB', archsOf('onlyA'), 'B', 'A');
  return out.join('\n');
}
