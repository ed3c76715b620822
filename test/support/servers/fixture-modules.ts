import { readdir, readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';
import semver from 'semver';

/** test/fixtures/modules: fixture Go modules laid out as <module path>/@v/<version>/<files>. */
export const fixtureModulesDir = fileURLToPath(new URL('../../fixtures/modules', import.meta.url));

export interface FixtureModule {
  module: string;
  /** Semver-ascending. */
  versions: string[];
  /** Directory of one version's files. */
  dir(version: string): string;
}

/** Every module under `modulesDir` (a directory laid out like test/fixtures/modules). */
export async function readFixtureModules(modulesDir = fixtureModulesDir): Promise<Map<string, FixtureModule>> {
  const out = new Map<string, FixtureModule>();
  const walk = async (dir: string): Promise<void> => {
    const names = await readdir(dir);
    if (names.includes('@v')) {
      const module = relative(modulesDir, dir).split('\\').join('/');
      const versions = (await readdir(join(dir, '@v'))).filter((v) => semver.valid(v)).sort(semver.compare);
      out.set(module, { module, versions, dir: (v) => join(dir, '@v', v) });
      return;
    }
    for (const n of names) if ((await stat(join(dir, n))).isDirectory()) await walk(join(dir, n));
  };
  await walk(modulesDir);
  return out;
}

/** Every file of one version, relative paths with '/' separators, sorted. */
export async function moduleFiles(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (d: string): Promise<void> => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.set(relative(dir, p).split('\\').join('/'), await readFile(p));
    }
  };
  await walk(dir);
  return out;
}
