#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript compiled to dist/ by `npm run build` (done by scripts/setup.sh).
import { main } from '../dist/cli/offsets.js';
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
