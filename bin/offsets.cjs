#!/usr/bin/env node
// Launcher of `offsets`: runs the CommonJS bundle made by `npm run build` (scripts/build-bundles.mjs).
// A reader that stops early (`offsets dwarf BIN --all | head`) closes the pipe: that ends the output, it is not a crash.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
require('../dist/bundle/launch.js').launch('offsets');
