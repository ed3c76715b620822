import { readFile, stat } from 'node:fs/promises';
import { cachePath } from '../common/cache-dir.js';
import type { LookupPolicy, LookupResult, OffsetsTable } from '../offsets/index.js';
import type { CacheWrites } from './cache-writes.js';
import { AgentError } from './errors.js';
import { FIELDS, ROUTE_FIELDS, type ConstantName, type RouteConstantName } from './fields.js';
import { repoRoot } from './native.js';
import type { TargetHead } from './target.js';

/** offsets/offsets.json of this checkout. */
export function defaultTablePath(): string {
  return `${repoRoot()}/offsets/offsets.json`;
}

export type OffsetSource = 'dwarf' | 'table';

export type OffsetConstants = Record<ConstantName, number> & Partial<Record<RouteConstantName, number>>;

export interface ResolvedOffsets {
  source: OffsetSource;
  constants: OffsetConstants;
}

/** Whether the constants let the programs read the matched route (ROUTE_FIELDS). */
export function hasRoutes(constants: OffsetConstants): boolean {
  return Object.keys(ROUTE_FIELDS).every((name) => constants[name as RouteConstantName] !== undefined);
}

/**
 * Every offset the eBPF programs need: from the target's own DWARF when it
 * has one, otherwise from the table under `policy`. Anything unknown or
 * absent is a refusal that lists every such field and the Go version.
 * ROUTE_FIELDS come from the same source but are optional: when one is
 * unknown, none is set and spans carry no route.
 */
export async function resolveOffsets(
  target: TargetHead,
  opts: { tablePath: string; policy: LookupPolicy; cacheWrites: CacheWrites },
): Promise<ResolvedOffsets> {
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
    return { source: 'dwarf', constants };
  }
  if (target.arch !== 'amd64' && target.arch !== 'arm64') {
    throw new AgentError('ERR_AGENT_ARCH', `no offsets for arch ${target.arch}: only amd64 and arm64`);
  }
  // The same target, table file and policy always resolve the same: reuse the
  // answer, and a warm start never loads the table code (nor its schema validator).
  let cacheFile: string | undefined;
  try {
    const st = await stat(opts.tablePath, { bigint: true });
    cacheFile = cachePath('agent', 'offsets', `${target.key}-${st.dev}-${st.ino}-${st.mtimeNs}-${st.size}-${opts.policy}.json`);
    return { source: 'table', constants: JSON.parse(await readFile(cacheFile, 'utf8')) as OffsetConstants };
  } catch {
    // not resolved yet (or no table: loadTable says so below)
  }
  // The two modules the agent needs, not offsets/index.js (which also loads the
  // table builder, merger and reports). The table is read once and validated
  // once, by the precompiled validator (offsets/table-validator.generated.ts).
  const [{ loadTable }, { lookup }] = await Promise.all([import('../offsets/load.js'), import('../offsets/lookup.js')]);
  let table: OffsetsTable;
  try {
    table = await loadTable(opts.tablePath);
  } catch (err) {
    throw new AgentError('ERR_AGENT_TABLE', `cannot load the offsets table ${opts.tablePath}: ${(err as Error).message}`, { cause: err });
  }
  const arch = target.arch;
  const find = (field: string): { offset?: number; why: string } => {
    let r: LookupResult;
    try {
      r = lookup(table, { field, go: target.goVersion, arch, policy: opts.policy });
    } catch (err) {
      return { why: (err as Error).message };
    }
    if ((r.status === 'scanned' || r.status === 'inferred') && r.offset !== null) return { offset: r.offset, why: r.status };
    return { why: `${r.status} under policy ${opts.policy}${r.message ? `: ${r.message}` : ''}` };
  };
  for (const [name, field] of Object.entries(FIELDS) as [ConstantName, string][]) {
    const { offset, why } = find(field);
    if (offset !== undefined) constants[name] = offset;
    else missing.push(`${field} (${why})`);
  }
  refuseIfMissing(missing, target);
  setRouteConstants(constants, (field) => find(field).offset);
  if (cacheFile) opts.cacheWrites.defer(cacheFile, JSON.stringify(constants));
  return { source: 'table', constants };
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
