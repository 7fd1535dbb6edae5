// Progress while a class is graded. On a terminal: a live view redrawn in
// place (log-update): one line per running submission, done/total and an
// estimate of the time left. Elsewhere (CI logs, pipes): one plain line per
// finished submission.

import { createLogUpdate } from 'log-update';
import { progressLine } from '../reporters/index.js';
import { clean } from '../reporters/index.js';
import type { GradeResult } from '../results.js';

/** Hooks the class runner calls. */
export interface Progress {
  started(name: string): void;
  finished(name: string, result: GradeResult): void;
  /** Clear the live view (before the summary is printed). */
  done(): void;
}

/** Plain lines, one per finished submission: `[12/40] alice 87/100 +15 (3 failed)`. */
export function plainProgress(total: number, write: (line: string) => void): Progress {
  let done = 0;
  return {
    started: () => undefined,
    finished: (_name, result) => write(`${progressLine(++done, total, result)}\n`),
    done: () => undefined,
  };
}

function seconds(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

/** The live view on a TTY stream; finished lines scroll above it. */
export function liveProgress(total: number, stream: NodeJS.WriteStream): Progress {
  const log = createLogUpdate(stream, { showCursor: true });
  const running = new Map<string, number>();
  const t0 = performance.now();
  let done = 0;
  const render = (): void => {
    const elapsed = performance.now() - t0;
    const eta = done > 0 ? ` · about ${seconds((elapsed / done) * (total - done))} left` : '';
    const now = performance.now();
    const lines = [...running].map(([name, since]) => `  ⋯ ${clean(name)} (${seconds(now - since)})`);
    log([`grading ${done}/${total}${eta}`, ...lines].join('\n'));
  };
  const timer = setInterval(render, 1000);
  timer.unref();
  return {
    started(name) {
      running.set(name, performance.now());
      render();
    },
    finished(name, result) {
      running.delete(name);
      log.clear();
      stream.write(`${progressLine(++done, total, result)}\n`);
      render();
    },
    done() {
      clearInterval(timer);
      log.clear();
      log.done();
    },
  };
}
