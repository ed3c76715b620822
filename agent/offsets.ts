import { stat } from 'node:fs/promises';
import { parseSelector } from '../gobin/selector.js';
import { cachePath } from '../common/cache-dir.js';
import { formatJsonCache, readJsonCacheSync, type JsonCacheKind } from '../common/json-cache.js';
import type { LookupPolicy, LookupResult, OffsetsTable } from '../offsets/index.js';
import type { CacheWrites } from './cache-writes.js';
import { AgentError } from './errors.js';
import { allFields, featuresFor, requiredFields, type FeatureName } from './fields.js';
import type { TargetHead } from './target.js';

/** Where the offsets came from: the target's DWARF, its type descriptors, the table, or descriptors with the table filling in. */
export type OffsetSource = 'dwarf' | 'type descriptors' | 'table' | 'type descriptors and table';

/** Constant name (bpf .rodata) -> value: FIELDS always, and those of each feature in use. */
export type OffsetConstants = Record<string, number>;

export interface ResolvedOffsets {
  source: OffsetSource;
  constants: OffsetConstants;
  /** FEATURES whose fields are all known, so that the programs use them. */
  features: FeatureName[];
  /** Table values not used because the target's own descriptors say otherwise, one line each. */
  warnings: string[];
}

/**
 * The offsets, and, when the target's descriptors decided every field, the
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
  format: 4,
  check: (d) => {
    const r = d as ResolvedOffsets;
    return typeof r === 'object' && r !== null && typeof r.source === 'string' && typeof r.constants === 'object' && Array.isArray(r.features) && Array.isArray(r.warnings);
  },
};

/** One field's answer: an offset and where it came from, or why there is none. */
type Answer = { offset: number; from: 'dwarf' | 'types' | 'table' } | { why: string };

/**
 * Every offset the eBPF programs need, in order of trust: the target's own
 * DWARF when it has one; otherwise its type descriptors (which stripped
 * binaries keep), then the table under `policy` for what they do not answer.
 * A table value that disagrees with the descriptors is never used (a warning
 * names both). Anything unknown or absent among FIELDS is a refusal that
 * lists every such field and the Go version. FEATURES come from the same
 * sources but are optional: one is used when every field of one of its
 * alternatives is known.
 */
