// The one results object every reporter is a function of. Versioned: see
// docs/report-schema.md. Reporters never import the fake server or scenarios.

import type { Area, Line, Score } from './rubric.js';

export const SCHEMA_VERSION = 2;

/** One wire line as a report shows it. */
export interface TranscriptLine {
  /** Milliseconds since the scenario started. */
  t: number;
  dir: 'c>s' | 's>c' | 'note';
  /** The line as text (invalid UTF-8 shown with U+FFFD), without its line ending. */
  text: string;
}

/** A harness fault: never the student's fault, never lost points. */
export interface HarnessError {
  code: string;
  message: string;
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
  /** Tolerances the client needed (e.g. "\r\n line ending"): passed, but not strictly. */
  nonStrict?: string[];
  /** Wire excerpt that shows the verdict. */
  transcript?: TranscriptLine[];
  /** Set when status is 'error'. */
  error?: HarnessError;
  /** The scenario run that measured it. */
  scenario: string;
  durationMs: number;
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
  submission: { dir: string; name: string };
  seed: string;
  startedAt: string;
  durationMs: number;
  environment: { node: string; python?: string; tk?: string; display?: string; platform: string };
  score: Score;
  /** Sorted by id. */
  checks: CheckResult[];
  /** Faults that stopped the whole run (no display, no Python...). */
  errors: HarnessError[];
  /** Client stderr, capped, per scenario run (for the report's evidence). */
  logs: { scenario: string; stderr: string; truncated: boolean }[];
}
