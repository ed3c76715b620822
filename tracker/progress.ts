/** Progress reporting for the tracker: bars on a TTY, plain lines otherwise. */

export type TaskKind = 'download' | 'build';

export interface ProgressTask {
  /** One unit done; `label` names it (a file, a version). */
  increment(label?: string): void;
  done(): void;
}

export interface Progress {
  task(kind: TaskKind, total: number): ProgressTask;
  /** A line of text that must not be garbled by the bars. */
  log(line: string): void;
  /** Stops the bars (idempotent). */
  stop(): void;
}
