import { GoOffsetsError } from '../common/errors.js';

/** Why the agent refused to run or stopped; the message names what was wrong and for which target. */
export type AgentErrorCode =
  | 'ERR_AGENT_USAGE' // bad command line
  | 'ERR_AGENT_TARGET' // the executable or pid cannot be read
  | 'ERR_AGENT_ABI' // the target predates Go's register ABI
  | 'ERR_AGENT_ARCH' // the target's arch has no eBPF object, or is not this machine's
  | 'ERR_AGENT_GO_VERSION' // the target's Go version cannot be read or parsed
  | 'ERR_AGENT_FUNCTION' // a probed function is missing from the target
  | 'ERR_AGENT_OFFSET' // a needed struct field offset is unknown or absent
  | 'ERR_AGENT_TABLE' // the offsets table cannot be loaded
  | 'ERR_AGENT_BPF'; // loading or attaching the eBPF programs failed

export class AgentError extends GoOffsetsError {
  declare readonly code: AgentErrorCode;
  constructor(code: AgentErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
