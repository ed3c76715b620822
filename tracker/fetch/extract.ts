import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { privatePath } from '../../common/private-path.js';
import { untar, UnsafeTarEntry } from '../../common/untar.js';
import { FetchError } from '../../fetch/errors.js';

/**
 * Extracts a (gzipped) tar archive into `target`, which must not exist yet.
 * Everything is unpacked into a sibling temp dir that is renamed into place
 * only when the whole archive was read and no entry or link points outside
 * it; otherwise the temp dir is removed and ERR_UNSAFE_ARCHIVE / ERR_EXTRACT
 * is thrown. If another process finished `target` first, its copy is kept.
 */
export async function extractTar(archive: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const tmp = privatePath(target);
  await mkdir(tmp);
  try {
    try {
      await untar(createReadStream(archive), tmp);
    } catch (err) {
      if (err instanceof UnsafeTarEntry) throw new FetchError('ERR_UNSAFE_ARCHIVE', err.message, archive);
      throw new FetchError('ERR_EXTRACT', `cannot unpack: ${err instanceof Error ? err.message : String(err)}`, archive, { cause: err });
    }
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

