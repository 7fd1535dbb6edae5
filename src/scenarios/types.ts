// What a check is: data (its id, the run it needs, its phase) plus a script
// that returns a verdict with expected and actual, never a bare boolean.

import type { TranscriptEntry } from '../fake-server/session.js';
import type { SessionRun } from './session-run.js';

/** A check's outcome as its script reports it. */
export type Verdict =
  | { status: 'passed'; nonStrict?: string[]; evidence?: TranscriptEntry[] }
  | { status: 'failed'; expected: string; actual: string; evidence?: TranscriptEntry[] }
  | { status: 'error'; code: string; message: string };

/**
 * Runs: a `session` is one normal client session shared by many checks (no
 * faults injected); `host`, `malformed` and `serverCrash` get a fresh client
 * each; `static` runs no client at all.
 */
export type RunKind = 'session' | 'host' | 'malformed' | 'serverCrash' | 'static';

/** One check's implementation. Its requirement text lives in src/rubric.ts. */
export interface CheckScript {
  id: string;
  run: RunKind;
  /**
   * Order within a session run: 0 start-up, 1 online list, 2 conversations,
   * 3 invitations, 4 bonus, 5 idle, 8 before quitting, 9 quitting.
   */
  phase: number;
  script(run: SessionRun): Promise<Verdict>;
}

export const pass = (nonStrict?: string[]): Verdict => (nonStrict?.length ? { status: 'passed', nonStrict } : { status: 'passed' });
export const fail = (expected: string, actual: string): Verdict => ({ status: 'failed', expected, actual });
