#!/bin/sh
":" //; unset NODE_EXTRA_CA_CERTS; exec node --v8-pool-size=1 "$0" "$@"
// Launcher of `offsets`: runs the CommonJS bundle made by `npm run build` (scripts/build-bundles.mjs).
//
// This file is read twice: first by /bin/sh, for line 2 alone, then by Node, to which
// that line is a string and a comment (keep it so: no `;` after the string, and no code
// line after it that starts with `(`, `[` or a backquote). The shell line sets up the
// process for an offline CLI that starts often and runs for a fraction of a second:
// - NODE_EXTRA_CA_CERTS is dropped. Node 20 parses that bundle of certificates, and its own
//   roots, when it starts, before any script runs: 48 ms of a 77 ms start where a system
//   bundle is named (BENCHMARKS.md). `offsets` opens no connection; nothing it loads speaks
//   TLS (test/cli/launcher.test.ts checks the bundle). Code preloaded through NODE_OPTIONS
//   runs without it too.
// - --v8-pool-size=1: one V8 worker thread (concurrent compiling and collecting) instead of
//   Node's default four, which on two cores crowd the main thread: `offsets dwarf --all` took
//   15 % longer (BENCHMARKS.md). Not 0, which means a thread per core but one: 63 on a large
//   host, however few of its cores a container may use.
// Run as `node bin/offsets.cjs`, it starts as Node would, and does the same.
require('../dist/bundle/launch.js').launch('offsets');
