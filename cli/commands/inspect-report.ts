import { GoBinary, type GoFunction } from '../../gobin/binary.js';
import { GoOffsetsError } from '../../common/errors.js';
import { CliError } from '../errors.js';
import type { ModuleInfo } from '../../gobin/buildinfo.js';
import { TableError } from '../../offsets/errors.js';
import { checkArch, checkPolicy, defaultTablePath, loadTable, tableReport, type LookupPolicy, type LookupStatus, type OffsetsTable } from '../../offsets/index.js';
import { printOut } from '../../common/stdio.js';
import { columns } from './table.js';
import { loadPackagedTable } from '../../offsets/packaged-table.js';
import { renderOffsets, resolveOffsets, type OffsetsReport } from './inspect-offsets.js';
import { loadConfig } from '../../tracker/config.js';

/** The options of `offsets inspect`. */
export interface InspectCommandOptions {
  funcs?: string;
  json?: boolean;
  table?: string | false;
  policy?: string;
  offsets?: boolean;
}

/** `offsets inspect BINARY --json`: what a binary is (the contract tests and tools rely on). */
export interface InspectSummary {
  goVersion: string;
  arch: string;
  pie: boolean;
  /** No symbol table and no DWARF (what -ldflags "-s -w" gives). */
  stripped: boolean;
  main: { path: string; version: string } | null;
  modules: Array<{ path: string; version: string; sum: string; replace: ModuleInfo | null }>;
  settings: Record<string, string>;
  /** The offsets table the fields were looked up in (absent when no table was used). */
  table?: { path: string; policy: LookupPolicy };
  /** Every tracked field of std and of the modules the binary uses, sorted by field (absent when no table was used). */
  fields?: InspectField[];
  /** `--offsets`: which of the binary's own sources exist. */
  offsetSources?: OffsetsReport['sources'];
  /** `--offsets`: every tracked field that applies, with its offset and source (DWARF, descriptors, table). */
  offsets?: OffsetsReport['offsets'];
}

/** One tracked field for this binary: the table's answer and, when the binary has DWARF, what DWARF says. */
export interface InspectField {
  field: string;
  /** `std` or the owning module's path. */
  module: string;
  /** The Go version (std) or the module version (the replacement's when replaced) the answer is for. */
  version: string;
  offset: number | null;
  status: LookupStatus;
  policy: LookupPolicy;
  /** Why, for unknown answers and inferences (under `nearest` it starts with WARNING). */
  message?: string;
  /** Only when the binary has DWARF: the member's offset there, null when DWARF has no such struct or member. */
  dwarf?: number | null;
  /** Only when the binary has DWARF and the table answered (not unknown): the table's offset equals DWARF's (absent = null = null). */
  agrees?: boolean;
}

/** `offsets inspect BINARY --funcs REGEXP --json`: where to attach uprobes. */
export interface InspectFunctions {
  functions: Array<{ name: string; entry: string; fileOffset: number; returns: number[] }>;
}

export interface InspectOptions {
  funcs?: RegExp;
  /** Look every tracked field up in this table (ignored with `funcs`). */
  table?: { table: OffsetsTable; path: string; policy?: LookupPolicy };
}

export type InspectReport = InspectSummary | InspectFunctions;

/**
 * Builds the report `inspect` prints. This is the seam for other parts: wrap
 * or extend the object it returns (e.g. with offsets-table results) before it
 * is rendered.
 */
export async function buildInspectReport(bin: GoBinary, opts: InspectOptions = {}): Promise<InspectReport> {
  if (opts.funcs) {
    return {
      functions: bin.findFunctions(opts.funcs).map((f: GoFunction) => ({
        name: f.name,
        entry: `0x${f.entry.toString(16)}`,
        fileOffset: f.fileOffset,
        returns: bin.returnSites(f),
      })),
    };
  }
  const bi = bin.buildInfo();
  bin.functions(); // a binary whose function table is unreadable is not inspectable
  const summary: InspectSummary = {
    goVersion: bi.goVersion,
    arch: bin.arch,
    pie: bin.pie,
    stripped: bin.stripped,
    main: bi.main ? { path: bi.main.path, version: bi.main.version } : null,
    modules: bi.modules.map((m) => ({ path: m.path, version: m.version, sum: m.sum, replace: m.replace })),
    settings: bi.settings,
  };
  if (opts.table) {
    const policy = checkPolicy(opts.table.policy);
    const report = tableReport(opts.table.table, { goVersion: bi.goVersion, modules: bi.modules, arch: checkArch(bin.arch), policy });
    const dwarf = await bin.dwarf();
    summary.table = { path: opts.table.path, policy };
    summary.fields = report.fields.map((r) => {
      const f: InspectField = { field: r.field, module: r.module, version: r.version, offset: r.offset, status: r.status, policy: r.policy };
      if (r.message) f.message = r.message;
      if (dwarf) {
        f.dwarf = dwarf.field(r.field).offset;
        if (r.status !== 'unknown') f.agrees = r.offset === f.dwarf;
      }
      return f;
    });
  }
  return summary;
}

/**
 * The table `inspect` uses: `--table FILE` must load (an unreadable or bad
 * file is an error); without it the package's offsets/offsets.json is used
 * when it exists, and a package without one simply gets no table section (a
 * present but bad default table is still an error). `--no-table` skips it.
 */
