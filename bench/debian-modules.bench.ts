// Debian module source: a cached rerun of the whole default config (time, .debs
// downloaded), and per build the import-graph fetch against the blind Depends
// closure (package count and bytes, from the indexes' Size fields, which are
// exactly what fetching those .debs downloads). The cold first run is measured
// with the standalone CLI (see BENCHMARKS.md).
import { debianMirror } from '../debian/mirror.js';
import { fetchBytes } from '../debian/http.js';
import { loadConfig } from '../tracker/config.js';
import { dependsClosure } from '../tracker/debian-modules/depends.js';
import { suitePackages } from '../tracker/debian-modules/discover.js';
import { debianModuleObservations } from '../tracker/debian-modules/observe.js';

const SUITES = ['bullseye', 'bookworm', 'bookworm-backports', 'trixie', 'sid'];
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

export async function run(): Promise<void> {
  const mirror = await debianMirror({ override: process.env.GO_OFFSETS_DEBIAN_MIRROR });
  const config = await loadConfig();
  const t0 = performance.now();
  const res = await debianModuleObservations({ config, mirror, suites: SUITES });
  const seconds = (performance.now() - t0) / 1000;
  // What a rerun still fetches: each suite's InRelease (the Packages indexes are cached by sha256).
  let releaseBytes = 0;
  for (const s of SUITES) releaseBytes += (await fetchBytes(`${mirror}/dists/${s}/InRelease`)).length;
  console.log(`cached rerun: ${seconds.toFixed(1)} s, ${res.builds.length} builds (${res.builds.filter((b) => b.fromCache).length} from cache), ${res.observations.length} observations`);
  console.log(`  .debs downloaded: ${res.fetch.downloaded} (${res.fetch.downloadedBytes} bytes); index traffic: ${SUITES.length} InRelease files, ${mb(releaseBytes)}`);

  const all = await suitePackages(mirror, SUITES);
  console.log('\n| suite | package | import-graph fetch: packages / bytes | full Depends closure: packages / bytes |');
  console.log('|---|---|---|---|');
  let graphBytes = 0;
  let closureBytes = 0;
  for (const b of res.builds) {
    const pkgs = all.find((p) => p.suite === b.suite)!;
    const closure = dependsClosure(pkgs, pkgs.byName.get(b.package)!);
    const used = b.chosen.reduce((n, c) => n + c.size, 0);
    const rejected = b.rejected.reduce((n, name) => n + (pkgs.byName.get(name)?.size ?? 0), 0);
    const full = closure.reduce((n, c) => n + c.size, 0);
    graphBytes += used + rejected;
    closureBytes += full;
    console.log(`| ${b.suite} | ${b.package} ${b.debVersion} | ${b.chosen.length}${b.rejected.length ? ` (+${b.rejected.length} looked into)` : ''} / ${mb(used + rejected)} | ${closure.length} / ${mb(full)} |`);
  }
  console.log(`\ntotal: import-graph ${mb(graphBytes)}, full closures ${mb(closureBytes)} (per build, before sharing between builds)`);
}
