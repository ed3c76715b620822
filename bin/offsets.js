#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript compiled to dist/ by `npm run build` (done by scripts/setup.sh).
import { main, reportError } from '../dist/cli/offsets.js';
// A reader that stops early (`offsets dwarf BIN --all | head`) closes the pipe: that ends the output, it is not a crash.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
// Exit explicitly once main is done: Node 20's own exit path, when the event loop runs dry,
// can deadlock in NodePlatform::DrainTasks (nodejs/node#54918, seen in this project's test runs,
// fixed upstream after 20.20.2); process.exit skips that path. It runs
// once what was written has been flushed (a pipe may still hold queued writes).
const exit = (code) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
main(process.argv.slice(2)).then(exit, (err) => exit(reportError('offsets', err)));
