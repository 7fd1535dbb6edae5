// Gradescope's results.json (the autograder specification; docs/report-schema.md
// says how each field is filled and why). One test per check. Bonus checks
// carry max_score 0 and score the points earned, and the top-level score is
// set explicitly, so extra credit lifts the total above 100.
//
// Outputs are Markdown (output_format "md"): prose for the student, and the
// evidence (expected, actual, the wire) in fenced blocks where alignment and
// every character survive. Gradescope's "ansi" format would keep our terminal
// colours but show the requirement sentences as unwrapped preformatted text.
//
// An incomplete grade (a check not measured, or a run-level harness fault) is
// never shown to students before staff look at it: its tests and the whole
// result get visibility "after_published" (or stay "hidden").

import type { CheckResult, GradeResult, HarnessError } from '../results.js';
import {
  clean, inRubricOrder, isBonus, isIncomplete, plainEvidence, problemOf, pts, reproduceCommand, reviewChecks, rubricNumber,
  runConditions, unmeasuredPoints, type GradescopeVisibility, type ReporterOptions,
} from './common.js';
import { mdBlock, mdCode, mdId, mdText } from './markdown.js';

/** Gradescope's output formats; we write Markdown. */
export type GradescopeFormat = 'text' | 'simple_format' | 'html' | 'md' | 'ansi';

/** One entry of Gradescope's `tests` array. */
export interface GradescopeTest {
  name: string;
  number: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  visibility: GradescopeVisibility;
  output: string;
  output_format: GradescopeFormat;
}

/** Gradescope's results.json, the fields we fill. */
export interface GradescopeResults {
  score: number;
  execution_time: number;
  output: string;
  output_format: GradescopeFormat;
  test_output_format: GradescopeFormat;
  visibility: GradescopeVisibility;
  tests: GradescopeTest[];
}

/** What the CLI knows when grading produced no GradeResult at all (no display, no Python with tkinter...). */
export interface GradingFailure {
  /** What stopped grading; at least one, each with a stable dotted code. */
  errors: HarnessError[];
  grader?: { name: string; version: string };
  submission?: { dir: string; name: string };
  durationMs?: number;
  environment?: Partial<GradeResult['environment']>;
  /** Further lines for staff, e.g. the command that installs what is missing. */
  notes?: string[];
}

const FORMAT: GradescopeFormat = 'md';

/** The visibility of a grade: the caller's default, made "after_published" when the grade is incomplete. */
export function gradescopeVisibility(incomplete: boolean, requested: GradescopeVisibility = 'visible'): GradescopeVisibility {
  if (!incomplete || requested === 'hidden') return requested;
  return 'after_published';
}

/** The results object; renderGradescope() serialises it. */
export function gradescopeResults(result: GradeResult, opts: ReporterOptions = {}): GradescopeResults {
  const visibility = gradescopeVisibility(isIncomplete(result), opts.visibility);
  const checks = inRubricOrder(result.rubric, result.checks);
  const tests = checks
    // Deselected checks were not graded: Gradescope has no neutral status, and
    // a 0/0 test would show as passed, so they are listed in `output` instead.
    .filter((c) => c.status !== 'skipped')
    .map((c): GradescopeTest => {
      const bonus = isBonus(result.rubric, c);
      return {
        name: `${clean(c.id)}: ${clean(c.title)}`,
        number: rubricNumber(result.rubric, c.id) ?? clean(c.id),
        score: c.status === 'passed' ? c.points : 0,
        max_score: bonus ? 0 : c.max,
        // Always explicit: a bonus test scores 0 of max 0 when not earned,
        // which Gradescope would otherwise show as passed.
        status: c.status === 'passed' ? 'passed' : 'failed',
        visibility,
        output: testOutput(result, c, bonus, opts),
        output_format: FORMAT,
      };
    });
  return {
    score: result.score.points + result.score.bonus,
    execution_time: Math.round(result.durationMs / 1000),
    output: summary(result, checks),
    output_format: FORMAT,
    test_output_format: FORMAT,
    visibility,
    tests,
  };
}

/** results.json as a string. */
export function renderGradescope(result: GradeResult, opts: ReporterOptions = {}): string {
  return `${JSON.stringify(gradescopeResults(result, opts), null, 2)}\n`;
}

/**
 * results.json for a run that could not grade at all: score 0, never shown to
 * students before staff publish it, and an output that says what went wrong.
 * Gradescope asks for a results.json whatever happens; the CLI writes this one.
 */
export function gradescopeFailureResults(failure: GradingFailure, opts: ReporterOptions = {}): GradescopeResults {
  const visibility = gradescopeVisibility(true, opts.visibility);
  const staff = [
    '**For course staff: what went wrong**',
    ...failure.errors.map((e) => `- ${mdCode(e.code)}: ${mdText(e.message)}`),
    ...(failure.notes ?? []).map((n) => `- ${mdText(n)}`),
    ...runConditions(failure.environment ?? {}).map(([k, v]) => `- ${k}: ${mdText(v)}`),
    ...(failure.environment?.platform ? [`- Platform: ${mdText(failure.environment.platform)}`] : []),
  ].join('\n');
  const grader = failure.grader ? `${failure.grader.name} ${failure.grader.version}` : 'the grader';
  const output = [
    `**Grading could not run, so nothing was graded.** This is a fault of ${mdText(grader)} or its machine, ` +
    'not of your submission. The 0 is a placeholder: course staff will fix the problem and grade your submission again.',
    staff,
    ...(failure.submission ? [`Submission: ${mdCode(failure.submission.dir)}`] : []),
  ].join('\n\n');
  return {
    score: 0,
    execution_time: Math.round((failure.durationMs ?? 0) / 1000),
    output,
    output_format: FORMAT,
    test_output_format: FORMAT,
    visibility,
    // One failed test, so the result stays hidden like any incomplete grade
    // (Gradescope hides the total while a test is hidden).
    tests: [{
      name: 'Grading could not run',
      number: '0',
      score: 0,
      max_score: 0,
      status: 'failed',
      visibility,
      output: staff,
      output_format: FORMAT,
    }],
  };
}

