#!/bin/sh
":" //; unset NODE_EXTRA_CA_CERTS; exec node --v8-pool-size=0 "$0" "$@"
// Launcher of `offsets`: runs the CommonJS bundle made by `npm run build` (scripts/build-bundles.mjs).
//
// This file is read twice: first by /bin/sh, for line 2 alone, then by Node, to which
// that line is a string and a comment. The shell line sets up the process for an offline
// CLI that starts often and runs for a fraction of a second:
// - NODE_EXTRA_CA_CERTS is dropped. Node 20 parses that bundle of certificates, and its own
//   roots, when it starts, before any script runs: 48 ms of a 77 ms start where a system
//   bundle is named (BENCHMARKS.md). `offsets` opens no connection; nothing it loads speaks
//   TLS (test/cli/launcher.test.ts checks the bundle).
// - --v8-pool-size=0 lets Node size V8's worker threads (concurrent compiling and collecting)
//   from the number of cores: one on two cores. Its default is four, which on two cores crowd
//   the main thread: `offsets dwarf --all` took 15 % longer (BENCHMARKS.md).
// Run as `node bin/offsets.cjs`, it starts as Node would, and does the same.
require('../dist/bundle/launch.js').launch('offsets');