export async function resolveOffsets(
  target: TargetHead,
  opts: { tablePath: string; policy: LookupPolicy; cacheWrites: CacheWrites; useTypes?: boolean },
): Promise<Resolution> {
  if (target.dwarfOffsets) {
    const dwarf = target.dwarfOffsets;
    return { source: 'dwarf', ...decide(target, (field) => (typeof dwarf[field] === 'number' ? { offset: dwarf[field]!, from: 'dwarf' } : { why: "not in the target's DWARF" })), warnings: [] };
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
  const cached = cacheFile ? readJsonCacheSync(cacheFile, RESOLVED_CACHE) : undefined;
  if (cacheFile && cached) {
    opts.cacheWrites.markUsed(cacheFile);
    return cached;
  }
  if (types && decidedByTypes(target, types)) {
    // The descriptors decide every offset (a table value never overrides them): the
    // table is only compared, after attaching.
    const resolved: ResolvedOffsets = { source: 'type descriptors', ...decide(target, (field) => fromTypes(types, field) ?? { why: 'not in the descriptors' }), warnings: [] };
    const compareWithTable = async () => {
      const comparison = compare(types, await tableLookup(target, opts, types));
      if (cacheFile) opts.cacheWrites.defer(cacheFile, formatJsonCache(RESOLVED_CACHE, { ...resolved, warnings: comparison.warnings }));
      return comparison;
    };
    return { ...resolved, compareWithTable };
  }
  const fromTable = await tableLookup(target, opts, types);
  const comparison = compare(types, fromTable);
  const decided = decide(target, (field) => {
    const own = fromTypes(types, field);
    if (own) return own;
    const table = fromTable(field);
    if ('offset' in table) return { offset: table.offset, from: 'table' };
    const kind = types?.[field];
    return { why: `${table.why}${kind ? `; type descriptors: ${kind}` : target.typesError ? `; type descriptors unreadable: ${target.typesError}` : ''}` };
  });
  const source: OffsetSource = !decided.used.has('types') ? 'table' : decided.used.has('table') ? 'type descriptors and table' : 'type descriptors';
  const resolved: ResolvedOffsets = { source, constants: decided.constants, features: decided.features, warnings: comparison.warnings };
  if (cacheFile) opts.cacheWrites.defer(cacheFile, formatJsonCache(RESOLVED_CACHE, resolved));
  return types ? { ...resolved, compareWithTable: async () => comparison } : resolved;
}

/**
 * The descriptors' answer for a field: an offset, a definite "no such field"
 * (the struct is there without it: the field does not exist in this build,
 * whatever a table says), or undefined when they cannot tell.
 */
function fromTypes(types: TargetHead['typeOffsets'], field: string): Answer | undefined {
  const own = types?.[field];
  if (typeof own === 'number') return { offset: own, from: 'types' };
  if (own === 'no-field') return { why: "the struct in the target's type descriptors has no such field" };
  return undefined;
}

/** Whether the descriptors settle every field and feature, so that the table cannot change anything. */
function decidedByTypes(target: TargetHead, types: NonNullable<TargetHead['typeOffsets']>): boolean {
  if (!Object.values(requiredFields(target.probes)).every((f) => typeof types[f] === 'number')) return false;
  return featuresFor(target.probes).every(([, feature]) => {
    const alts = feature.alternatives;
    return alts.some((alt) => Object.values(alt.fields).every((f) => typeof types[f] === 'number')) || alts.every((alt) => Object.values(alt.fields).some((f) => types[f] === 'no-field'));
  });
}

/**
 * FIELDS (refusing when any is unknown) and each feature's first alternative
 * whose fields are all known, with the sources used.
 */
function decide(target: TargetHead, answer: (field: string) => Answer): { constants: OffsetConstants; features: FeatureName[]; used: Set<'dwarf' | 'types' | 'table'> } {
  const constants: OffsetConstants = {};
  const used = new Set<'dwarf' | 'types' | 'table'>();
  const missing: string[] = [];
  for (const [name, field] of Object.entries(requiredFields(target.probes))) {
    const a = answer(field);
    if ('offset' in a) {
      constants[name] = a.offset;
      used.add(a.from);
    } else missing.push(`${field} (${a.why})`);
  }
  refuseIfMissing(missing, target);
  const features: FeatureName[] = [];
  for (const [name, feature] of featuresFor(target.probes)) {
    for (const alt of feature.alternatives) {
      const answers = Object.entries(alt.fields).map(([constant, field]) => [constant, answer(field)] as const);
      if (!answers.every(([, a]) => 'offset' in a)) continue;
      for (const [constant, a] of answers) {
        if (!('offset' in a)) continue;
        constants[constant] = a.offset;
        used.add(a.from);
      }
      Object.assign(constants, alt.constants ?? {});
      features.push(name);
      break;
    }
  }
  return { constants, features, used };
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
    if (types && Object.values(requiredFields(target.probes)).every((f) => typeof types[f] === 'number')) return () => ({ why });
    throw new AgentError('ERR_AGENT_TABLE', why, { cause: err });
  }
  const arch = target.arch as 'amd64' | 'arm64';
  return (field) => {
    let r: LookupResult;
    try {
      r = lookup(table, { field, go: target.goVersion, moduleVersion: moduleVersionOf(target, field), arch, policy: opts.policy });
    } catch (err) {
      return { why: (err as Error).message };
    }
    if ((r.status === 'scanned' || r.status === 'inferred') && r.offset !== null) return { offset: r.offset };
    return { why: `${r.status} under policy ${opts.policy}${r.message ? `: ${r.message}` : ''}` };
  };
}

/**
 * The buildinfo's version of the module that owns the field's package (the
 * longest module path that is a prefix of it); undefined for std, and for a
 * GOPATH or distribution build, whose buildinfo names no module versions.
 */
function moduleVersionOf(target: TargetHead, field: string): string | undefined {
  const pkg = parseSelector(field).type.replace(/\.[^./]+$/, '');
  let best: string | undefined;
  for (const path of Object.keys(target.modules)) {
    if ((pkg === path || pkg.startsWith(`${path}/`)) && (!best || path.length > best.length)) best = path;
  }
  return best && target.modules[best];
}

/** The table against the target's descriptors: a line for each field whose value differs (the descriptors win). */
function compare(types: TargetHead['typeOffsets'], fromTable: (field: string) => { offset: number } | { why: string }): TableComparison {
  const result: TableComparison = { warnings: [], agree: 0, unanswered: [] };
  for (const field of allFields()) {
    const own = types?.[field];
    if (typeof own !== 'number') continue;
    const table = fromTable(field);
    if (!('offset' in table)) result.unanswered.push(`${field} (${table.why})`);
    else if (table.offset === own) result.agree++;
    else result.warnings.push(`${field}: the table says ${table.offset}, the target's type descriptors say ${own}; using ${own}`);
  }
  return result;
}

function refuseIfMissing(missing: string[], target: TargetHead): void {
  if (missing.length === 0) return;
  throw new AgentError(
    'ERR_AGENT_OFFSET',
    `refusing to attach: no offset for ${missing.length} field(s) needed for ${target.goVersion} ${target.arch}: ${missing.join('; ')}`,
  );
}
