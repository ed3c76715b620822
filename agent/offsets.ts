import { stat } from 'node:fs/promises';
import { cachePath } from '../common/cache-dir.js';
import { formatJsonCache, readJsonCacheSync, type JsonCacheKind } from '../common/json-cache.js';
import type { LookupPolicy, LookupResult, OffsetsTable } from '../offsets/index.js';
import type { CacheWrites } from './cache-writes.js';
import { AgentError } from './errors.js';
import { FIELDS, ROUTE_FIELDS, type ConstantName, type RouteConstantName } from './fields.js';
import type { TargetHead } from './target.js';

/** Where the offsets came from: the target's DWARF, its type descriptors, the table, or descriptors with the table filling in. */
export type OffsetSource = 'dwarf' | 'type descriptors' | 'table' | 'type descriptors and table';

export type OffsetConstants = Record<ConstantName, number> & Partial<Record<RouteConstantName, number>>;

export interface ResolvedOffsets {
  source: OffsetSource;
  constants: OffsetConstants;
  /** Table values not used because the target's own descriptors say otherwise, one line each. */
  warnings: string[];
}

/**
 * The offsets, and, when the target's descriptors answered every field, the
 * comparison with the table still to do: it changes no offset, only the
 * warnings, so the agent runs it after attaching (loading and validating the
 * table is a tenth of a cold start).
 */
export interface Resolution extends ResolvedOffsets {
  compareWithTable?: () => Promise<TableComparison>;
}

export interface TableComparison {
  warnings: string[];
  /** Fields the descriptors answered for which the table has a value equal to theirs. */
  agree: number;
  /** Why the table had no value, for each such field (e.g. it could not be loaded). */
  unanswered: string[];
}

/** The agent's cache of resolved offsets (common/json-cache): one file per target, table and policy. */
const RESOLVED_CACHE: JsonCacheKind<ResolvedOffsets> = {
  name: 'agent-offsets',
  format: 3,
  check: (d) => typeof d === 'object' && d !== null && typeof (d as ResolvedOffsets).source === 'string' && typeof (d as ResolvedOffsets).constants === 'object' && Array.isArray((d as ResolvedOffsets).warnings),
};

/** Whether the constants let the programs read the matched route (ROUTE_FIELDS). */
export function hasRoutes(constants: OffsetConstants): boolean {
  return Object.keys(ROUTE_FIELDS).every((name) => constants[name as RouteConstantName] !== undefined);
}

/** One field's answer: an offset and where it came from, or why there is none. */
type Answer = { offset: number; from: 'types' | 'table' } | { why: string };

/**
 * Every offset the eBPF programs need, in order of trust: the target's own
 * DWARF when it has one; otherwise its type descriptors (which stripped
 * binaries keep), then the table under `policy` for what they do not answer.
 * A table value that disagrees with the descriptors is never used (a warning
 * names both). Anything unknown or absent is a refusal that lists every such
 * field and the Go version. ROUTE_FIELDS come from the same sources but are
 * optional: when one is unknown, none is set and spans carry no route.
 */
export async function resolveOffsets(
  target: TargetHead,
  opts: { tablePath: string; policy: LookupPolicy; cacheWrites: CacheWrites; useTypes?: boolean },
): Promise<Resolution> {
  const constants = {} as OffsetConstants;
  const missing: string[] = [];
  if (target.dwarfOffsets) {
    const dwarf = target.dwarfOffsets;
    for (const [name, field] of Object.entries(FIELDS) as [ConstantName, string][]) {
      const offset = dwarf[field];
      if (offset === null || offset === undefined) missing.push(`${field} (not in the target's DWARF)`);
      else constants[name] = offset;
    }
    refuseIfMissing(missing, target);
    setRouteConstants(constants, (field) => dwarf[field] ?? undefined);
    return { source: 'dwarf', constants, warnings: [] };
  }
  if (target.arch !== 'amd64' && target.arch !== 'arm64') {
    throw new AgentError('ERR_AGENT_ARCH', `no offsets for arch ${target.arch}: only amd64 and arm64`);
  }
  const types = opts.useTypes === false ? null : target.typeOffsets;
  // The same target, table file, policy and sources always resolve the same: reuse the
  // answer, and a warm start never loads the table code (nor its schema validator).
  let cacheFile: string | undefined;
  try {
    const st = await stat(opts.tablePath, { bigint: true });
    cacheFile = cachePath('agent', 'offsets', `${target.key}-${st.dev}-${st.ino}-${st.mtimeNs}-${st.size}-${opts.policy}-${types ? 'types' : 'notypes'}.json`);
  } catch {
    // no table: loadTable says so below
  }
  const cached = cacheFile && readJsonCacheSync(cacheFile, RESOLVED_CACHE);
  if (cached) return cached;
  if (types && Object.values(FIELDS).every((f) => typeof types[f] === 'number') && Object.values(ROUTE_FIELDS).every((f) => typeof types[f] === 'number' || types[f] === 'no-field')) {
    // The descriptors decide every offset (a table value never overrides them): the
    // table is only compared, after attaching.
    for (const [name, field] of Object.entries(FIELDS) as [ConstantName, string][]) constants[name] = types[field] as number;
    setRouteConstants(constants, (field) => (typeof types[field] === 'number' ? (types[field] as number) : undefined));
    const resolved: ResolvedOffsets = { source: 'type descriptors', constants, warnings: [] };
    const compareWithTable = async () => {
      const fromTable = await tableLookup(target, opts, types);
      const comparison = compare(types, fromTable);
      if (cacheFile) opts.cacheWrites.defer(cacheFile, formatJsonCache(RESOLVED_CACHE, { ...resolved, warnings: comparison.warnings }));
      return comparison;
    };
    return { ...resolved, compareWithTable };
  }
  const fromTable = await tableLookup(target, opts, types);
  const comparison = compare(types, fromTable);
  const { warnings } = comparison;
  const answer = (field: string): Answer => {
    const own = types?.[field];
    const table = fromTable(field);
    if (typeof own === 'number') return { offset: own, from: 'types' };
    // The struct is there without the field: the field does not exist in this build, whatever a table says.
    if (own === 'no-field') return { why: "the struct in the target's type descriptors has no such field" };
    if ('offset' in table) return { offset: table.offset, from: 'table' };
    return { why: `${table.why}${own ? `; type descriptors: ${own}` : target.typesError ? `; type descriptors unreadable: ${target.typesError}` : ''}` };
  };
  const used = new Set<'types' | 'table'>();
  for (const [name, field] of Object.entries(FIELDS) as [ConstantName, string][]) {
    const a = answer(field);
    if ('offset' in a) {
      constants[name] = a.offset;
      used.add(a.from);
    } else missing.push(`${field} (${a.why})`);
  }
  refuseIfMissing(missing, target);
  setRouteConstants(constants, (field) => {
    const a = answer(field);
    return 'offset' in a ? a.offset : undefined;
  });
  const source: OffsetSource = !used.has('types') ? 'table' : used.has('table') ? 'type descriptors and table' : 'type descriptors';
  const resolved = { source, constants, warnings };
  if (cacheFile) opts.cacheWrites.defer(cacheFile, formatJsonCache(RESOLVED_CACHE, resolved));
  return types ? { ...resolved, compareWithTable: async () => comparison } : resolved;
}

