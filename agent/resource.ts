import { readFileSync, realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { packagePath } from '../common/package-root.js';

/** The executable being traced, as the agent saw it once inspected. */
export interface TracedExecutable {
  /** Absolute path: the --exe file, or where /proc/PID/exe points. */
  path: string;
  /** From the target's buildinfo, e.g. go1.22.12. */
  goVersion: string;
}

/**
 * The absolute path of the executable behind `binaryPath` (an --exe path, or
 * /proc/PID/exe, whose link this follows); `binaryPath` itself when it cannot
 * be resolved (the file was deleted since the process started).
 */
export function executablePath(binaryPath: string): string {
  try {
    return realpathSync(binaryPath);
  } catch {
    return binaryPath;
  }
}

/** telemetry.distro.name: this agent, which exports through the OpenTelemetry JS SDK. */
export const DISTRO_NAME = 'offsets-agent';

/** This agent's version (package.json): telemetry.distro.version and the instrumentation scope's version. */
export function agentVersion(): string {
  return (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The resource attributes the agent knows for one traced process. service.name
 * is the executable's base name, as OpenTelemetry's own SDKs default it; the
 * OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES variables override any of
 * these (the SDK's envDetector, merged on top in otlp-sink.ts).
 */
export function processResourceAttributes(exe: TracedExecutable, pid: number, distroVersion: string): Record<string, string | number> {
  const name = basename(exe.path);
  return {
    'service.name': name,
    'process.pid': pid,
    'process.executable.name': name,
    'process.executable.path': exe.path,
    'process.runtime.name': 'go',
    'process.runtime.version': exe.goVersion,
    'telemetry.distro.name': DISTRO_NAME,
    'telemetry.distro.version': distroVersion,
  };
}
