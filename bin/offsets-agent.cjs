#!/usr/bin/env node
// Launcher of the agent, bundled as CommonJS into dist/agent-bundle by `npm run build`
// (done by scripts/setup.sh): see scripts/bundle-agent.mjs for why it is not ES modules.
//
// The decoder thread starts before the agent is even loaded: booting a Node thread and
// loading iced-x86 is the longest part of a first start, and it runs on another core
// while this one loads and runs the rest. When the target's inspection is cached, the
// agent closes the thread at once.
const { ReturnDecoder } = require('../dist/agent-bundle/return-decoder.js');
const decoder = new ReturnDecoder();
const cli = require('../dist/agent-bundle/cli.js');
const exit = (code) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
cli
  .main(process.argv.slice(2), decoder)
  // Exit explicitly: Node 20's exit path can deadlock in NodePlatform::DrainTasks when the event
  // loop runs dry (nodejs/node#54918, fixed upstream after 20.20.2); process.exit skips it. It runs
  // once what was written has been flushed (a pipe may still hold queued writes).
  .then(exit, (err) => exit(cli.reportError('offsets-agent', err)));
