// Runs the real `offsets` CLI from the sources (no build needed): node --import tsx test/offsets/cli-runner.ts ARGS
import { main } from '../../cli/offsets.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
