// The entry of ReturnDecoder's thread (return-decoder.ts), run from the
// bundle (dist/bundle/, scripts/build-bundles.mjs). The decoder's own code is
// a bundle of its own, return-decoder-worker.js, compiled from the V8 code
// cache saved next to it: a Worker's entry file is compiled from scratch, and
// this one is a few lines (5-10 ms less of a first start).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort } from 'node:worker_threads';
import { requireWithCodeCache } from '../common/code-cache.js';

const here = dirname(fileURLToPath(import.meta.url));
const decoder = requireWithCodeCache(join(here, 'return-decoder-worker.js'), here) as typeof import('./return-decoder-worker.js');
decoder.serve(parentPort!);
