#!/usr/bin/env node
// Launcher of the agent, bundled as CommonJS into dist/agent-bundle by `npm run build`
// (done by scripts/setup.sh): see scripts/bundle-agent.mjs for why it is not ES modules.
require('../dist/agent-bundle/cli.js')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
