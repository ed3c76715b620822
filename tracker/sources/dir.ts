import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseGoVersion } from '../../offsets/go-version.js';
import { SourceError, SourceUnavailableError } from './errors.js';
import type { GoRelease, ReleaseSource } from './types.js';

/** The Go version of a GOROOT (first line of VERSION), or undefined when `dir` is not one. */
export async function readGorootVersion(dir: string): Promise<string | undefined> {
  const text = await readFile(join(dir, 'VERSION'), 'utf8').catch(() => undefined);
  const first = text?.split('\n')[0].trim();
  return first && /^go\d/.test(first) ? first : undefined;
}

/**
 * Existing GOROOTs: `path` is one GOROOT, or a directory whose subdirectories
 * are GOROOTs (others are ignored). Nothing is copied; obtain() returns the path.
 */
export class DirSource implements ReleaseSource {
  readonly name: string;
  readonly path: string;
  constructor(path: string, private readonly opts: { includePrereleases?: boolean } = {}) {
    this.path = resolve(path);
    this.name = `dir:${path}`;
  }

  async list(): Promise<GoRelease[]> {
    const st = await stat(this.path).catch(() => undefined);
    if (!st?.isDirectory()) throw new SourceUnavailableError(this.name, `not a directory: ${this.path}`);
    const found: { version: string; goroot: string }[] = [];
    const own = await readGorootVersion(this.path);
    if (own) found.push({ version: own, goroot: this.path });
    else {
      for (const e of (await readdir(this.path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
        if (!e.isDirectory() && !e.isSymbolicLink()) continue;
        const goroot = join(this.path, e.name);
        const version = await readGorootVersion(goroot);
        if (version) found.push({ version, goroot });
      }
    }
    if (found.length === 0) throw new SourceError('ERR_NOT_GOROOT', `${this.path} is neither a GOROOT (no VERSION file) nor a directory of GOROOTs`);
    return found
      .filter((f) => this.opts.includePrereleases || !isPrerelease(f.version))
      .map((f) => ({ version: f.version, source: 'dir', obtain: async () => ({ goroot: f.goroot }) }));
  }
}

/** go1.22rc1, go1.21beta2 (as offsets/ parses Go versions; anything unparsable is not one). */
export function isPrerelease(goVersion: string): boolean {
  try {
    return parseGoVersion(goVersion).pre !== undefined;
  } catch {
    return false;
  }
}
