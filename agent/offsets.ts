import { readFile, stat } from 'node:fs/promises';
import { cachePath } from '../common/cache-dir.js';
import type { LookupPolicy, LookupResult, OffsetsTable } from '../offsets/index.js';
import type { CacheWrites } from './cache-writes.js';
import { AgentError } from './errors.js';
import { FIELDS, type ConstantName } from './fields.js';
import { repoRoot } from './native.js';
import type { TargetHead } from './target.js';

/** offsets/offsets.json of this checkout. */
export function defaultTablePath(): string {
  return `${repoRoot()}/offsets/offsets.json`;
}

export type OffsetSource = 'dwarf' | 'table';

export interface ResolvedOffsets {
  source: OffsetSource;
  constants: Record<ConstantName, number>;
}

/**
 * Every offset the eBPF programs need: from the target's own DWARF when it
 * has one, otherwise from the table under `policy`. Anything unknown or
 * absent is a refusal that lists every such field and the Go version.
 */
export async function resolveOffsets(
  target: TargetHead,
  opts: { tablePath: string; policy: LookupPolicy; cacheWrites: CacheWrites },
): Promise<ResolvedOffsets> {
  const constants = {} as Record<ConstantName, number>;
  const missing: string[] = [];
  if (target.dwarfOffsets) {
    for (const [name, field] of Object.entries(FIELDS) as [ConstantName, string][]) {
      const offset = target.dwarfOffsets[field];
      if (offset === null || offset === undefined) missing.push(`${field} (not in the target's DWARF)`);
      else constants[name] = offset;
    }
    refuseIfMissing(missing, target);
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
    return { source: 'table', constants: JSON.parse(await readFile(cacheFile, 'utf8')) as Record<ConstantName, number> };
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
  for (const [name, field] of Object.entries(FIELDS) as [ConstantName, string][]) {
    let r: LookupResult;
    try {
      r = lookup(table, { field, go: target.goVersion, arch: target.arch, policy: opts.policy });
    } catch (err) {
      missing.push(`${field} (${(err as Error).message})`);
      continue;
    }
    if ((r.status === 'scanned' || r.status === 'inferred') && r.offset !== null) constants[name] = r.offset;
    else missing.push(`${field} (${r.status} under policy ${opts.policy}${r.message ? `: ${r.message}` : ''})`);
  }
  refuseIfMissing(missing, target);
  if (cacheFile) opts.cacheWrites.defer(cacheFile, JSON.stringify(constants));
  return { source: 'table', constants };
}

function refuseIfMissing(missing: string[], target: TargetHead): void {
  if (missing.length === 0) return;
  throw new AgentError(
    'ERR_AGENT_OFFSET',
    `refusing to attach: no offset for ${missing.length} field(s) needed for ${target.goVersion} ${target.arch}: ${missing.join('; ')}`,
  );
}
