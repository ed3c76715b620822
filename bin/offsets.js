#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript compiled to dist/ by `npm run build` (done by scripts/setup.sh).
import { main } from '../dist/cli/offsets.js';
// A reader that stops early (`offsets dwarf BIN --all | head`) closes the pipe: that ends the output, it is not a crash.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
