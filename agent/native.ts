import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { packagePath, packageRoot } from '../common/package-root.js';
import { AgentError } from './errors.js';

/** The libbpf loader addon (agent/native/loader.cc). */
export interface BpfObject {
  setConst(name: string, value: bigint): void;
  /** Before load: false leaves the program out of the kernel (not verified, not attachable). */
  setAutoload(program: string, load: boolean): void;
  /** Before load: the map's number of entries. */
  setMaxEntries(map: string, entries: number): void;
  load(): void;
  attachUprobe(program: string, binaryPath: string, fileOffset: number, pid: number): void;
  linkCount(): number;
  /**
   * Drains on the programs' wake-ups, and lingerMs after the last drain that
   * found records. `records` is valid during the call only (detached after).
   */
  pollRingBuffer(map: string, onRecords: (records: ArrayBuffer) => void, lingerMs: number): void;
  readCounters(map: string, count: number): bigint[];
  close(): void;
}

interface LoaderAddon {
  BpfObject: new (objectPath: string) => BpfObject;
  clockPair(): [realtimeNs: bigint, monotonicNs: bigint];
  /** The file's bytes, privately mapped (map-file.cc); unmapped when the Buffer is collected. */
  mapFile(path: string): Buffer;
}

let addon: LoaderAddon | undefined;

export function loaderAddon(): LoaderAddon {
  if (addon) return addon;
  const path = packagePath('agent', 'native', 'build', 'Release', 'loader.node');
  if (!existsSync(path)) {
    throw new AgentError('ERR_AGENT_BPF', `the libbpf loader addon is not built (${path} missing): run scripts/setup.sh`);
  }
  addon = createRequire(import.meta.url)(path) as LoaderAddon;
  return addon;
}

export function bpfObjectPath(arch: 'amd64' | 'arm64'): string {
  const path = packagePath('bpf', `nethttp.${arch}.o`);
  if (!existsSync(path)) throw new AgentError('ERR_AGENT_BPF', `the eBPF object is not built (${path} missing): run scripts/setup.sh`);
  return path;
}
