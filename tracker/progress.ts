import cliProgress from 'cli-progress';

/** Progress reporting for the tracker: bars with counts and ETA on a TTY, plain lines otherwise (CI). */

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

export interface ProgressOptions {
  /** Bars when true, lines when false; default: whether `stream` is a TTY. */
  tty?: boolean;
  /** Default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

export function createProgress(opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  const tty = opts.tty ?? Boolean(stream.isTTY);
  return tty ? barProgress(stream) : lineProgress(stream);
}

/** A Progress that says nothing (library use, tests of other parts). */
export const silentProgress: Progress = {
  task: () => ({ increment() {}, done() {} }),
  log() {},
  stop() {},
};

function lineProgress(stream: NodeJS.WritableStream): Progress {
  return {
    task(kind, total) {
      let count = 0;
      let finished = false;
      return {
        increment(label) {
          count++;
          stream.write(`${kind} ${count}/${total}${label ? ` ${label}` : ''}\n`);
        },
        done() {
          if (finished) return;
          finished = true;
          stream.write(`${kind} done: ${count}/${total}\n`);
        },
      };
    },
    log: (line) => void stream.write(`${line}\n`),
    stop() {},
  };
}

function barProgress(stream: NodeJS.WritableStream): Progress {
  const bars = new cliProgress.MultiBar(
    {
      stream: stream as NodeJS.WritableStream & { isTTY: boolean },
      format: '{kind} [{bar}] {value}/{total} | ETA {eta_formatted} | {label}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      // Write even when the stream does not claim to be a TTY: the caller asked for bars.
      noTTYOutput: true,
      notTTYSchedule: 1000,
    },
    cliProgress.Presets.shades_classic,
  );
  let stopped = false;
  return {
    task(kind, total) {
      const bar = bars.create(total, 0, { kind: kind.padEnd(8), label: '' });
      let finished = false;
      return {
        increment(label) {
          bar.increment(1, { label: label ?? '' });
        },
        done() {
          if (finished) return;
          finished = true;
          bar.stop();
        },
      };
    },
    log(line) {
      // Without live bars, write straight through; with them, flush now (cli-progress
      // buffers log lines until its next redraw, which stop() never does).
      const live = bars as unknown as { isActive: boolean; update(): void };
      if (stopped || !live.isActive) return void stream.write(`${line}\n`);
      bars.log(`${line}\n`);
      live.update();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bars.stop();
    },
  };
}
