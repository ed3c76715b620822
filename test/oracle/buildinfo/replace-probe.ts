// The one thing the shared probe fixture (test/fixtures/probe, test/support/probes.ts) does
// not have: a module dependency, replaced with a `=>` directive. This directory's probe/
// requires example.com/goffsets/dep through a directory replace; it is built (plain, amd64,
// like the shared probes so the toolchain's build cache is reused) once per toolchain into
// cacheRoot()/reader-probes/<version>/<source hash>/replace/probe, for the buildinfo tests.
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachePath } from '../../../common/cache-dir.js';
import { goBuildOnce, type Toolchain } from '../../support/toolchains.js';

const probeDir = join(dirname(fileURLToPath(import.meta.url)), 'probe');

async function sourceHash(): Promise<string> {
  const h = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else h.update(relative(probeDir, p)).update('\0').update(await readFile(p)).update('\0');
    }
  };
  await walk(probeDir);
  return h.digest('hex').slice(0, 16);
}

/** The replace probe built by `tc` (cached); its path. */
export async function replaceProbe(tc: Toolchain): Promise<string> {
  const out = cachePath('reader-probes', tc.version, await sourceHash(), 'replace', 'probe');
  const minor = Number(tc.minor.split('.')[1]);
  return goBuildOnce(tc, out, {
    cwd: probeDir,
    args: minor >= 18 ? ['-buildvcs=false'] : [],
    env: { GOOS: 'linux', GOARCH: 'amd64', CGO_ENABLED: '0' },
    what: 'the replace probe',
  });
}
