// The Go runtime settings of every go command this project runs (the tracker's,
// the Debian module builds', the test fixtures'): the go command passes its
// environment on to compile, asm and link, so these reach every Go process.
import { availableParallelism } from 'node:os';
import { GoOffsetsError } from './errors.js';

export type GoRuntimeEnvErrorCode = 'ERR_GO_PROCS';

/** A GO_OFFSETS_GO_PROCS that is not a whole number of cores (bad input: exit 1). */
export class GoRuntimeEnvError extends GoOffsetsError {
  declare readonly code: GoRuntimeEnvErrorCode;
  constructor(code: GoRuntimeEnvErrorCode, message: string) {
    super(code, message);
  }
}

/**
 * GOGC: the compiler spends much of its time collecting garbage, and collecting
 * less often saves about a tenth of its CPU time (measured: 37.7 s → 33.5 s user
 * for a net/http program) for memory the machine has. It changes no output and
 * no cache key.
 */
const GO_COMPILER_GOGC = '400';

/**
 * GOMAXPROCS of each go command, when several run side by side (unset: Go's
 * default, every core). The go command's -p, the compiler's backend concurrency
 * (-c) and the collector's idle mark workers all follow GOMAXPROCS, and on
 * cores that other builds already fill, those extra threads are overhead:
 * measured with go1.24, four cold builds of a net/http program side by side on
 * two cores took 119.6 s with the default and 97.4 s with GOMAXPROCS=1 (58.5 s
 * and 47.6 s of CPU each). It changes no output and no cache key.
 */
export const GO_PROCS_ENV = 'GO_OFFSETS_GO_PROCS';

function goProcs(): number | undefined {
  const value = process.env[GO_PROCS_ENV];
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new GoRuntimeEnvError('ERR_GO_PROCS', `${GO_PROCS_ENV} must be a whole number of cores, 1 or more; it is "${value}"`);
  return n;
}

/** GOGC, and GOMAXPROCS when GO_OFFSETS_GO_PROCS sets it, for a go command's environment. */
export function goRuntimeEnv(): Record<string, string> {
  const procs = goProcs();
  return { GOGC: GO_COMPILER_GOGC, ...(procs === undefined ? {} : { GOMAXPROCS: String(procs) }) };
}

/** How many go commands it takes to fill the machine's cores: 1 with Go's default GOMAXPROCS. */
export function goCommandsToFillCores(): number {
  const procs = goProcs();
  return procs === undefined ? 1 : Math.max(1, Math.floor(availableParallelism() / procs));
}

/** GO_OFFSETS_GO_PROCS for `sideBySide` go commands at once: the cores shared out, unless the user set it (checked here). */
export function shareCoresAmong(sideBySide: number): void {
  if (goProcs() !== undefined || sideBySide <= 1) return;
  process.env[GO_PROCS_ENV] = String(Math.max(1, Math.floor(availableParallelism() / sideBySide)));
}
