// Paths private to one process: the temporary files, work directories and
// half-assembled trees that are renamed into place (or removed) once done.
// Their names say whose they are, `.NAME.PID-NS.UNIQUE.tmp`, so that a later
// process can tell the debris of a run killed midway from the work of a live
// one, and remove it: the first time a process makes a private path in a
// directory, it sweeps that directory.
//
// NS is the owner's pid namespace (the inode of /proc/self/ns/pid): two
// containers sharing one cache may each have a process 1234, and a pid says
// nothing about a process of another namespace. Only entries of this
// namespace whose process is gone are removed; the rest are left alone.
import { readdirSync, readlinkSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { processAlive } from './process-alive.js';

const NAMESPACE = pidNamespace();
/** `.NAME.PID-NS.UNIQUE.tmp` (or `.part`): what privatePath makes, and the owner it names. */
const PRIVATE = /^\..*\.(\d+)-([0-9a-z]+)\.[0-9a-z]+\.(?:tmp|part)$/;
const swept = new Set<string>();
// Unique by pid and a counter; no node:crypto, which would add about 7 ms to
// the agent's start for its first cache write.
let sequence = 0;

/**
 * A path beside `target`, on the same filesystem (so the final rename is
 * atomic), that no other process uses. Debris of dead processes in that
 * directory is removed first, once per directory and process.
 */
export function privatePath(target: string, suffix: '.tmp' | '.part' = '.tmp'): string {
  const dir = dirname(target);
  sweepDebris(dir);
  const unique = `${(++sequence).toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
  return join(dir, `.${basename(target)}.${process.pid}-${NAMESPACE}.${unique}${suffix}`);
}

/** The owner a private path's name gives, or undefined for any other name. */
export function privateOwner(name: string): { pid: number; namespace: string } | undefined {
  const m = PRIVATE.exec(name);
  return m ? { pid: Number(m[1]), namespace: m[2] } : undefined;
}

/**
 * Removes the private paths in `dir` whose owner, in this pid namespace, is no
 * longer running; returns their names. Done at most once per directory and
 * process; best effort (a directory that cannot be read is left as it is).
 */
export function sweepDebris(dir: string): string[] {
  if (swept.has(dir)) return [];
  swept.add(dir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const owner = privateOwner(name);
    if (!owner || owner.namespace !== NAMESPACE || NAMESPACE === 'unknown' || processAlive(owner.pid)) continue;
    try {
      rmSync(join(dir, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Another process may be removing it too.
    }
  }
  return removed;
}

function pidNamespace(): string {
  try {
    const id = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1];
    return id ? Number(id).toString(36) : 'unknown';
  } catch {
    return 'unknown';
  }
}