/**
 * The table's answer for a field under the policy. A table that cannot be
 * loaded is an error unless the descriptors answer every required field.
 */
async function tableLookup(
  target: TargetHead,
  opts: { tablePath: string; policy: LookupPolicy },
  types: TargetHead['typeOffsets'],
): Promise<(field: string) => { offset: number } | { why: string }> {
  // The two modules the agent needs, not offsets/index.js (which also loads the
  // table builder, merger and reports). The table is read once and validated
  // once, by the precompiled validator (offsets/table-validator.generated.ts).
  const [{ loadTable }, { lookup }] = await Promise.all([import('../offsets/load.js'), import('../offsets/lookup.js')]);
  let table: OffsetsTable;
  try {
    table = await loadTable(opts.tablePath);
  } catch (err) {
    const why = `cannot load the offsets table ${opts.tablePath}: ${(err as Error).message}`;
    if (types && Object.values(FIELDS).every((f) => typeof types[f] === 'number')) return () => ({ why });
    throw new AgentError('ERR_AGENT_TABLE', why, { cause: err });
  }
  const arch = target.arch as 'amd64' | 'arm64';
  return (field) => {
    let r: LookupResult;
    try {
      r = lookup(table, { field, go: target.goVersion, arch, policy: opts.policy });
    } catch (err) {
      return { why: (err as Error).message };
    }
    if ((r.status === 'scanned' || r.status === 'inferred') && r.offset !== null) return { offset: r.offset };
    return { why: `${r.status} under policy ${opts.policy}${r.message ? `: ${r.message}` : ''}` };
  };
}

/** The table against the target's descriptors: a line for each field whose value differs (the descriptors win). */
function compare(types: TargetHead['typeOffsets'], fromTable: (field: string) => { offset: number } | { why: string }): TableComparison {
  const result: TableComparison = { warnings: [], agree: 0, unanswered: [] };
  for (const field of [...Object.values(FIELDS), ...Object.values(ROUTE_FIELDS)]) {
    const own = types?.[field];
    if (typeof own !== 'number') continue;
    const table = fromTable(field);
    if (!('offset' in table)) result.unanswered.push(`${field} (${table.why})`);
    else if (table.offset === own) result.agree++;
    else result.warnings.push(`${field}: the table says ${table.offset}, the target's type descriptors say ${own}; using ${own}`);
  }
  return result;
}

/** Sets every ROUTE_FIELDS constant when all are known, none otherwise. */
function setRouteConstants(constants: OffsetConstants, offsetOf: (field: string) => number | undefined): void {
  const found = (Object.entries(ROUTE_FIELDS) as [RouteConstantName, string][]).map(([name, field]) => [name, offsetOf(field)] as const);
  if (found.every(([, offset]) => offset !== undefined)) for (const [name, offset] of found) constants[name] = offset!;
}

function refuseIfMissing(missing: string[], target: TargetHead): void {
  if (missing.length === 0) return;
  throw new AgentError(
    'ERR_AGENT_OFFSET',
    `refusing to attach: no offset for ${missing.length} field(s) needed for ${target.goVersion} ${target.arch}: ${missing.join('; ')}`,
  );
}
