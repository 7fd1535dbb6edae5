// The one results object every reporter is a function of. Versioned: see
// docs/report-schema.md. Reporters never import the fake server or scenarios.

import type { Area, Line, Score } from './rubric.js';

export const SCHEMA_VERSION = 2;

/**
 * Code-unit order of two texts, for sorting ids and names (checks are sorted
 * by id with it): the same on every machine, unlike localeCompare.
 */
export function byCode(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One wire line as a report shows it. */
export interface TranscriptLine {
  /** Milliseconds since the scenario started. */
  t: number;
  dir: 'c>s' | 's>c' | 'note';
  /** The line as text (invalid UTF-8 shown with U+FFFD), without its line ending. */
  text: string;
  /** The simulated user (or peer) the fake server spoke for, or the peer that sent a datagram. */
  peer?: string;
  /** Which connection of the run, from 1, when the run had more than one. */
  conn?: number;
}

/** A picture of the client's windows at the moment of a verdict (PNG, base64). */
export interface Screenshot {
  png: string;
  width: number;
  height: number;
  /** Milliseconds on the run's transcript clock when it was taken. */
  t: number;
}

/** A harness fault: never the student's fault, never lost points. */
export interface HarnessError {
  code: string;
  message: string;
}

/**
 * A problem of the submission itself, found before its client ran (an
 * invalid grade.json or package.json, a missing entry file, a syntax error):
 * the student's to fix, so the checks it cost fail, and every report shows
 * it once, as one banner, with those checks listed under it.
 */
export interface SubmissionProblem {
  /** Stable dotted code, e.g. "submission.syntaxError". */
  code: string;
  /** What is wrong, e.g. "does not start: SyntaxError in main.py line 12: invalid syntax". */
  message: string;
  /** What to do about it, in one sentence. */
  fix: string;
  /** The checks it cost (failed without being run), sorted by id. */
  checks: string[];
}

/**
 * How starved the grader and the client were while a check was observed,
 * and the attempts that were run again because of it (docs/GRADING.md,
 * "Load never changes a verdict"). Times in ms.
 */
export interface LoadReport {
  /** The check's window of observation, from the start of the grading. */
  from: number;
  to: number;
  /** Whether this window was starved, and why. */
  starved: boolean;
  why?: string;
  /** The grader's longest event-loop delay in it. */
  graderDelayMs: number;
  /** The client's processes: their main threads' wait in the run queue, their CPU time, the time they were seen stopped. */
  clientWaitMs?: number;
  clientCpuMs?: number;
  clientStoppedMs?: number;
  /** /proc/pressure: time some task waited for a CPU, and time every task stalled on memory. */
  cpuStallMs?: number;
  memoryStallMs?: number;
  /** Earlier attempts, each failed while its run was starved and so run again: their windows, why, and what they saw. */
  reruns?: { from: number; to: number; why: string; actual: string }[];
}

/** The outcome of one check, keyed on status. */
export interface CheckResult {
  id: string;
  line: string;
  area: string;
  title: string;
  /** Points earned (0 unless passed). */
  points: number;
  /** Points available (after re-weighting). */
  max: number;
  status: 'passed' | 'failed' | 'error' | 'skipped';
  requirement: string;
  expected?: string;
  actual?: string;
  /**
   * Set on a failed check when the failure may be the grader's: it could not
   * recognise a list, window, tab or button. Says what was not found and what
   * was on screen, so a person looks at it before trusting the lost points.
   */
  review?: string;
  /** Tolerances the client needed (e.g. "\r\n line ending"): passed, but not strictly. */
  nonStrict?: string[];
  /** Wire excerpt that shows the verdict. */
  transcript?: TranscriptLine[];
  /** Set when status is 'error'. */
  error?: HarnessError;
  /** What the grader understood of the GUI at the verdict (the pack's UI model: users, conversations, dialogs...). */
  seen?: Record<string, unknown>;
  /** The client's windows at the verdict (failed checks only). */
  screenshot?: Screenshot;
  /** The scenario run that measured it. */
  scenario: string;
  durationMs: number;
  /** How loaded the machine was meanwhile (checks of a run that started). */
  load?: LoadReport;
}

/** The rubric a result was graded against, as reporters need it (order, titles, bonus areas). */
export interface RubricInfo {
  /** The assignment pack, e.g. "chat". */
  pack: string;
  /** The pack's human title, e.g. "Chat client". */
  title: string;
  areas: Area[];
  lines: Line[];
  /** Check ids in rubric order, with their line and default points. */
  checks: { id: string; line: string; points: number }[];
}

/** Everything known about grading one submission. */
export interface GradeResult {
  schemaVersion: typeof SCHEMA_VERSION;
  grader: { name: 'chatgrade'; version: string };
  rubric: RubricInfo;
  /** `name` is the folder's own name (Unicode NFC), exactly; `folder` is where its reports went under --out, when that differs. */
  submission: { dir: string; name: string; folder?: string };
  seed: string;
  startedAt: string;
  durationMs: number;
  environment: {
    node: string;
    python?: string;
    tk?: string;
    display?: string;
    platform: string;
    /** The sandbox level the client ran under: 'full', 'fallback' or 'off' (docs/SECURITY.md). */
    sandbox?: string;
    /** How the GUI was seen: 'tk-agent' (the grader looked) or 'explicit' (the client described itself). */
    probe?: string;
    /** How a JS client ran: 'in-process (mock-socket)' or 'process (ws)' (docs/JS-CLIENTS.md). */
    clientMode?: string;
  };
  score: Score;
  /** Sorted by id. */
  checks: CheckResult[];
  /** Faults that stopped the whole run (no display, no Python...). */
  errors: HarnessError[];
  /** Client stderr, capped, per scenario run (for the report's evidence). */
  logs: { scenario: string; stderr: string; truncated: boolean }[];
  /** Things staff should know that are not check results (e.g. a grade.json setting that was ignored). */
  warnings?: string[];
  /** The submission's own problems (its grade.json, its entry file, a client that does not start), each with the checks it cost. */
  problems?: SubmissionProblem[];
}
