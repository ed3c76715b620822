// Time to get a Go toolchain from the Debian archive: cold (empty cache: index,
// download, extraction), with the .debs already downloaded (extraction only), and
// fully cached (what every test run after the first pays). Then the unpacking of
// the -src package alone (the most files), by extractDeb against node-tar's
// asynchronous unpacker on the same bytes, and GNU tar, in the same run.
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { readArMembers } from '../debian/ar.js';
import { extractDeb, fetchDeb } from '../debian/deb.js';
import { decompressStream } from '../debian/decompress.js';
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
    await unpackSrc(await fetchDeb(mirror, pkg.src), pkg.src.package, scratch);
  } finally {
    if (saved === undefined) delete process.env.GO_OFFSETS_CACHE;
    else process.env.GO_OFFSETS_CACHE = saved;
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The -src .deb unpacked three ways, each into an empty directory, twice each in turn. */
async function unpackSrc(deb: string, name: string, scratch: string): Promise<void> {
  const data = await readFile(deb);
  const member = readArMembers(data, deb).find((m) => m.name.startsWith('data.tar'))!;
  const raw = data.subarray(member.offset, member.offset + member.size);
  const ways: [string, (dir: string) => Promise<unknown>][] = [
    ['extractDeb (node-tar UnpackSync, fed chunk by chunk)', (dir) => extractDeb(deb, dir)],
    ["node-tar's asynchronous Unpack (reference)", (dir) => pipeline(decompressStream(raw, 'xz'), tar.x({ cwd: dir, preserveOwner: false, strict: true }))],
    ['GNU tar (dpkg-deb --fsys-tarfile | tar -x)', async (dir) => execFileSync('sh', ['-c', `dpkg-deb --fsys-tarfile "$0" | tar -x -C "$1"`, deb, dir])],
  ];
  const times = ways.map(() => [] as number[]);
  for (let round = 0; round < 2; round++) {
    for (const [i, [, unpack]] of ways.entries()) {
      const dir = await mkdtemp(join(scratch, 'unpack-'));
      times[i].push((await timed(() => unpack(dir)))[1]);
      await rm(dir, { recursive: true, force: true });
    }
  }
  const files = execFileSync('sh', ['-c', `dpkg-deb --fsys-tarfile "$0" | tar -t | wc -l`, deb], { encoding: 'utf8' }).trim();
  console.log(`\nunpacking ${name} (${files} entries), best of 2:`);
  const best = times.map((t) => Math.min(...t));
  ways.forEach(([what], i) => console.log(`  ${what}: ${best[i].toFixed(0)} ms (${(best[i] / best[1]).toFixed(2)}x the reference)`));
}
