import type { Run, RunValue } from './format.js';

/**
 * Compresses per-version values (in the module's version order; `undefined`
 * = not scanned) into maximal runs of equal values. A gap always ends a run.
 */
export function compressRuns(versions: readonly string[], values: readonly (RunValue | undefined)[]): Run[] {
  const runs: Run[] = [];
  let start = -1;
  for (let i = 0; i <= values.length; i++) {
    const continues = i < values.length && start >= 0 && values[i] === values[start];
    if (continues) continue;
    if (start >= 0) runs.push([versions[start], versions[i - 1], values[start]!]);
    start = i < values.length && values[i] !== undefined ? i : -1;
  }
  return runs;
}

/** The inverse of compressRuns: one value (or undefined) per version. `indexOf` maps a version to its position. */
export function expandRuns(runs: readonly Run[], length: number, indexOf: (version: string) => number): (RunValue | undefined)[] {
  const values: (RunValue | undefined)[] = new Array(length).fill(undefined);
  for (const [first, last, value] of runs) {
    for (let i = indexOf(first), end = indexOf(last); i <= end; i++) values[i] = value;
  }
  return values;
}
