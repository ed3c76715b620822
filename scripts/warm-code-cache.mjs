// Run by build-bundles.mjs, once per CLI bundle, in a process of its own whose
// output is discarded (the CLIs write straight to file descriptors 1 and 2,
// common/stdio.ts): loads the bundle for a V8 code cache, runs the warm-up
// command lines given as JSON, then saves the cache next to the bundle.
//   node scripts/warm-code-cache.mjs BUNDLE CACHE_DIR '[["--help"], ...]'
import { compileForCodeCache } from '../dist/common/code-cache.js';

const [bundle, cacheDir, warmUp] = process.argv.slice(2);
const compiled = compileForCodeCache(bundle);
// What a run answers does not matter here (a lookup may find no table): only what it compiled.
for (const argv of JSON.parse(warmUp)) await compiled.exports.main(argv);
compiled.save(cacheDir);
process.exitCode = 0;
