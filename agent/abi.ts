import { isGoVersion, parseGoVersion } from '../offsets/go-version.js';
import { AgentError } from './errors.js';

/** The first Go minor with the register ABI (ABIInternal) on each arch. */
const REGISTER_ABI_SINCE: Record<string, number> = { amd64: 17, arm64: 18 };

/** The eBPF programs read arguments from registers: refuse targets that pass them on the stack. */
export function requireRegisterAbi(goVersion: string, arch: string): void {
  const v = isGoVersion(goVersion) ? parseGoVersion(goVersion) : undefined;
  if (!v || !Number.isFinite(v.major)) throw new AgentError('ERR_AGENT_GO_VERSION', `cannot tell the target's Go version from its buildinfo ("${goVersion}")`);
  const since = REGISTER_ABI_SINCE[arch];
  if (since === undefined) throw new AgentError('ERR_AGENT_ARCH', `the target is built for ${arch}: the agent supports amd64 and arm64`);
  if (v.major === 1 && v.minor < since) {
    throw new AgentError(
      'ERR_AGENT_ABI',
      `refusing to attach: the target is built with ${goVersion}, which passes arguments on the stack (ABI0); ` +
        `the agent reads them from registers and needs Go's register ABI (ABIInternal), go1.${since} or later on ${arch}`,
    );
  }
}

/** This machine's arch, in Go's words. */
export function hostArch(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch;
}
