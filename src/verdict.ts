// What the runner makes of a check's ending: a thrown error sorted into the
// student's failure or our error, the faults that stop a whole run, and the
// wire excerpt a result carries. Pure, so it is unit- and mutation-tested.

import { HarnessFault, StepFailed, type Verdict } from './check.js';
import type { TranscriptEntry } from './fake-server/session.js';
import type { TranscriptLine } from './results.js';

/** Longest wire line a result keeps; the rest is summarised by its length. */
export const EVIDENCE_LINE_CHARS = 300;

/** Turn whatever a script threw into a verdict: the student's failure or our error. */
export function verdictOf(err: unknown): Verdict {
  const e = err as Error & { code?: string; tried?: string[]; notFound?: boolean };
  if (err instanceof StepFailed) return { status: 'failed', expected: err.expected, actual: err.actual, ...(err.review ? { review: err.review } : {}) };
  if (err instanceof HarnessFault) return { status: 'error', code: err.code, message: err.message };
  if (e?.code === 'probe.actionFailed') {
    return { status: 'failed', expected: 'the GUI control for this action', actual: e.message, ...(e.notFound ? { review: `the grader recognised nothing to act on: ${e.tried?.at(-1) ?? e.message}` } : {}) };
  }
  // The client's own code flooded the probe channel: its doing, not ours.
  if (e?.code === 'probe.flooded') return { status: 'failed', expected: 'probe traffic within the grader\'s limits', actual: e.message };
  if (typeof e?.code === 'string' && /^(env|probe|client|server|proc|sandbox)\./.test(e.code)) return { status: 'error', code: e.code, message: e.message };
  return { status: 'error', code: 'grader.bug', message: `${e?.message ?? String(err)} (this is a chatgrade bug; please report it)` };
}

/** Faults after which no check of the run can be measured: the client, its sandbox or a server could not be started at all. */
const RUN_FAULTS: ReadonlySet<string> = new Set([
  'client.spawnFailed',
  'env.noAgent',
  'env.noDisplay',
  'env.noPython',
  'probe.listenFailed',
  'server.listenFailed',
  'server.portInUse',
  'sandbox.setupFailed',
]);

/** Whether an error verdict's code stops its whole run. */
export function stopsRun(code: string): boolean {
  return RUN_FAULTS.has(code);
}

/** Wire entries as a result keeps them: whole milliseconds, over-long lines cut, the peer a line was for. */
export function evidenceLines(entries: readonly TranscriptEntry[]): TranscriptLine[] {
  return entries.map((e) => ({
    t: Math.round(e.t),
    dir: e.dir,
    text: e.text.length > EVIDENCE_LINE_CHARS ? `${e.text.slice(0, EVIDENCE_LINE_CHARS)}... (${e.text.length} characters)` : e.text,
    ...(e.peer ? { peer: e.peer } : {}),
  }));
}
