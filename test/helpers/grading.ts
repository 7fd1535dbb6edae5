// Grade a folder in-process the way the CLI does (sandbox included), sharing one Python lookup per test file.
import { findPython, type PythonInfo } from '../../src/env/index.js';
import type { Pack } from '../../src/pack.js';
import { chat } from '../../src/packs/chat/index.js';
import type { GradeResult } from '../../src/results.js';
import type { SandboxMode } from '../../src/sandbox/index.js';
import { gradeFolder, type GradingSetup } from '../../src/submission.js';

export interface Grader {
  grade(dir: string, opts?: { seed?: string; only?: string[]; pack?: Pack; onWire?: GradingSetup['onWire'] }): Promise<GradeResult>;
  close(): Promise<void>;
}

export async function startGrader(timeoutScale = Number(process.env.CHATGRADE_TIMEOUT_SCALE ?? 1)): Promise<Grader> {
  const python: PythonInfo = await findPython();
  const sandbox = (process.env.CHATGRADE_SANDBOX ?? 'auto') as SandboxMode;
  return {
    grade: (dir, opts = {}) =>
      gradeFolder(dir, {
        course: {},
        pack: opts.pack ?? chat,
        only: opts.only ?? [],
        exclude: [],
        seed: opts.seed ?? 'calibration',
        jobs: 2,
        timeoutScale,
        python,
        sandbox,
        onWire: opts.onWire,
      }),
    close: async () => undefined,
  };
}

/** Ids of checks that did not pass, with what they said (for assertion messages). */
export function lost(result: GradeResult): Record<string, string> {
  return Object.fromEntries(
    result.checks.filter((c) => c.status !== 'passed').map((c) => [c.id, `${c.status}: ${c.error?.message ?? `expected ${c.expected}; actual ${c.actual}`}`]),
  );
}
