// Time to get a Go toolchain from the Debian archive: cold (empty cache: index,
// download, extraction), with the .debs already downloaded (extraction only), and
// fully cached (what every test run after the first pays).
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debianMirror } from '../debian/mirror.js';
import { ensureDebianToolchain, listDebianGoPackages, newestPerMinor } from '../debian/go-toolchains.js';

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await f();
  return [v, performance.now() - t];
}

export async function run(): Promise<void> {
  const mirror = await debianMirror();
  const saved = process.env.GO_OFFSETS_CACHE;
  const scratch = await mkdtemp(join(tmpdir(), 'go-offsets-bench-debian-'));
  try {
    // Cold: a fresh cache root, so the index and both .debs are fetched too.
    process.env.GO_OFFSETS_CACHE = join(scratch, 'cold');
    const [pkgs, listMs] = await timed(() => listDebianGoPackages({ mirror, suites: ['sid'] }));
    const pkg = newestPerMinor(pkgs).at(-1)!;
    const [tc, coldMs] = await timed(() => ensureDebianToolchain(pkg));
    const mb = (pkg.go.size + pkg.src.size) / 1e6;

    // Debs cached: only extraction and the go version check.
    process.env.GO_OFFSETS_CACHE = join(scratch, 'debs');
    await cp(join(scratch, 'cold', 'debian', 'debs'), join(scratch, 'debs', 'debian', 'debs'), { recursive: true });
    const [, extractMs] = await timed(() => ensureDebianToolchain(pkg));

    // Fully cached: the marker next to the GOROOT is read and trusted.
    const [, cachedMs] = await timed(() => ensureDebianToolchain(pkg));

    console.log(`toolchain: ${tc.version} (${pkg.go.package} ${pkg.debVersion}, ${mb.toFixed(1)} MB of .debs)`);
    console.log(`sid index, cold:            ${listMs.toFixed(0)} ms`);
    console.log(`assemble, cold:             ${coldMs.toFixed(0)} ms (download + extract + check)`);
    console.log(`assemble, .debs cached:     ${extractMs.toFixed(0)} ms (${(coldMs / extractMs).toFixed(1)}x faster than cold)`);
    console.log(`assemble, fully cached:     ${cachedMs.toFixed(1)} ms (${(coldMs / cachedMs).toFixed(0)}x faster than cold)`);
  } finally {
    if (saved === undefined) delete process.env.GO_OFFSETS_CACHE;
    else process.env.GO_OFFSETS_CACHE = saved;
    await rm(scratch, { recursive: true, force: true });
  }
}
