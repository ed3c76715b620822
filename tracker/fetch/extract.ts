import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { FetchError } from '../../fetch/errors.js';

/**
 * True when `p` (a relative archive path, or a link target resolved against
 * `fromDir`) stays inside the extraction root.
 */
function staysInside(fromDir: string, p: string): boolean {
  if (isAbsolute(p) || p.startsWith('/')) return false;
  const resolved = posix.normalize(posix.join(fromDir, p));
  return resolved !== '..' && !resolved.startsWith('../') && !posix.isAbsolute(resolved);
}

/** Why an entry is unsafe, or undefined when it is fine. */
export function unsafeEntryReason(entry: { path: string; type: string; linkpath?: string }): string | undefined {
  const path = entry.path.replace(/\\/g, '/');
  if (!staysInside('.', path)) return `entry ${JSON.stringify(entry.path)} points outside the target`;
  if (entry.type === 'SymbolicLink' && !staysInside(posix.dirname(path), entry.linkpath ?? '')) {
    return `symlink ${JSON.stringify(entry.path)} -> ${JSON.stringify(entry.linkpath)} points outside the target`;
  }
  if (entry.type === 'Link' && !staysInside('.', entry.linkpath ?? '')) {
    return `hard link ${JSON.stringify(entry.path)} -> ${JSON.stringify(entry.linkpath)} points outside the target`;
  }
  return undefined;
}

/**
 * Extracts a (gzipped) tar archive into `target`, which must not exist yet.
 * Everything is unpacked into a sibling temp dir that is renamed into place
 * only when the whole archive was read and no entry or link points outside
 * it; otherwise the temp dir is removed and ERR_UNSAFE_ARCHIVE / ERR_EXTRACT
 * is thrown. If another process finished `target` first, its copy is kept.
 */
export async function extractTar(archive: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await mkdir(tmp);
  try {
    let unsafe: string | undefined;
    try {
      // node-tar's synchronous unpacker, fed chunk by chunk (see debian/deb.ts for why); it
      // recognises gzip by its magic bytes.
      await pipeline(createReadStream(archive), new tar.UnpackSync({
        cwd: tmp,
        strict: true,
        preserveOwner: false,
        filter: (_path, entry) => {
          if (unsafe) return false;
          const e = entry as unknown as { path: string; type: string; linkpath?: string };
          unsafe = unsafeEntryReason(e);
          return unsafe === undefined;
        },
      }));
    } catch (err) {
      if (unsafe) throw new FetchError('ERR_UNSAFE_ARCHIVE', unsafe, archive);
      throw new FetchError('ERR_EXTRACT', `cannot unpack: ${err instanceof Error ? err.message : String(err)}`, archive, { cause: err });
    }
    if (unsafe) throw new FetchError('ERR_UNSAFE_ARCHIVE', unsafe, archive);
    try {
      await rename(tmp, target);
    } catch (err) {
      // Lost a race with another process extracting the same archive: theirs is complete.
      if (!(await stat(target).then(() => true, () => false))) throw err;
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

