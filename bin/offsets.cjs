#!/usr/bin/env node
// Launcher of `offsets`: runs the CommonJS bundle made by `npm run build` (scripts/build-bundles.mjs).
require('../dist/bundle/launch.js').launch('offsets');
