// Grade a folder in-process, sharing one Python lookup and one display for the whole test file.
import { acquireDisplay, findPython, type DisplayLease, type PythonInfo } from '../../src/env/index.js';
import { gradeSubmission, selectChecks } from '../../src/grade.js';
import type { GradeResult } from '../../src/results.js';
import { makeLauncher } from '../../src/launcher.js';
import { chat } from '../../src/packs/chat/index.js';
import { defaultWeights } from '../../src/rubric.js';

export interface Grader {
  grade(dir: string, opts?: { seed?: string; only?: string[] }): Promise<GradeResult>;
  close(): Promise<void>;
}

export async function startGrader(timeoutScale = Number(process.env.CHATGRADE_TIMEOUT_SCALE ?? 1)): Promise<Grader> {
  const python: PythonInfo = await findPython();
  const display: DisplayLease = await acquireDisplay();
  return {
    grade: (dir, opts = {}) =>
      gradeSubmission({
        dir,
        seed: opts.seed ?? 'calibration',
        jobs: 2,
        pack: chat,
        checks: selectChecks(chat.rubric, opts.only ?? [], []),
        weights: defaultWeights(chat.rubric),
        timeoutScale,
        python: { executable: python.executable, version: python.version, tkVersion: python.tkVersion },
        display: display.display,
        launcher: makeLauncher({ dir, python: python.executable, display: display.display, launch: { ui: {}, explicitProbe: false }, entry: 'main.py', timeoutScale }),
      }),
    close: () => display.release(),
  };
}

/** Ids of checks that did not pass, with what they said (for assertion messages). */
export function lost(result: GradeResult): Record<string, string> {
  return Object.fromEntries(
    result.checks.filter((c) => c.status !== 'passed').map((c) => [c.id, `${c.status}: ${c.error?.message ?? `expected ${c.expected}; actual ${c.actual}`}`]),
  );
}
