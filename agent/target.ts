import { statSync } from 'node:fs';
import type { GoBinary, GoFunction } from '../gobin/binary.js';
import { END_SITE_PROBES, ReturnDecoder, type FunctionEnds } from './return-decoder.js';
import { parseSelector } from '../gobin/selector.js';
import { cachePath } from '../common/cache-dir.js';
import { formatJsonCache, readJsonCacheSync, type JsonCacheKind } from '../common/json-cache.js';
import type { CacheWrites } from './cache-writes.js';
import { entryProbeOffset } from './entry-site.js';
import { AgentError } from './errors.js';
import { FEATURES, fieldsFor, requiredFields, type Alternative } from './fields.js';
import { PROBE_NAMES, PROBES, type Probe, type ProbeName } from './probes.js';
import type { ModuleVersion } from '../offsets/module-version.js';

/**
 * Where one probed function gets its uprobes, as file offsets: its entry
 * (entry-site.ts), and where its return program runs (`ends`): after each
 * call of it when every call could be found (gobin/call-sites.ts), else at
 * each RET, with why (`endsWhy`).
 */
export interface ProbeSite {
  name: string;
  entry: number;
  ends: number[];
  endsAfterCalls: boolean;
  endsWhy?: string;
}

/** Where the uprobes go: each probe whose function the target has. */
export type ProbeSites = Partial<Record<ProbeName, ProbeSite>>;

/** What the agent needs to know about a target executable, but where to attach. */
export interface TargetHead {
  /** Identifies the executable's content: device, inode, mtime and size. */
  key: string;
  goVersion: string;
  arch: string;
  /** The probes whose function the target has (PROBES). */
  probes: ProbeName[];
  /** Module path -> version, from the buildinfo; empty for a GOPATH or distribution build. */
  modules: Record<string, string>;
  /** Offsets of the required fields and FEATURES' fields from the target's own DWARF; null when it has none (built with -w). */
  dwarfOffsets: Record<string, number | null> | null;
  /**
   * Without DWARF: the same fields from the runtime's type descriptors, which
   * stripped binaries keep. A number, or why there is none (TypeFieldOffset
   * `missing`: `no-field` means the struct exists without the field). Null
   * when read from DWARF, or when the descriptors could not be read (`typesError`).
   */
  typeOffsets: Record<string, number | 'no-descriptor' | 'ambiguous' | 'no-field'> | null;
  typesError?: string;
  /** Constants the programs take that are read off the target itself (targetConstants). */
  constants: Record<string, number>;
}

/** Everything the agent needs to know about a target executable (the cached form). */
export type TargetInfo = TargetHead & { sites: ProbeSites };

/**
 * A target being inspected. The head is known once the binary has been read;
 * the return sites may still be decoding on a worker thread, so that the
 * caller can resolve offsets and load the eBPF object meanwhile.
 */
export interface Inspection {
  target: TargetHead;
  sites: Promise<ProbeSites>;
}

const CACHE_FORMAT = 12;

/** The agent's cache of inspected targets (common/json-cache): one file per executable. */
const TARGET_CACHE: JsonCacheKind<TargetInfo> = {
  name: 'agent-target',
  format: CACHE_FORMAT,
  check: (d) => {
    const t = d as TargetInfo;
    return typeof t === 'object' && t !== null && typeof t.key === 'string' && typeof t.goVersion === 'string' && typeof t.arch === 'string' && Array.isArray(t.probes) && typeof t.sites === 'object' && typeof t.constants === 'object';
  },
};

/**
 * Reads the target (buildinfo, pclntab, return sites, DWARF) once per
 * executable: the result is cached on disk by device, inode and mtime, so a
 * second start skips the reader entirely. The cache file is saved through
 * `cacheWrites` once the return sites are known.
 *
 * The decoder thread is the longest path of a first start: the launcher may
 * start it before anything else and hand it over as `early` (closed here when
 * the inspection is cached); otherwise the cache is looked up synchronously
 * and the thread starts on a miss.
 */
export async function inspectTarget(path: string, cacheWrites: CacheWrites, early?: ReturnDecoder, readTypes = true): Promise<Inspection> {
  let st;
  try {
    st = statSync(path, { bigint: true });
  } catch (err) {
    void early?.close();
    throw targetError(path, err);
  }
  // Reading the type descriptors (tens of ms) is skipped with --no-types: the cache keeps the two apart.
  const key = `v${CACHE_FORMAT}-${st.dev}-${st.ino}-${st.mtimeNs}-${st.size}${readTypes ? '' : '-notypes'}`;
  const cacheFile = cachePath('agent', 'targets', `${key}.json`);
  const cached = readJsonCacheSync(cacheFile, TARGET_CACHE);
  if (cached) {
    const { sites, ...target } = cached;
    cacheWrites.markUsed(cacheFile);
    void early?.close();
    return { target, sites: Promise.resolve(sites) };
  }
  // Without a thread from the launcher, one starts now, before the binary is
  // read, so that its decoder loads meanwhile.
  const decoder = early ?? new ReturnDecoder();
  let read: TargetRead;
  try {
    read = await readTarget(path, key, readTypes, decoder);
  } catch (err) {
    void decoder.close();
    throw targetError(path, err);
  }
  const sites = read.endsFound
    .then((found) => {
      const probed = probeSites(read, found);
      cacheWrites.defer(cacheFile, formatJsonCache(TARGET_CACHE, { ...read.target, sites: probed }));
      return probed;
    }, (err) => {
      throw targetError(path, err);
    })
    // Not awaited: ending the thread takes 30-40 ms, which the attach must not wait for.
    .finally(() => void decoder.close());
  // The caller may refuse the target before it awaits the sites: that must not
  // turn a decoding failure into an unhandled rejection.
  sites.catch(() => {});
  return { target: read.target, sites };
}

