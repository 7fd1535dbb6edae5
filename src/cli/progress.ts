// Progress while a class is graded. On a terminal: a live view redrawn in
// place (log-update): one line per running submission, done/total and an
// estimate of the time left; every other message is printed above it
// (log-update's persist), so none is erased by the next frame. Elsewhere (CI
// logs, pipes): one plain line per finished submission.

import { createLogUpdate } from 'log-update';
import { clean, progressLine } from '../reporters/index.js';
import { truncate, wrapWords } from '../reporters/layout.js';
import type { GradeResult } from '../results.js';

/** Hooks the class runner calls. */
export interface Progress {
  started(name: string): void;
  finished(name: string, result: GradeResult): void;
  /** A message for stderr while the view is up: it stays, above the live frame. */
  note(text: string): void;
  /** Clear the live view (before the summary is printed). */
  done(): void;
}

/** Plain lines, one per finished submission: `[12/40] alice 87/100 +15 (3 failed)`. */
export function plainProgress(total: number, write: (line: string) => void): Progress {
  let done = 0;
  return {
    started: () => undefined,
    finished: (_name, result) => write(`${progressLine(++done, total, result)}\n`),
    note: (text) => write(text),
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
  let over = false;
  const render = (): void => {
    if (over) return;
    const elapsed = performance.now() - t0;
    const eta = done > 0 ? ` · about ${seconds((elapsed / done) * (total - done))} left` : '';
    const now = performance.now();
    // One terminal row each, so the frame is exactly as tall as log-update erases.
    const cols = Math.max(20, (stream.columns || 80) - 1);
    const lines = [...running].map(([name, since]) => truncate(`  ⋯ ${clean(name)} (${seconds(now - since)})`, cols));
    log([truncate(`grading ${done}/${total}${eta}`, cols), ...lines].join('\n'));
  };
  // Printed above the frame: the frame is erased, the text written, the frame drawn again below it.
  const persist = (text: string): void => {
    if (over) {
      stream.write(text);
      return;
    }
    // Wrapped at spaces here: log-update would cut at the column, mid-word.
    const cols = Math.max(20, stream.columns || 80);
    const body = text.endsWith('\n') ? text.slice(0, -1) : text;
    log.persist(body.split('\n').flatMap((l) => wrapWords(l, cols)).join('\n'));
    render();
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
      done++;
      persist(`${progressLine(done, total, result)}\n`);
    },
    note: persist,
    done() {
      clearInterval(timer);
      over = true;
      log.clear();
      log.done();
    },
  };
}
