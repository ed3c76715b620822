import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cachePath } from '../../common/cache-dir.js';

/**
 * The go command's own default GOPROXY, taken from a Go toolchain rather than
 * written into this repository: `go env GOPROXY` when a go command is on PATH,
 * else the `GOPROXY=` line of $GOROOT/go.env (Go 1.21+ ships its defaults
 * there) of a toolchain this project already assembled in its cache.
 */
export async function goDefaultGoproxy(): Promise<string | undefined> {
  const fromPath = await promisify(execFile)('go', ['env', 'GOPROXY'], { timeout: 10_000 }).then(
    (r) => r.stdout.trim(),
    () => '',
  );
  if (fromPath) return fromPath;
  for (const goEnvFile of await cachedGoEnvFiles()) {
    const line = (await readFile(goEnvFile, 'utf8').catch(() => '')).split('\n').find((l) => l.startsWith('GOPROXY='));
    if (line) return line.slice('GOPROXY='.length).trim();
  }
  return undefined;
}

/** go.env files of the Debian-assembled toolchains (toolchains/<version>/usr/lib/go-1.N/go.env), newest version first. */
async function cachedGoEnvFiles(): Promise<string[]> {
  const root = cachePath('toolchains');
  const versions = await readdir(root).catch(() => [] as string[]);
  versions.sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
  const files: string[] = [];
  for (const v of versions) {
    const lib = join(root, v, 'usr', 'lib');
    for (const goroot of await readdir(lib).catch(() => [] as string[])) {
      if (goroot.startsWith('go-')) files.push(join(lib, goroot, 'go.env'));
    }
  }
  return files;
}