/** A target read by readTarget: its head, and its probed functions, whose end sites the decoder thread is finding. */
interface TargetRead {
  target: TargetHead;
  bin: GoBinary;
  functions: Map<ProbeName, GoFunction>;
  /** The probes whose end sites were asked for, in the order of the decoder's answers. */
  asked: ProbeName[];
  endsFound: Promise<FunctionEnds[]>;
}

/**
 * Reads the binary: the probed functions (handed to the decoder thread at
 * once, for their end sites), the buildinfo, the offsets from DWARF or the
 * type descriptors, and the constants. The reader is imported here: a cached
 * start never loads it.
 */
async function readTarget(path: string, key: string, readTypes: boolean, decoder: ReturnDecoder): Promise<TargetRead> {
  const [{ GoBinary }, { openTargetFile }] = await Promise.all([import('../gobin/binary.js'), import('./target-file.js')]);
  const bin = GoBinary.fromElf(openTargetFile(path));
  const functions = probedFunctions(bin);
  const asked = END_SITE_PROBES.filter((name) => functions.has(name));
  const queries = asked.map((name) => ({ fn: functions.get(name)!, readsResults: (PROBES[name] as Probe).readsResults ?? false }));
  // The search of the code and data needs no decoder: it is done here while the thread loads its own.
  const entries = bin.functionEntries();
  const candidates = bin.arch === 'amd64' && queries.length > 0 ? bin.endSiteCandidates(queries.map((q) => q.fn.entry), entries) : undefined;
  const endsFound = decoder.endSites(path, queries, entries, candidates);
  const info = bin.buildInfo();
  const modules = Object.fromEntries(info.modules.map((m) => [m.path, m.replace?.version || m.version]).filter(([, v]) => v && v !== '(devel)'));
  const dwarf = await dwarfOffsets(bin);
  const types = readTypes || !dwarf ? typeOffsets(bin, !dwarf && readTypes, [...functions.keys()]) : { typeOffsets: null };
  const target: TargetHead = {
    key,
    goVersion: info.goVersion,
    arch: String(bin.arch),
    probes: [...functions.keys()],
    modules,
    dwarfOffsets: dwarf,
    typeOffsets: types.typeOffsets,
    ...(types.typesError ? { typesError: types.typesError } : {}),
    constants: targetConstants(
      functions,
      modules,
      types.hashes ?? {},
      // The version grammar (semver) only for a target with the gRPC headers probe: an HTTP target never loads it.
      functions.has('grpcHeaders') ? await import('../offsets/module-version.js') : undefined,
    ),
  };
  return { target, bin, functions, asked, endsFound };
}

/** Each probe's function in the target: the first of its PROBES names that the target has. */
function probedFunctions(bin: GoBinary): Map<ProbeName, GoFunction> {
  const named = bin.findFunctionsNamed(PROBE_NAMES.flatMap((name) => PROBES[name].functions));
  const functions = new Map<ProbeName, GoFunction>();
  for (const name of PROBE_NAMES) {
    const fn = PROBES[name].functions.map((f) => named.get(f)).find((f) => f !== undefined);
    if (fn) functions.set(name, fn);
  }
  return functions;
}

/** Where each probe attaches, from the decoder thread's answers (`found`) for the end sites. */
function probeSites({ target, bin, functions, asked }: TargetRead, found: FunctionEnds[]): ProbeSites {
  const sites: ProbeSites = {};
  // The answers come in the order of the queries.
  const byProbe = new Map(asked.map((name, k) => [name, found[k]]));
  for (const [name, fn] of functions) {
    const ends = END_SITE_PROBES.includes(name) ? byProbe.get(name) : { name: fn.name, ends: [], afterCalls: false };
    if (!ends || ends.name !== fn.name) throw new Error(`the decoder thread answered ${ends?.name ?? 'nothing'} for ${fn.name}`);
    sites[name] = {
      name: fn.name,
      entry: entryProbeOffset(target.arch, bin.code(fn), fn.fileOffset),
      ends: ends.ends,
      endsAfterCalls: ends.afterCalls,
      ...(ends.why ? { endsWhy: ends.why } : {}),
    };
  }
  return sites;
}

