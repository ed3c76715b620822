import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { fixtureModulesDir, readFixtureModules } from './fixture-modules.js';

export interface FixtureGitRepo {
  /** Local path of the repository (usable as a git URL). */
  path: string;
  /** Tags created, in creation order. */
  tags: string[];
  remove(): Promise<void>;
}

/**
 * A git repository, in a fresh temp dir, holding one fixture module's history:
 * one commit per version (semver order) tagged `<subdir>/<version>` (or just
 * `<version>`), plus `extraTags` (e.g. non-semver tags) on the last commit.
 */
export async function createFixtureGitRepo(opts: { module: string; subdir?: string; extraTags?: string[]; modulesDir?: string }): Promise<FixtureGitRepo> {
  const mod = (await readFixtureModules(opts.modulesDir ?? fixtureModulesDir)).get(opts.module);
  if (!mod) throw new Error(`no fixture module ${opts.module} under ${opts.modulesDir ?? fixtureModulesDir}`);
  const path = await mkdtemp(join(tmpdir(), 'go-offsets-git-'));
  const git = simpleGit(path);
  await git.init(['--initial-branch=main']);
  await git.addConfig('user.name', 'go-offsets tests').addConfig('user.email', 'tests@example.invalid').addConfig('commit.gpgsign', 'false');
  const work = opts.subdir ? join(path, opts.subdir) : path;
  const tags: string[] = [];
  for (const version of mod.versions) {
    await mkdir(work, { recursive: true });
    for (const name of await readdir(work)) if (name !== '.git') await rm(join(work, name), { recursive: true, force: true });
    await cp(mod.dir(version), work, { recursive: true });
    await git.add(['-A', '.']);
    await git.commit(`${opts.module} ${version}`, undefined, { '--allow-empty': null });
    const tag = opts.subdir ? `${opts.subdir}/${version}` : version;
    await git.addTag(tag);
    tags.push(tag);
  }
  for (const t of opts.extraTags ?? []) {
    await git.addTag(t);
    tags.push(t);
  }
  return { path, tags, remove: () => rm(path, { recursive: true, force: true }) };
}
