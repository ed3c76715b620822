// Moved to agent/return-decoder.ts (the decoder thread is the agent's start-up
// machinery, not the reader's). Kept only while agent/target.ts imports it from
// here: delete this file once that import points at ../agent/return-decoder.js.
export { ReturnDecoder } from '../agent/return-decoder.js';