export async function inspectTable(option: string | false | undefined): Promise<{ table: OffsetsTable; path: string } | { table: undefined; path: string; why: string } | undefined> {
  if (option === false) return undefined;
  if (option !== undefined) return { table: await loadTable(option), path: option };
  const path = defaultTablePath();
  try {
    return { table: loadPackagedTable(path).table, path };
  } catch (err) {
    const cause = err instanceof TableError && err.code === 'ERR_TABLE_READ' ? (err.cause as NodeJS.ErrnoException | undefined) : undefined;
    if (cause?.code === 'ENOENT') return { table: undefined, path, why: 'not generated yet' };
    throw err;
  }
}

export function renderInspectText(report: InspectReport): string {
  if ('functions' in report) {
    if (report.functions.length === 0) return 'no matching functions\n';
    return report.functions.map((f) => `${f.name}\n  entry ${f.entry}  file offset 0x${f.fileOffset.toString(16)}\n  returns ${f.returns.map((r) => `0x${r.toString(16)}`).join(' ') || '(none)'}\n`).join('');
  }
  const lines = [
    `Go version  ${report.goVersion}`,
    `arch        ${report.arch}${report.pie ? ' (PIE)' : ''}`,
    `stripped    ${report.stripped ? 'yes (no symbol table, no DWARF)' : 'no'}`,
    `main        ${report.main ? `${report.main.path} ${report.main.version}` : '(none)'}`,
  ];
  if (report.modules.length) {
    lines.push('modules');
    for (const m of report.modules) lines.push(`  ${m.path} ${m.version}${m.replace ? ` => ${m.replace.path} ${m.replace.version}` : ''}`);
  }
  const keys = Object.keys(report.settings);
  if (keys.length) {
    lines.push('build settings');
    for (const k of keys) lines.push(`  ${k}=${report.settings[k]}`);
  }
  if (report.table && report.fields) lines.push(...renderFields(report.table, report.fields));
  if (report.offsets && report.offsetSources) lines.push(...renderOffsets({ sources: report.offsetSources, offsets: report.offsets }, columns));
  return lines.join('\n') + '\n';
}

function renderFields(table: { path: string; policy: LookupPolicy }, fields: InspectField[]): string[] {
  const lines = ['', `offsets table  ${table.path} (policy ${table.policy})`];
  if (fields.length === 0) return [...lines, '  (no tracked field of std or of this binary\'s modules)'];
  const withDwarf = fields.some((f) => f.dwarf !== undefined);
  const offset = (v: number | null | undefined, status?: LookupStatus) => (status === 'unknown' ? 'unknown' : v === null || v === undefined ? 'absent' : String(v));
  const head = ['field', 'module', 'version', 'offset', 'status', ...(withDwarf ? ['dwarf', 'agrees'] : [])];
  const rows = fields.map((f) => [
    f.field,
    f.module,
    f.version,
    offset(f.offset, f.status),
    f.status,
    ...(withDwarf ? [offset(f.dwarf), f.agrees === undefined ? '-' : f.agrees ? 'yes' : 'NO'] : []),
  ]);
  lines.push(...columns([head, ...rows]).split('\n').map((l) => `  ${l}`.trimEnd()));
  const unknown = fields.filter((f) => f.status === 'unknown');
  const differ = fields.filter((f) => f.agrees === false);
  lines.push(`${fields.length} fields: ${fields.length - unknown.length} known, ${unknown.length} unknown${withDwarf ? `, ${differ.length} disagreeing with DWARF` : ''}`);
  for (const f of unknown) lines.push(`  unknown ${f.field}: ${f.message ?? 'not in the table for this version'}`);
  for (const f of differ) lines.push(`  DISAGREES ${f.field}: table ${offset(f.offset)}, DWARF ${offset(f.dwarf)}`);
  return lines;
}

function parsePattern(src: string): RegExp {
  try {
    return new RegExp(src);
  } catch (err) {
    throw new CliError('ERR_BAD_PATTERN', `--funcs: invalid regular expression ${JSON.stringify(src)}: ${(err as Error).message}`);
  }
}

/** What `offsets inspect` does once its command line is read (cli/commands/inspect.ts). */
export async function runInspect(binary: string, opts: InspectCommandOptions): Promise<void> {
  const policy = checkPolicy(opts.policy);
  const funcs = opts.funcs !== undefined ? parsePattern(opts.funcs) : undefined;
  const bin = await GoBinary.open(binary).catch((err: NodeJS.ErrnoException) => {
    // Reader errors are typed already; a system error (ENOENT, EISDIR, EACCES) becomes ERR_OPEN, as in `dwarf`.
    if (err instanceof GoOffsetsError || typeof err?.code !== 'string') throw err;
    throw new CliError('ERR_OPEN', `${binary}: cannot read: ${err.code}`, { cause: err });
  });
  const found = funcs ? undefined : await inspectTable(opts.table);
  const withTable = found?.table ? { table: found.table, path: found.path, policy } : undefined;
  const report = await buildInspectReport(bin, { funcs, table: opts.offsets ? undefined : withTable });
  if (opts.offsets && !funcs && !('functions' in report)) {
    const resolved = await resolveOffsets(bin, await loadConfig(), withTable);
    if (withTable) report.table = { path: withTable.path, policy };
    report.offsetSources = resolved.sources;
    report.offsets = resolved.offsets;
  }
  let text = opts.json ? JSON.stringify(report, null, 2) + '\n' : renderInspectText(report);
  if (!opts.json && found && !found.table) text += `\noffsets table  none (${found.path}: ${'why' in found ? found.why : ''}; give --table FILE)\n`;
  printOut(text);
}
