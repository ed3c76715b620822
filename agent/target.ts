import { statSync } from 'node:fs';
import type { GoBinary, GoFunction } from '../gobin/binary.js';
import { ReturnDecoder } from './return-decoder.js';
import { parseSelector } from '../gobin/selector.js';
import { cachePath } from '../common/cache-dir.js';
import { formatJsonCache, readJsonCacheSync, type JsonCacheKind } from '../common/json-cache.js';
import type { CacheWrites } from './cache-writes.js';
import { AgentError } from './errors.js';
import { allFields, FEATURES, FIELDS, type Alternative } from './fields.js';

/** Where one probed function gets its uprobes: file offsets of its entry and of every RET. */
export interface ProbeSite {
  name: string;
  entry: number;
  returns: number[];
}

/** Where the uprobes go: the probed functions the target has. */
export interface ProbeSites {
  server: ProbeSite | null;
  client: ProbeSite | null;
}

/** What the agent needs to know about a target executable, but where to attach. */
export interface TargetHead {
  /** Identifies the executable's content: device, inode, mtime and size. */
  key: string;
  goVersion: string;
  arch: string;
  /** Whether the target has SERVER_FUNCTION, and CLIENT_FUNCTION. */
  hasServer: boolean;
  hasClient: boolean;
  /** Offsets of FIELDS and FEATURES' fields from the target's own DWARF; null when it has none (built with -w). */
  dwarfOffsets: Record<string, number | null> | null;
  /**
   * Without DWARF: the same fields from the runtime's type descriptors, which
   * stripped binaries keep. A number, or why there is none (TypeFieldOffset
   * `missing`: `no-field` means the struct exists without the field). Null
   * when read from DWARF, or when the descriptors could not be read (`typesError`).
   */
  typeOffsets: Record<string, number | 'no-descriptor' | 'ambiguous' | 'no-field'> | null;
  typesError?: string;
}

/** Everything the agent needs to know about a target executable (the cached form). */
export type TargetInfo = TargetHead & ProbeSites;

/**
 * A target being inspected. The head is known once the binary has been read;
 * the return sites may still be decoding on a worker thread, so that the
 * caller can resolve offsets and load the eBPF object meanwhile.
 */
export interface Inspection {
  target: TargetHead;
  sites: Promise<ProbeSites>;
}

// Go names these the same from 1.17 (the register ABI) to today.
export const SERVER_FUNCTION = 'net/http.serverHandler.ServeHTTP';
export const CLIENT_FUNCTION = 'net/http.(*Transport).roundTrip';

const CACHE_FORMAT = 7;

/** The agent's cache of inspected targets (common/json-cache): one file per executable. */
const TARGET_CACHE: JsonCacheKind<TargetInfo> = {
  name: 'agent-target',
  format: CACHE_FORMAT,
  check: (d) => {
    const t = d as TargetInfo;
    return typeof t === 'object' && t !== null && typeof t.key === 'string' && typeof t.goVersion === 'string' && typeof t.arch === 'string' && 'server' in t && 'client' in t;
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
    const { server, client, ...target } = cached;
    void early?.close();
    return { target, sites: Promise.resolve({ server, client }) };
  }
  // Without a thread from the launcher, one starts now, before the binary is
  // read, so that its decoder loads meanwhile. The reader is imported here: a
  // cached start never loads it.
  const decoder = early ?? new ReturnDecoder();
  let bin: GoBinary;
  let target: TargetHead;
  let functions: (GoFunction | undefined)[];
  try {
    const { GoBinary } = await import('../gobin/binary.js');
    bin = GoBinary.openSync(path);
    functions = [SERVER_FUNCTION, CLIENT_FUNCTION].map((name) => bin.findFunction(name));
    const dwarf = await dwarfOffsets(bin);
    target = { key, goVersion: bin.buildInfo().goVersion, arch: String(bin.arch), hasServer: !!functions[0], hasClient: !!functions[1], dwarfOffsets: dwarf, ...(dwarf || !readTypes ? { typeOffsets: null } : typeOffsets(bin)) };
  } catch (err) {
    void decoder.close();
    throw targetError(path, err);
  }
  const found = functions.filter((fn): fn is GoFunction => fn !== undefined);
  const sites = decoder
    .returnSites(bin, found)
    .then((returns) => {
      const site = (fn: GoFunction | undefined, name: string) => (fn ? { name, entry: fn.fileOffset, returns: returns[found.indexOf(fn)] } : null);
      const probeSites = { server: site(functions[0], SERVER_FUNCTION), client: site(functions[1], CLIENT_FUNCTION) };
      cacheWrites.defer(cacheFile, formatJsonCache(TARGET_CACHE, { ...target, ...probeSites }));
      return probeSites;
    }, (err) => {
      throw targetError(path, err);
    })
    .finally(() => decoder.close());
  // The caller may refuse the target before it awaits the sites: that must not
  // turn a decoding failure into an unhandled rejection.
  sites.catch(() => {});
  return { target, sites };
}

async function dwarfOffsets(bin: GoBinary): Promise<Record<string, number | null> | null> {
  const dwarf = await bin.dwarf();
  if (!dwarf) return null;
  const offsets: Record<string, number | null> = {};
  for (const field of Object.values(FIELDS)) offsets[field] = dwarf.field(field).offset;
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

/** FIELDS and FEATURES' fields from the type descriptors (gobin/types): a stripped target's own layouts. */
function typeOffsets(bin: GoBinary): Pick<TargetHead, 'typeOffsets' | 'typesError'> {
  try {
    const fields = allFields();
    // Only the structs these fields are in, looked up by name: the whole descriptor graph takes tens of ms.
    const types = bin.typesOf(fields.map((f) => parseSelector(f).type));
    const offsets: NonNullable<TargetHead['typeOffsets']> = {};
    for (const field of fields) {
      const r = types.field(field);
      offsets[field] = r.offset ?? r.missing ?? 'no-descriptor';
    }
    return { typeOffsets: offsets };
  } catch (err) {
    // Unreadable descriptors are no reason to refuse: the table may still answer.
    return { typeOffsets: null, typesError: (err as Error).message };
  }
}

function targetError(path: string, err: unknown): AgentError {
  if (err instanceof AgentError) return err;
  return new AgentError('ERR_AGENT_TARGET', `cannot read the target ${path}: ${(err as Error).message}`, { cause: err });
}
