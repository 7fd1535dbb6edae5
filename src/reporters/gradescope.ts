// Gradescope's results.json (gradescope-autograders.readthedocs.io/en/latest/specs/).
// One test per check. Bonus checks carry max_score 0 and score the points
// earned, so the total can pass 100 the way Gradescope shows extra credit.
// A harness fault is reported as such: failed, 0 points, and the top-level
// output says the grade is incomplete.

import type { CheckResult, GradeResult } from '../results.js';
import {
  clean, inRubricOrder, isBonus, plainEvidence, pts, reproduceCommand, rubricNumber, unmeasuredPoints,
  type ReporterOptions,
} from './common.js';

/** One entry of Gradescope's `tests` array. */
export interface GradescopeTest {
  name: string;
  number: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  visibility: NonNullable<ReporterOptions['visibility']>;
  output: string;
}

/** Gradescope's results.json, the fields we fill. */
export interface GradescopeResults {
  score: number;
  execution_time: number;
  output: string;
  tests: GradescopeTest[];
}

/** The results object; renderGradescope() serialises it. */
export function gradescopeResults(result: GradeResult, opts: ReporterOptions = {}): GradescopeResults {
  const visibility = opts.visibility ?? 'visible';
  const checks = inRubricOrder(result.rubric, result.checks);
  const tests = checks
    // Deselected checks were not graded: Gradescope has no neutral status, and
    // a 0/0 test would show as passed, so they are listed in `output` instead.
    .filter((c) => c.status !== 'skipped')
    .map((c): GradescopeTest => {
      const bonus = isBonus(result.rubric, c);
      const measured = c.status !== 'error';
      return {
        name: `${clean(c.id)}: ${clean(c.title)}`,
        number: rubricNumber(result.rubric, c.id) ?? clean(c.id),
        score: measured ? c.points : 0,
        max_score: bonus ? 0 : c.max,
        status: c.status === 'passed' ? 'passed' : 'failed',
        visibility,
        output: testOutput(c, bonus, opts),
      };
    });
  return {
    score: result.score.points + result.score.bonus,
    execution_time: Math.round(result.durationMs / 1000),
    output: summary(result, checks),
    tests,
  };
}

/** results.json as a string. */
export function renderGradescope(result: GradeResult, opts: ReporterOptions = {}): string {
  return `${JSON.stringify(gradescopeResults(result, opts), null, 2)}\n`;
}

function testOutput(c: CheckResult, bonus: boolean, opts: ReporterOptions): string {
  const out: string[] = [];
  if (c.status === 'error') {
    out.push(
      "Could not be measured: this is a fault of the grader, not of your submission. " +
      `Its ${pts(c.max)} are not in your score yet; the grade is incomplete until course staff re-run it.`,
    );
    if (c.error) out.push(`Harness error ${clean(c.error.code)}: ${clean(c.error.message)}`);
  } else if (c.status === 'passed') {
    out.push(bonus ? `Passed: ${pts(c.points)} of extra credit.` : 'Passed.');
  } else {
    out.push(bonus ? `Not earned: up to ${pts(c.max)} of extra credit.` : `Failed: ${pts(c.max)} lost.`);
  }
  out.push(`Requirement: ${clean(c.requirement)}`);
  for (const n of c.nonStrict ?? []) out.push(`Passed, not strictly: ${clean(n)}`);
  if (c.status !== 'passed') {
    out.push(...plainEvidence(c, opts.transcriptLines));
  }
  return out.join('\n');
}

function summary(r: GradeResult, checks: CheckResult[]): string {
  const s = r.score;
  const out = [
    `${r.grader.name} ${r.grader.version}, seed ${clean(r.seed)}`,
    `Total ${s.points}/${s.max}   Bonus ${s.bonus}/${s.bonusMax}   (score ${s.points + s.bonus}; bonus points are extra credit)`,
  ];
  const errored = checks.filter((c) => c.status === 'error');
  if (errored.length > 0 || r.errors.length > 0) {
    out.push(
      '',
      'GRADE INCOMPLETE: part of your submission could not be measured because of a fault in the grader, ' +
      'not in your code. Course staff will re-run it; the score above may rise, it will not fall because of this.',
    );
    if (errored.length > 0) {
      out.push(`Not measured (${pts(unmeasuredPoints(checks))}): ${errored.map((c) => clean(c.id)).join(', ')}`);
    }
    for (const e of r.errors) out.push(`Harness error ${clean(e.code)}: ${clean(e.message)}`);
  }
  const skipped = checks.filter((c) => c.status === 'skipped');
  if (skipped.length > 0) {
    out.push('', `Not run in this grading (${skipped.length}): ${skipped.map((c) => clean(c.id)).join(', ')}`);
  }
  out.push('', `Reproduce: ${reproduceCommand(r.submission.dir, r.seed)}`);
  return out.join('\n');
}
