import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import { cacheRoot } from '../../common/cache-dir.js';
import { download } from '../../fetch/download.js';
import { FetchError } from '../../fetch/errors.js';
import { extractTar } from '../fetch/extract.js';
import { httpGetText, type HttpOptions } from '../../fetch/http.js';
import { silentProgress, type Progress } from '../progress.js';
import { SourceUnavailableError } from './errors.js';
import { hostArchive, parseGoDevIndex, type GoDevFile } from './go-dev-index.js';
import type { GoRelease, ReleaseSource } from './types.js';

/** The product's documented default: the official Go downloads page. */
export const DEFAULT_GO_MIRROR = 'https://go.dev/dl';

export interface GoDevSourceOptions {
  /** Base URL with the go.dev/dl layout. */
  mirror?: string;
  includePrereleases?: boolean;
  progress?: Progress;
  http?: HttpOptions;
  /** For the index only (default: `http`). */
  listHttp?: HttpOptions;
  cacheDir?: string;
}

/** Where a verified archive is unpacked: keyed by its sha256, so a re-published file gets a new dir. */
export function goDevGorootDir(sha256: string, cacheDir = cacheRoot()): string {
  return join(cacheDir, 'goroots', 'go.dev', sha256);
}

/**
 * Go releases from a go.dev/dl-style index. Listing reads only the index;
 * `obtain()` downloads the linux archive for this host, checks its sha256,
 * and unpacks it (once) into the cache. Releases without such an archive
 * (very old ones) are not listed.
 */
export class GoDevSource implements ReleaseSource {
  readonly name = 'go.dev';
  readonly mirror: string;
  constructor(private readonly opts: GoDevSourceOptions = {}) {
    this.mirror = (opts.mirror ?? DEFAULT_GO_MIRROR).replace(/\/+$/, '');
  }

  async list(): Promise<GoRelease[]> {
    const url = `${this.mirror}/?mode=json&include=all`;
    let text: string;
    try {
      text = await httpGetText(url, this.opts.listHttp ?? this.opts.http);
    } catch (err) {
      if (err instanceof FetchError) throw new SourceUnavailableError(this.name, err.message, { cause: err });
      throw err;
    }
    const releases: GoRelease[] = [];
    for (const r of parseGoDevIndex(text, url)) {
      if (!r.stable && !this.opts.includePrereleases) continue;
      const file = hostArchive(r);
      if (file) releases.push({ version: r.version, source: this.name, obtain: (signal) => this.obtain(file, signal) });
    }
    return releases;
  }

  private readonly inflight = new Map<string, Promise<{ goroot: string }>>();

  /** One download+extract per archive even when obtain() is called concurrently. */
  private obtain(file: GoDevFile, signal?: AbortSignal): Promise<{ goroot: string }> {
    let p = this.inflight.get(file.sha256);
    if (!p) {
      p = this.fetchAndUnpack(file, signal).finally(() => this.inflight.delete(file.sha256));
      this.inflight.set(file.sha256, p);
    }
    return p;
  }

  private async fetchAndUnpack(file: GoDevFile, signal?: AbortSignal): Promise<{ goroot: string }> {
    const dir = goDevGorootDir(file.sha256, this.opts.cacheDir);
    const goroot = join(dir, 'go');
    if (await stat(join(goroot, 'VERSION')).then(() => true, () => false)) return { goroot };
    const progress = this.opts.progress ?? silentProgress;
    const task = progress.task('download', 1);
    try {
      const archive = await download(`${this.mirror}/${file.filename}`, { ...this.opts.http, sha256: file.sha256, size: file.size, signal, cacheDir: this.opts.cacheDir });
      await extractTar(archive, dir);
      task.increment(file.filename);
    } finally {
      task.done();
    }
    if (!(await stat(join(goroot, 'VERSION')).then(() => true, () => false))) {
      throw new FetchError('ERR_EXTRACT', `archive has no go/VERSION`, `${this.mirror}/${file.filename}`);
    }
    return { goroot };
  }
}