async function dwarfOffsets(bin: GoBinary): Promise<Record<string, number | null> | null> {
  const dwarf = await bin.dwarf();
  if (!dwarf) return null;
  const offsets: Record<string, number | null> = {};
  for (const field of Object.values(requiredFields(PROBE_NAMES))) offsets[field] = dwarf.field(field).offset;
  // An alternative whose first missing field is found stops there: looking for a type the
  // build does not have (the pattern before Go 1.22, hmap after 1.23) skims every unit in vain.
  for (const feature of Object.values(FEATURES)) {
    for (const alt of feature.alternatives as readonly Alternative[]) {
      for (const field of Object.values(alt.fields)) {
        if (field in offsets) continue;
        offsets[field] = dwarf.field(field).offset;
        if (offsets[field] === null) break;
      }
    }
  }
  return offsets;
}

/**
 * The fields a target with these probes may read (fieldsFor) from the type
 * descriptors (gobin/types): a stripped target's own layouts (only when
 * `offsets`), and, for a gRPC client, the type hashes of ERROR_TYPES, which
 * grpc_client_return tells errors by. Only these structs are looked up: each
 * costs a search of the types area.
 */
function typeOffsets(bin: GoBinary, offsets: boolean, probes: ProbeName[]): Pick<TargetHead, 'typeOffsets' | 'typesError'> & { hashes?: Record<string, number | undefined> } {
  const fields = offsets ? fieldsFor(probes) : [];
  const errorTypes = probes.includes('grpcClient') ? Object.entries(ERROR_TYPES) : [];
  if (fields.length === 0 && errorTypes.length === 0) return { typeOffsets: null };
  try {
    // Only the structs these fields are in, looked up by name: the whole descriptor graph takes tens of ms.
    const types = bin.typesOf([...fields.map((f) => parseSelector(f).type), ...errorTypes.map(([, struct]) => struct)]);
    const found: NonNullable<TargetHead['typeOffsets']> = {};
    for (const field of fields) {
      const r = types.field(field);
      found[field] = r.offset ?? r.missing ?? 'no-descriptor';
    }
    const hashes = Object.fromEntries(errorTypes.map(([constant, struct]) => [constant, types.pointerTypeHash(struct)]));
    return { typeOffsets: offsets ? found : null, hashes };
  } catch (err) {
    // Unreadable descriptors are no reason to refuse: the table may still answer.
    return { typeOffsets: null, typesError: (err as Error).message };
  }
}

/** Constants that carry the type hash of a pointer to these structs: the error types the gRPC programs recognize. */
const ERROR_TYPES = { status_error_hash: 'google.golang.org/grpc/internal/status.Error', eof_error_hash: 'errors.errorString' };

/**
 * Constants read off the target rather than from a struct layout:
 * - status_error_hash, eof_error_hash: abi.Type.Hash of *status.Error and of *errors.errorString
 *   (io.EOF's type), by which grpc.h's error_code tells them (0 when unknown: every error is then Unknown);
 * - headers_frame_arg: which argument of operateHeaders is the frame. grpc
 *   1.60 put a ctx before it: from the grpc version in the buildinfo, else
 *   (a GOPATH build) from the size of its arguments (_func.args, without
 *   the results): 4 words before (t, frame, handle, traceCtx), 5 after (t, ctx, frame, handle).
 */
function targetConstants(
  functions: Map<ProbeName, GoFunction>,
  modules: Record<string, string>,
  hashes: Record<string, number | undefined>,
  // Imported by the caller, only for a target that has operateHeaders: semver is not loaded otherwise.
  versions: typeof import('../offsets/module-version.js') | undefined,
): Record<string, number> {
  const constants: Record<string, number> = {};
  for (const [name, hash] of Object.entries(hashes)) if (hash !== undefined) constants[name] = hash;
  const headers = functions.get('grpcHeaders');
  if (!headers || !versions) return constants;
  const { parseModuleVersion, compareModuleVersions } = versions;
  let grpc: ModuleVersion;
  try {
    grpc = parseModuleVersion(modules['google.golang.org/grpc']);
  } catch {
    grpc = { kind: 'missing', raw: '' }; // a version this grammar refuses: as if unknown
  }
  // grpc 1.60 put a ctx before the frame.
  const ctxFirst = parseModuleVersion('v1.60.0') as Extract<ModuleVersion, { kind: 'semver' }>;
  if (grpc.kind === 'semver') constants.headers_frame_arg = compareModuleVersions(grpc.parsed, ctxFirst.parsed) >= 0 ? 4 : 2;
  else if (headers.argsSize === 32) constants.headers_frame_arg = 2;
  else if (headers.argsSize === 40) constants.headers_frame_arg = 4;
  return constants;
}

function targetError(path: string, err: unknown): AgentError {
  if (err instanceof AgentError) return err;
  return new AgentError('ERR_AGENT_TARGET', `cannot read the target ${path}: ${(err as Error).message}`, { cause: err });
}