/** The environment-failure results.json as a string. */
export function renderGradescopeFailure(failure: GradingFailure, opts: ReporterOptions = {}): string {
  return `${JSON.stringify(gradescopeFailureResults(failure, opts), null, 2)}\n`;
}

/**
 * What course staff should know and students must not see: the warnings
 * (about the submission's config, the sandbox) and the lost checks to
 * review. Gradescope shows the autograder's stdout to staff only, so the CLI
 * prints these there; results.json never holds them.
 */
export function gradescopeStaffNotes(result: GradeResult): string[] {
  const who = clean(result.submission.name);
  return [
    ...(result.warnings ?? []).map((w) => `chatgrade (for course staff): ${who}: warning: ${clean(w)}`),
    ...reviewChecks(result).map((c) => `chatgrade (for course staff): ${who}: REVIEW ${clean(c.id)} (${pts(c.max)} lost): the grader could not recognise part of the GUI: ${clean(c.review ?? '')}`),
  ];
}

function testOutput(r: GradeResult, c: CheckResult, bonus: boolean, opts: ReporterOptions): string {
  const problem = problemOf(r, c.id);
  if (problem) {
    return [`${bonus ? `Not earned: up to ${pts(c.max)} of extra credit.` : `Failed: ${pts(c.max)} lost.`} Not run: ${mdText(problem.message)}`,
      `**Fix:** ${mdText(problem.fix)}`, `**Requirement:** ${mdText(c.requirement)}`].join('\n\n');
  }
  const out: string[] = [];
  if (c.status === 'error') {
    out.push(
      'Could not be measured: this is a fault of the grader, not of your submission. ' +
      `Its ${pts(c.max)} are not in your score yet; the grade is incomplete until course staff re-run it.`,
    );
    if (c.error) out.push(`Harness error ${mdCode(c.error.code)}: ${mdText(c.error.message)}`);
  } else if (c.status === 'passed') {
    out.push(bonus ? `Passed: ${pts(c.points)} of extra credit.` : 'Passed.');
  } else {
    out.push(bonus ? `Not earned: up to ${pts(c.max)} of extra credit.` : `Failed: ${pts(c.max)} lost.`);
  }
  out.push(`**Requirement:** ${mdText(c.requirement)}`);
  const notes = (c.nonStrict ?? []).map((n) => `- ${mdText(n)}`);
  if (notes.length > 0) out.push(`Passed, not strictly:\n${notes.join('\n')}`);
  if (c.status !== 'passed') {
    const evidence = plainEvidence(c, opts.transcriptLines);
    if (evidence.length > 0) out.push(mdBlock(evidence));
  }
  return out.join('\n\n');
}

function summary(r: GradeResult, checks: CheckResult[]): string {
  const s = r.score;
  const out = [
    `**Total ${s.points}/${s.max}** · **Bonus ${s.bonus}/${s.bonusMax}** ` +
    `(score ${s.points + s.bonus}: bonus points are extra credit on top of ${s.max})`,
    `${mdText(r.rubric.title)}, graded by ${mdText(`${r.grader.name} ${r.grader.version}`)} with seed ${mdCode(r.seed)}`,
  ];
  const conditions = runConditions(r.environment);
  if (conditions.length > 0) out.push(conditions.map(([k, v]) => `${k}: ${mdText(v)}`).join('  \n'));
  for (const p of r.problems ?? []) {
    const cost = checks.filter((c) => p.checks.includes(c.id));
    out.push(`**${mdText(p.message)}**  \n**Fix:** ${mdText(p.fix)}  \n` +
      `It cost ${cost.length} ${cost.length === 1 ? 'check' : 'checks'} (${pts(cost.reduce((n, c) => n + c.max, 0))}): ${cost.map((c) => mdId(c.id)).join(', ')}`);
  }
  const errored = checks.filter((c) => c.status === 'error');
  if (errored.length > 0 || r.errors.length > 0) {
    out.push(
      '**GRADE INCOMPLETE**: part of your submission could not be measured because of a fault in the grader, ' +
      'not in your code. Course staff will re-run it; the score above may rise, it will not fall because of this.',
    );
    if (errored.length > 0) {
      out.push(`Not measured (${pts(unmeasuredPoints(checks))}): ${errored.map((c) => mdId(c.id)).join(', ')}`);
    }
    for (const e of r.errors) out.push(`Harness error ${mdCode(e.code)}: ${mdText(e.message)}`);
  }
  const skipped = checks.filter((c) => c.status === 'skipped');
  if (skipped.length > 0) {
    out.push(`Not run in this grading (${skipped.length}): ${skipped.map((c) => mdId(c.id)).join(', ')}`);
  }
  out.push(`Reproduce: ${mdCode(reproduceCommand(r.submission.dir, r.seed))}`);
  return out.join('\n\n');
}
