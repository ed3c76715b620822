import { readFile, stat } from 'node:fs/promises';
import type { GoBinary, GoFunction } from '../gobin/binary.js';
import { cachePath } from '../common/cache-dir.js';
import { writeFileAtomic } from '../common/atomic-write.js';
import { AgentError } from './errors.js';
import { FIELDS } from './fields.js';

/** Where one probed function gets its uprobes: file offsets of its entry and of every RET. */
export interface ProbeSite {
  name: string;
  entry: number;
  returns: number[];
}

/** What the agent needs to know about a target executable. */
export interface TargetInfo {
  /** Identifies the executable's content: device, inode, mtime and size. */
  key: string;
  goVersion: string;
  arch: string;
  server: ProbeSite | null;
  client: ProbeSite | null;
  /** Offsets of FIELDS from the target's own DWARF; null when it has none (built with -w). */
  dwarfOffsets: Record<string, number | null> | null;
}

// Go names these the same from 1.17 (the register ABI) to today.
export const SERVER_FUNCTION = 'net/http.serverHandler.ServeHTTP';
export const CLIENT_FUNCTION = 'net/http.(*Transport).roundTrip';

const CACHE_FORMAT = 2;

/**
 * Reads the target (buildinfo, pclntab, return sites, DWARF) once per
 * executable: the result is cached on disk by device, inode and mtime, so a
 * second start skips the reader entirely.
 */
export async function inspectTarget(path: string): Promise<TargetInfo> {
  let st;
  try {
    st = await stat(path, { bigint: true });
  } catch (err) {
    throw new AgentError('ERR_AGENT_TARGET', `cannot read the target ${path}: ${(err as Error).message}`, { cause: err });
  }
  const key = `v${CACHE_FORMAT}-${st.dev}-${st.ino}-${st.mtimeNs}-${st.size}`;
  const cacheFile = cachePath('agent', 'targets', `${key}.json`);
  try {
    return JSON.parse(await readFile(cacheFile, 'utf8')) as TargetInfo;
  } catch {
    // not cached yet
  }
  const info = readTarget(key, await openBinary(path));
  await writeFileAtomic(cacheFile, JSON.stringify(info));
  return info;
}

async function openBinary(path: string): Promise<GoBinary> {
  try {
    // Imported here: a cached start never loads the reader (and its disassembler).
    const { GoBinary } = await import('../gobin/binary.js');
    return await GoBinary.open(path);
  } catch (err) {
    throw new AgentError('ERR_AGENT_TARGET', `cannot read the target ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function readTarget(key: string, bin: GoBinary): TargetInfo {
  const goVersion = bin.buildInfo().goVersion;
  const site = (name: string): ProbeSite | null => {
    const fn: GoFunction | undefined = bin.findFunctions(new RegExp(`^${escapeRegExp(name)}$`))[0];
    return fn ? { name, entry: fn.fileOffset, returns: bin.returnSites(fn) } : null;
  };
  const dwarf = bin.dwarf();
  let dwarfOffsets: Record<string, number | null> | null = null;
  if (dwarf) {
    dwarfOffsets = {};
    for (const field of Object.values(FIELDS)) dwarfOffsets[field] = dwarf.field(field).offset;
  }
  return { key, goVersion, arch: String(bin.arch), server: site(SERVER_FUNCTION), client: site(CLIENT_FUNCTION), dwarfOffsets };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
