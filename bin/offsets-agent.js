#!/usr/bin/env node
// Thin launcher: the agent is TypeScript compiled to dist/ by `npm run build` (done by scripts/setup.sh).
import { main } from '../dist/agent/cli.js';
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
