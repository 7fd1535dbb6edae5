// What a check is: data (its id, the run it needs, its phase) plus a script
// that returns a verdict with expected and actual, never a bare boolean.
// Every pack's scenarios are lists of these; the runner (grade.ts) knows
// nothing else about them.

import type { TranscriptEntry } from './fake-server/session.js';

/** A check's outcome as its script reports it. */
export type Verdict =
  | { status: 'passed'; nonStrict?: string[]; evidence?: TranscriptEntry[] }
  | { status: 'failed'; expected: string; actual: string; evidence?: TranscriptEntry[]; review?: string }
  | { status: 'error'; code: string; message: string };

/** One check's implementation, run inside a pack's run `R`. Its requirement text lives in the pack's rubric. */
export interface CheckScript<R = unknown> {
  id: string;
  /** The run kind it needs (one of its pack's `runs`). */
  run: string;
  /** Order within its run: lower phases first, then declaration order. */
  phase: number;
  /**
   * A delay can make it pass: its pass rests on the time between two events
   * as the grader saw them (a peer not forgotten before two intervals; one
   * removed soon after its BYE), and a delay of the grader's can move one of
   * them, so a pass in a starved window is run again too (docs/GRADING.md,
   * "Load never changes a verdict").
   */
  delayCanPass?: boolean;
  script(run: R): Promise<Verdict>;
}

export const pass = (nonStrict?: string[]): Verdict => (nonStrict?.length ? { status: 'passed', nonStrict } : { status: 'passed' });
export const fail = (expected: string, actual: string): Verdict => ({ status: 'failed', expected, actual });
/** A failure that may be the grader's blindness: `review` says what was not found and what was on screen. */
export const unsure = (expected: string, actual: string, review: string | undefined): Verdict =>
  review === undefined ? fail(expected, actual) : { status: 'failed', expected, actual, review };

/** A fixture or step could not be carried out by the student's client. */
export class StepFailed extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
    /** Set when the step failed because the grader recognised nothing (results.ts CheckResult.review). */
    readonly review?: string,
  ) {
    super(`${expected}: ${actual}`);
  }
}

/** A harness fault inside a run (never the student's fault). */
export class HarnessFault extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Every bound a run uses, in milliseconds (already multiplied by --timeout-scale). */
export interface Limits {
  /** Process start to connection, and to the main window. */
  startup: number;
  /** One expected line on the wire. */
  line: number;
  /** One expected change in the GUI (the chat handout: every change shows within 5 s). */
  gui: number;
  /** The barrier's visible change. */
  barrier: number;
  /** Fixed grace after a barrier. */
  grace: number;
  /** Quit to process exit. */
  exit: number;
  /** Server silence before the responsiveness probe (rubric: 300 ms, never scaled). */
  silence: number;
  /** A probe sync round trip (rubric: 500 ms). */
  sync: number;
  /** A static check's child process. */
  staticCheck: number;
}

/**
 * The limits for a --timeout-scale, with a pack's own where its handout sets
 * them (`own`, unscaled); the rubric's 300 ms of silence is a definition, not
 * a limit, so it is never scaled.
 */
export function limitsFor(scale: number, own: Partial<Limits> = {}): Limits {
  const base = { startup: 10_000, line: 2_000, gui: 2_000, barrier: 2_000, grace: 100, exit: 3_000, sync: 500, staticCheck: 5_000, ...own };
  const s = (ms: number) => Math.round(ms * scale);
  return { startup: s(base.startup), line: s(base.line), gui: s(base.gui), barrier: s(base.barrier), grace: s(base.grace), exit: s(base.exit), silence: 300, sync: s(base.sync), staticCheck: s(base.staticCheck) };
}

/** Setup steps a run does once and its checks share (connect, register, open a conversation...): the first caller runs it, later callers get the same promise. */
export class Memo {
  private readonly memo = new Map<string, Promise<unknown>>();

  once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = fn();
      this.memo.set(key, p);
    }
    return p;
  }
}
