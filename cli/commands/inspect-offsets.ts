import type { GoBinary } from '../../gobin/binary.js';
import type { Dwarf } from '../../gobin/dwarf/index.js';
import { GobinError } from '../../gobin/errors.js';
import type { TypeDescriptors } from '../../gobin/types/index.js';
import { checkArch, lookup, type LookupPolicy, type LookupStatus, type OffsetsTable } from '../../offsets/index.js';
import { tryParseTaggedVersion } from '../../offsets/versions.js';
import { withinBounds, type TrackedField, type TrackerConfig } from '../../tracker/config.js';

/** Where an offset came from, in order of trust. */
export type OffsetSource = 'dwarf' | 'types' | 'table';

/**
 * One tracked field's answer for a binary (`inspect --offsets`).
 * `status`: `found` (the binary's own metadata has the field), `absent` (it has
 * the struct but not the field: the field does not exist in this build),
 * a table status (`scanned`, `inferred`, `absent`, `unknown`) when only the
 * table answered, or `unknown` when nothing did (source null).
 */
export interface OffsetAnswer {
  field: string;
  /** `std` or the module path. */
  module: string;
  /** The Go version (std) or the module version; `unknown` when buildinfo names none (GOPATH builds). */
  version: string;
  offset: number | null;
  source: OffsetSource | null;
  status: 'found' | 'absent' | LookupStatus;
  /** The table's answer, whenever a table was given and it answered for this version (also when not used). */
  table?: { offset: number | null; status: LookupStatus; policy: LookupPolicy; message?: string };
  /** When the binary and the table both answered: whether they agree (null = null for absent). */
  agrees?: boolean;
  /** Why a source did not answer, or that the module version is unknown. */
  message?: string;
}

export interface OffsetsReport {
  /** What the binary's own metadata offered: DWARF, descriptors (or why not). */
  sources: { dwarf: boolean; types: { structs: number } | { error: string } };
  offsets: OffsetAnswer[];
}

interface BinaryLayouts {
  dwarf?: Dwarf;
  types?: TypeDescriptors;
}

/** What the binary's metadata says of one field: offset, absent (struct without the field), or nothing. */
function fromBinary(src: BinaryLayouts, f: TrackedField): { source: 'dwarf' | 'types'; offset: number | null } | { source: null; why: string } {
  const type = `${f.pkg}.${f.type}`;
  const d = src.dwarf?.findStruct(type);
  if (d) return { source: 'dwarf', offset: d.members.find((m) => m.name === f.field)?.offset ?? null };
  if (src.types) {
    const t = src.types.field(`${type}.${f.field}`);
    if (t.offset !== null || t.missing === 'no-field') return { source: 'types', offset: t.offset };
    if (t.missing === 'ambiguous') return { source: null, why: `${type}: several type descriptors carry this name (function-local types); not used` };
  }
  return { source: null, why: `${type}: no ${src.dwarf ? 'DWARF entry or ' : ''}type descriptor in this binary` };
}

/** True when the binary's metadata knows any tracked struct of `fields` (the module is linked in). */
function linkedIn(src: BinaryLayouts, fields: TrackedField[]): boolean {
  return fields.some((f) => src.dwarf?.findStruct(`${f.pkg}.${f.type}`) !== undefined || src.types?.findStruct(`${f.pkg}.${f.type}`) !== undefined);
}

/** A version the config's bounds can be checked against: one that parses (`go1.20.7 X:boringcrypto` does) and is not a devel build. */
function boundable(version: string): boolean {
  const v = tryParseTaggedVersion(version);
  return v !== undefined && !v.devel;
}

/**
 * Every tracked field that applies to this binary, answered from its DWARF,
 * then its type descriptors, then the table (under `policy`); a table value is
 * reported beside a binary answer, never instead of it. A module applies when
 * buildinfo lists it (the replacement's version when replaced), or, when
 * buildinfo names no version for it (GOPATH and distribution builds), when
 * the binary's metadata has one of its tracked structs: its version is then
 * `unknown`, its version bounds cannot be checked and the table is not asked.
 */
