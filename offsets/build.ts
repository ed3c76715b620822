import { compareCodeUnits } from './canonical-json.js';
import { TableError } from './errors.js';
import { ARCHS, TABLE_FORMAT, TABLE_FORMAT_VERSION, type FieldEntry, type ModuleEntry, type OffsetsTable, type Run, type RunValue } from './format.js';
import { compressRuns } from './runs.js';
import { splitFieldSelector, type Arch, type Observation } from './observation.js';
import { compareTableVersions, isUnversioned, parseVersionFor, type TableVersion } from './versions.js';

interface ModuleAccumulator {
  versions: Map<string, { version: TableVersion; sources: Set<string> }>;
  archs: Set<Arch>;
  /** field → arch → canonical version → value */
  fields: Map<string, Map<Arch, Map<string, RunValue>>>;
}

/**
 * Builds the canonical table from observations. The result depends only on
 * the set of observations, never on their order: building from all of them,
 * or merging tables built from any split of them, gives the same bytes.
 *
 * The same (module, version, arch, field) seen twice: a success replaces a
 * failure (a retry worked); two different successes are ERR_TABLE_CONFLICT.
 */
export function buildTable(observations: Iterable<Observation>): OffsetsTable {
  const modules = new Map<string, ModuleAccumulator>();
  for (const obs of observations) {
    const { version, value } = checkObservation(obs);
    let acc = modules.get(obs.module);
    if (!acc) modules.set(obs.module, (acc = { versions: new Map(), archs: new Set(), fields: new Map() }));
    const known = acc.versions.get(version.canonical);
    if (known) known.sources.add(obs.source);
    else acc.versions.set(version.canonical, { version, sources: new Set([obs.source]) });
    acc.archs.add(obs.arch);
    let byArch = acc.fields.get(obs.field);
    if (!byArch) acc.fields.set(obs.field, (byArch = new Map()));
    let byVersion = byArch.get(obs.arch);
    if (!byVersion) byArch.set(obs.arch, (byVersion = new Map()));
    const prev = byVersion.get(version.canonical);
    byVersion.set(version.canonical, prev === undefined ? value : combine(prev, value, obs, version.canonical));
  }
  const out: OffsetsTable = { format: TABLE_FORMAT, formatVersion: TABLE_FORMAT_VERSION, modules: {} };
  for (const name of [...modules.keys()].sort(compareCodeUnits)) out.modules[name] = finishModule(modules.get(name)!);
  return out;
}

function finishModule(acc: ModuleAccumulator): ModuleEntry {
  const ordered = [...acc.versions.values()].sort((a, b) => compareTableVersions(a.version, b.version));
  const names = ordered.map((v) => v.version.canonical);
  const archs = ARCHS.filter((a) => acc.archs.has(a));
  const fields: Record<string, FieldEntry> = {};
  for (const field of [...acc.fields.keys()].sort(compareCodeUnits)) {
    const byArch = acc.fields.get(field)!;
    const runsByArch = new Map<Arch, Run[]>();
    for (const arch of archs) {
      const values = byArch.get(arch);
      if (values) runsByArch.set(arch, compressRuns(names, names.map((n) => values.get(n))));
    }
    const all = [...runsByArch.values()];
    const agree = runsByArch.size === archs.length && all.every((r) => JSON.stringify(r) === JSON.stringify(all[0]));
    fields[field] = agree ? { runs: all[0] } : { byArch: Object.fromEntries(runsByArch) };
  }
  return {
    archs,
    versions: ordered.map((v) => [v.version.canonical, ...[...v.sources].sort(compareCodeUnits)]),
    fields,
  };
}

function combine(prev: RunValue, next: RunValue, obs: Observation, version: string): RunValue {
  if (prev === next) return prev;
  if (prev === 'failed') return next;
  if (next === 'failed') return prev;
  throw new TableError(
    'ERR_TABLE_CONFLICT',
    `${obs.module} ${version} ${obs.arch} ${obs.field}: observed both ${describe(prev)} and ${describe(next)}`,
  );
}

function describe(v: RunValue): string {
  return v === null ? 'absent' : v === 'failed' ? 'failed' : `offset ${v}`;
}

function checkObservation(obs: Observation): { version: TableVersion; value: RunValue } {
  const where = `observation ${JSON.stringify({ module: obs?.module, version: obs?.version, arch: obs?.arch, field: obs?.field })}`;
  const bad = (why: string): never => {
    throw new TableError('ERR_BAD_OBSERVATION', `${where}: ${why}`);
  };
  if (typeof obs.module !== 'string' || obs.module === '') bad('module must be "std" or a module path');
  if (typeof obs.source !== 'string' || obs.source === '') bad('source is missing');
  if (!ARCHS.includes(obs.arch)) bad(`arch must be one of ${ARCHS.join(', ')}`);
  const sel = typeof obs.field === 'string' ? splitFieldSelector(obs.field) : undefined;
  if (!sel) bad('field must be pkgpath.Type.field');
  if (!belongsTo(sel!.pkg, obs.module)) bad(`package ${sel!.pkg} is not part of module ${obs.module}`);
  let version;
  try {
    version = parseVersionFor(obs.module, obs.version);
  } catch (err) {
    return bad((err as Error).message);
  }
  if (isUnversioned(version)) return bad('a scanned version must be a real version, not (devel) or missing');
  if (version.devel) bad('devel Go builds are not scanned into the table');
  const r = obs.result;
  let value: RunValue;
  if (r?.status === 'ok') {
    if (!Number.isSafeInteger(r.offset) || r.offset < 0) bad(`offset must be a non-negative integer, got ${String(r.offset)}`);
    value = r.offset;
  } else if (r?.status === 'absent') value = null;
  else if (r?.status === 'failed') value = 'failed';
  else return bad('result.status must be ok, absent or failed');
  return { version: version as TableVersion, value };
}

/** std packages have no dot in their first path element; a module owns its path and everything under it. */
export function belongsTo(pkg: string, module: string): boolean {
  if (module === 'std') return !pkg.split('/')[0].includes('.');
  return pkg === module || pkg.startsWith(module + '/');
}
