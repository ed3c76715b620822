#!/usr/bin/env node
// Thin launcher: the tracker is TypeScript compiled to dist/ by `npm run build` (done by scripts/setup.sh).
import { main } from '../dist/tracker/cli.js';
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