export async function resolveOffsets(bin: GoBinary, config: TrackerConfig, table?: { table: OffsetsTable; policy: LookupPolicy }): Promise<OffsetsReport> {
  const bi = bin.buildInfo();
  const src: BinaryLayouts = { dwarf: await bin.dwarf() };
  let typesInfo: OffsetsReport['sources']['types'];
  try {
    src.types = bin.types();
    typesInfo = { structs: src.types.structs().length };
  } catch (err) {
    if (!(err instanceof GobinError)) throw err;
    typesInfo = { error: `${err.code}: ${err.message}` };
  }
  const arch = checkArch(bin.arch);
  const out: OffsetAnswer[] = [];
  for (const mod of config.modules) {
    let version: string | undefined;
    if (mod.module === 'std') version = bi.goVersion;
    else {
      const dep = bi.modules.find((m) => m.path === mod.module);
      version = dep ? (dep.replace ? dep.replace.version || undefined : dep.version || undefined) : undefined;
      if (version === undefined && !linkedIn(src, mod.fields)) continue;
    }
    for (const f of mod.fields) {
      const boundsOf = mod.module === 'std' ? bi.goVersion : version;
      if (boundsOf !== undefined && boundable(boundsOf) && !withinBounds(boundsOf, f)) continue;
      out.push(answer(src, f, mod.module, version, table && version !== undefined ? tableAnswer(table, f.selector, bi.goVersion, version, arch) : undefined));
    }
  }
  out.sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
  return { sources: { dwarf: src.dwarf !== undefined, types: typesInfo }, offsets: out };
}

function tableAnswer(t: { table: OffsetsTable; policy: LookupPolicy }, field: string, go: string, moduleVersion: string, arch: ReturnType<typeof checkArch>): OffsetAnswer['table'] {
  try {
    const r = lookup(t.table, { field, go, moduleVersion, arch, policy: t.policy });
    return { offset: r.offset, status: r.status, policy: r.policy, ...(r.message ? { message: r.message } : {}) };
  } catch (err) {
    return { offset: null, status: 'unknown', policy: t.policy, message: (err as Error).message };
  }
}

function answer(src: BinaryLayouts, f: TrackedField, module: string, version: string | undefined, table: OffsetAnswer['table']): OffsetAnswer {
  const a: OffsetAnswer = { field: f.selector, module, version: version ?? 'unknown', offset: null, source: null, status: 'unknown' };
  const b = fromBinary(src, f);
  const notes: string[] = [];
  if (version === undefined) notes.push(`module version unknown (buildinfo names none): answered from the binary's own metadata only`);
  if (b.source) {
    a.offset = b.offset;
    a.source = b.source;
    a.status = b.offset === null ? 'absent' : 'found';
  } else notes.push(b.why);
  if (table) {
    a.table = table;
    if (b.source && table.status !== 'unknown') a.agrees = table.offset === b.offset;
    else if (!b.source && table.status !== 'unknown') {
      a.offset = table.offset;
      a.source = 'table';
      a.status = table.status;
    }
  }
  // A binary answer needs no excuse, except that the module version is unknown.
  const binaryAnswered = a.source === 'dwarf' || a.source === 'types';
  if (binaryAnswered && version === undefined) a.message = notes[0];
  else if (!binaryAnswered && notes.length) a.message = notes.join('; ');
  return a;
}

/** The text form: one line per field, then what did not answer and what disagrees. */
export function renderOffsets(report: OffsetsReport, columns: (rows: string[][]) => string): string[] {
  const t = report.sources.types;
  const lines = ['', `offsets (DWARF ${report.sources.dwarf ? 'yes' : 'no'}, type descriptors ${'error' in t ? `unreadable: ${t.error}` : `${t.structs} structs`})`];
  if (report.offsets.length === 0) return [...lines, '  (no tracked field applies to this binary)'];
  const v = (x: number | null | undefined) => (x === null || x === undefined ? '-' : String(x));
  const withTable = report.offsets.some((o) => o.table);
  const head = ['field', 'version', 'offset', 'source', 'status', ...(withTable ? ['table', 'agrees'] : [])];
  const rows = report.offsets.map((o) => [
    o.field,
    o.version,
    v(o.offset),
    o.source ?? '-',
    o.status,
    ...(withTable ? [o.table ? `${v(o.table.offset)} (${o.table.status})` : '-', o.agrees === undefined ? '-' : o.agrees ? 'yes' : 'NO'] : []),
  ]);
  lines.push(...columns([head, ...rows]).split('\n').map((l) => `  ${l}`.trimEnd()));
  const unknown = report.offsets.filter((o) => o.source === null);
  const differ = report.offsets.filter((o) => o.agrees === false);
  const bySource = (s: OffsetSource) => report.offsets.filter((o) => o.source === s).length;
  lines.push(`${report.offsets.length} fields: ${bySource('dwarf')} from DWARF, ${bySource('types')} from type descriptors, ${bySource('table')} from the table, ${unknown.length} unknown${withTable ? `, ${differ.length} where the table disagrees` : ''}`);
  for (const o of unknown) lines.push(`  unknown ${o.field}: ${o.message ?? ''}`);
  for (const o of differ) lines.push(`  DISAGREES ${o.field}: binary (${o.source}) ${v(o.offset)}, table ${v(o.table?.offset)}`);
  for (const o of report.offsets.filter((x) => x.version === 'unknown' && x.source !== null)) lines.push(`  ${o.field}: ${o.message}`);
  return lines;
}
