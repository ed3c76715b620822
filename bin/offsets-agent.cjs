#!/usr/bin/env node
// Launcher of the agent: runs the CommonJS bundle made by `npm run build` (scripts/build-bundles.mjs).
//
// The decoder thread starts before the agent is even loaded: booting a Node thread and
// loading iced-x86 is the longest part of a first start, and it runs on another core
// while this one loads the agent and reads the target; the agent then asks it for the
// end sites (agent/return-decoder.ts). When the target's inspection is cached, the agent
// closes the thread at once.
const { ReturnDecoder } = require('../dist/bundle/return-decoder.js');
const decoder = new ReturnDecoder();
require('../dist/bundle/launch.js').launch('offsets-agent', decoder);
