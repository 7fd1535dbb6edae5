// Grade a folder in-process the way the CLI does (sandbox included), sharing one Python lookup per test file.
import { join } from 'node:path';
import { gradeClass, verdictsThatVaried, type Varied } from '../../src/cli/class.js';
import { findPython, type PythonInfo } from '../../src/env/index.js';
import type { Pack } from '../../src/pack.js';
import { chat } from '../../src/packs/chat/index.js';
import { materialiseClass } from '../../src/mutants.js';
import type { GradeResult } from '../../src/results.js';
import type { SandboxMode } from '../../src/sandbox/index.js';
import { gradeFolder, type GradingSetup } from '../../src/submission.js';

export interface Grader {
  grade(dir: string, opts?: { seed?: string; only?: string[]; pack?: Pack; onWire?: GradingSetup['onWire'] }): Promise<GradeResult>;
  close(): Promise<void>;
}

export async function startGrader(timeoutScale = Number(process.env.CHATGRADE_TIMEOUT_SCALE ?? 1)): Promise<Grader> {
  const python: PythonInfo = await findPython();
  return {
    grade: (dir, opts = {}) =>
      gradeFolder(dir, { ...gradingSetup(opts.pack ?? chat, python, timeoutScale), only: opts.only ?? [], seed: opts.seed ?? 'calibration', onWire: opts.onWire }),
    close: async () => undefined,
  };
}

/** What the tests grade with: no course config, every check, the sandbox and time scale from the environment. */
function gradingSetup(pack: Pack, python: PythonInfo, timeoutScale = Number(process.env.CHATGRADE_TIMEOUT_SCALE ?? 1)): GradingSetup {
  const sandbox = (process.env.CHATGRADE_SANDBOX ?? 'auto') as SandboxMode;
  return { course: {}, pack, only: [], exclude: [], seed: 'calibration', jobs: 2, timeoutScale, python, sandbox };
}

/** Ids of checks that did not pass, with what they said (for assertion messages). */
export function lost(result: GradeResult): Record<string, string> {
  return Object.fromEntries(
    result.checks.filter((c) => c.status !== 'passed').map((c) => [c.id, `${c.status}: ${c.error?.message ?? `expected ${c.expected}; actual ${c.actual}`}`]),
  );
}

/**
 * Grade a pack's reference and every mutant as one class, the way a TA grades
 * (several at once within `jobs` client runs), `repeat` times with different
 * seeds (--repeat): each grading's results by name ('reference' or the
 * mutant's), and the checks whose verdict varied between gradings.
 */
export async function gradeCalibrationClass(
  pack: Pack,
  opts: { seed?: string; jobs?: number; repeat?: number } = {},
): Promise<{ gradings: Map<string, GradeResult>[]; varied: Varied[] }> {
  const klass = await materialiseClass(pack);
  try {
    return await gradeAsClass(klass.names.map((n) => join(klass.dir, n)), pack, opts);
  } finally {
    await klass.dispose();
  }
}

/** Grade folders as one class, as a TA does (within `jobs` client runs, `repeat` times): each grading's results by folder name, and what varied. */
export async function gradeAsClass(
  dirs: readonly string[],
  pack: Pack,
  opts: { seed?: string; jobs?: number; repeat?: number } = {},
): Promise<{ gradings: Map<string, GradeResult>[]; varied: Varied[] }> {
  const outcome = await gradeClass([...dirs], {
    ...gradingSetup(pack, await findPython()),
    seed: opts.seed ?? 'calibration',
    jobs: opts.jobs ?? 4,
  }, { repeat: opts.repeat ?? 1, interrupted: new Promise(() => undefined), started: () => undefined, finished: () => undefined });
  return {
    gradings: outcome.runs.map((run) => new Map(run.map((r) => [r.submission.name, r]))),
    varied: verdictsThatVaried(outcome.runs),
  };
}
