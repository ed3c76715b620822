// Shared setup of the tracker tests: the std part of the default config, and temp dirs.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfigPath, loadConfig, type TrackerConfig } from '../../tracker/config.js';
import { matrixToolchains, type Toolchain } from '../support/toolchains.js';

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `tracker-${prefix}-`));
}

/** The default config restricted to std: written to `dir`, and loaded. */
export async function stdConfig(dir: string): Promise<{ path: string; config: TrackerConfig }> {
  const doc = JSON.parse(await readFile(defaultConfigPath, 'utf8')) as { modules: { module: string }[] };
  doc.modules = doc.modules.filter((m) => m.module === 'std');
  const path = join(dir, 'config.json');
  await writeFile(path, JSON.stringify(doc));
  return { path, config: await loadConfig(path) };
}

/** The real test matrix; fails (never skips) when it cannot be assembled. */
export async function matrix(): Promise<Toolchain[]> {
  const tcs = await matrixToolchains();
  if (!tcs.length) throw new Error('the test toolchain matrix is empty: test/support/toolchains.ts matrixToolchains() found no Go toolchain');
  return tcs;
}

export const dirSources = (tcs: Toolchain[]) => tcs.map((t) => `dir:${t.goroot}`);
