// GitHub Actions, in the manner of Vitest's github-actions reporter:
// workflow-command annotations for lost checks (printed to stdout), and a
// Markdown summary the CLI appends to $GITHUB_STEP_SUMMARY. A single
// submission is a class of one.

import type { CheckResult, GradeResult } from '../results.js';
import {
  clean, distinctNames, inRubricOrder, isIncomplete, problemOf, pts, runConditions, tally,
} from './common.js';
import { bySubmission, type ClassContext } from './gradebook.js';
import { htmlText, mdBlock, mdCode, mdId, mdText } from './markdown.js';

/** GitHub refuses a step summary over 1 MiB; the table always fits, details stop before this. */
export const SUMMARY_BUDGET = 900_000;

// Workflow-command escaping: data may not hold %, CR or LF; a property value
// may not hold ":" or "," either (they delimit properties).
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One workflow command line, e.g. `::error title=...::message`. */
export function workflowCommand(command: 'error' | 'warning' | 'notice', properties: Record<string, string>, message: string): string {
  const props = Object.entries(properties).map(([k, v]) => `${k}=${escapeProperty(v)}`).join(',');
  return `::${command}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

function evidence(c: CheckResult): string[] {
  return [
    ...(c.expected !== undefined ? [`Expected: ${clean(c.expected)}`] : []),
    ...(c.actual !== undefined ? [`Actual: ${clean(c.actual)}`] : []),
  ];
}

/**
 * Annotations, one line each, one per cause: `::error` for every lost check
 * and for every problem of the submission itself (once, with the checks it
 * cost, not once per check), `::warning` for checks not measured (one per
 * fault, with the checks it stopped) and for every run-level harness fault
 * (not the student's, but staff must re-run). Client text is clean()ed
 * first, so it carries no control character of its own.
 */
export function githubAnnotations(results: readonly GradeResult[]): string {
  const out: string[] = [];
  const labels = distinctNames(results);
  for (const r of bySubmission(results)) {
    const who = clean(labels.get(r) ?? r.submission.name);
    for (const p of r.problems ?? []) {
      const cost = inRubricOrder(r.rubric, r.checks.filter((c) => p.checks.includes(c.id)));
      out.push(workflowCommand('error', { title: `${who}: ${clean(p.message)}` },
        [`${clean(p.message)}`, `Fix: ${clean(p.fix)}`, `It cost ${cost.length} ${cost.length === 1 ? 'check' : 'checks'} (${pts(cost.reduce((n, c) => n + c.max, 0))}): ${cost.map((c) => clean(c.id)).join(', ')}`].join('\n')));
    }
    const checks = inRubricOrder(r.rubric, r.checks);
    for (const c of checks) {
      if (c.status !== 'failed' || problemOf(r, c.id)) continue;
      const review = c.review === undefined ? [] : [`Needs review (the grader may be wrong here): ${clean(c.review)}`];
      out.push(workflowCommand('error', { title: `${who}: ${clean(c.id)} lost ${pts(c.max)}${c.review === undefined ? '' : ' (to review)'}` },
        [`${clean(c.title)}. ${clean(c.requirement)}`, ...evidence(c), ...review].join('\n')));
    }
    const causes = byCause(checks.filter((c) => c.status === 'error'));
    for (const e of r.errors) {
      // The checks a run-level fault stopped are named with it, not warned about again one cause later.
      const mine = causes.filter((g) => g.code === e.code && e.message.endsWith(g.message));
      for (const g of mine) causes.splice(causes.indexOf(g), 1);
      const stopped = mine.flatMap((g) => g.checks);
      const tail = stopped.length > 0 ? `\n${stopped.length} ${stopped.length === 1 ? 'check' : 'checks'} not measured: ${stopped.map((c) => clean(c.id)).join(', ')}` : '';
      out.push(workflowCommand('warning', { title: `${who}: harness error ${clean(e.code)}` }, `The grade is incomplete: ${clean(e.message)}${tail}`));
    }
    for (const g of causes) {
      const points = pts(g.checks.reduce((n, c) => n + c.max, 0));
      const title = g.checks.length === 1 ? `${who}: ${clean(g.checks[0]!.id)} not measured (${points})` : `${who}: ${g.checks.length} checks not measured (${points})`;
      const list = g.checks.length === 1 ? '' : `\nChecks: ${g.checks.map((c) => clean(c.id)).join(', ')}`;
      out.push(workflowCommand('warning', { title }, `Could not be measured, not the student's fault: ${clean(g.code)}: ${clean(g.message)}${list}`));
    }
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

/** Checks not measured, grouped by their fault (code and message), in the order first met. */
function byCause(checks: readonly CheckResult[]): { code: string; message: string; checks: CheckResult[] }[] {
  const groups: { code: string; message: string; checks: CheckResult[] }[] = [];
  for (const c of checks) {
    const code = c.error?.code ?? 'harness.error';
    const message = c.error?.message ?? '';
    const g = groups.find((x) => x.code === code && x.message === message);
    if (g) g.checks.push(c);
    else groups.push({ code, message, checks: [c] });
  }
  return groups;
}

/** The step summary: a table of the class, then each submission's lost checks in a collapsed section. */
export function githubSummary(results: readonly GradeResult[], context: ClassContext = {}): string {
  const sorted = bySubmission(results);
  const labels = distinctNames(results);
  const title = sorted[0] ? `${sorted[0].grader.name}: ${sorted[0].rubric.title}` : 'chatgrade';
  const out = [
    `## ${mdText(title)}`,
    '',
    '| Submission | Total | Bonus | Failed | Not measured | To review | Grade | Sandbox | GUI probe |',
    '|---|---:|---:|---:|---:|---:|---|---|---|',
    ...sorted.map((r) => {
      const t = tally(r);
      const s = r.score;
      return `| ${mdText(labels.get(r) ?? r.submission.name)} | ${s.points}/${s.max} | ${s.bonus}/${s.bonusMax} | ${t.failed} | ${t.notMeasured + t.runErrors} | ${t.review} | ` +
        `${isIncomplete(r) ? '**incomplete**' : 'graded'} | ${mdText(r.environment.sandbox ?? '')} | ${mdText(r.environment.probe ?? '')} |`;
    }),
    ...(context.notGraded ?? []).map((n) => `| ${mdText(n.name)} |  |  |  |  |  | **not graded** |  |  |`),
  ];
  const incomplete = sorted.filter(isIncomplete).length;
  if (incomplete > 0) {
    out.push('', `**${incomplete} of ${sorted.length} ${sorted.length === 1 ? 'grade is' : 'grades are'} incomplete**: ` +
      'a check could not be measured or the run hit a harness fault (never the student\'s fault). Re-run before publishing.');
  }
  let size = out.join('\n').length;
  for (const [i, r] of sorted.entries()) {
    const section = details(r);
    if (section === '') continue;
    if (size + section.length > SUMMARY_BUDGET) {
      out.push('', `_${sorted.length - i} more submissions left out: the summary would pass GitHub's size limit. Their reports are in the output directory._`);
      break;
    }
    out.push('', section);
    size += section.length + 1;
  }
  return `${out.join('\n')}\n`;
}

function details(r: GradeResult): string {
  const lost = inRubricOrder(r.rubric, r.checks).filter((c) => c.status === 'failed' || c.status === 'error');
  const explicit = r.environment.probe === 'explicit';
  if (lost.length === 0 && r.errors.length === 0 && !r.warnings?.length && !explicit && !r.problems?.length) return '';
  const t = tally(r);
  // Inside an HTML block Markdown escapes do not apply: HTML entities do.
  const head = `${htmlText(r.submission.name)}: ${t.failed} lost, ${t.notMeasured + t.runErrors} not measured${t.review > 0 ? `, ${t.review} to review` : ''}`;
  const body: string[] = [];
  for (const [k, v] of runConditions(r.environment)) body.push(`${k}: ${mdText(v)}  `);
  for (const p of r.problems ?? []) {
    body.push('', `**${mdText(p.message)}**  `, `Fix: ${mdText(p.fix)}  `, `It cost: ${inRubricOrder(r.rubric, r.checks.filter((c) => p.checks.includes(c.id))).map((c) => mdId(c.id)).join(', ')}`);
  }
  for (const c of lost.filter((x) => !problemOf(r, x.id))) {
    const what = c.status === 'failed' ? `lost ${pts(c.max)}${c.review === undefined ? '' : ' (**to review**)'}` : `not measured (${pts(c.max)}; not the student's fault)`;
    body.push('', `**${mdId(c.id)}** ${what}: ${mdText(c.title)}`);
    const lines = c.status === 'error' && c.error ? [`${clean(c.error.code)}: ${clean(c.error.message)}`, ...evidence(c)] : evidence(c);
    if (lines.length > 0) body.push('', mdBlock(lines));
    if (c.review !== undefined) body.push('', `Needs review (the grader may be wrong here): ${mdText(c.review)}`);
  }
  for (const e of r.errors) body.push('', `Harness error ${mdCode(e.code)}: ${mdText(e.message)}`);
  for (const w of r.warnings ?? []) body.push('', `Warning: ${mdText(w)}`);
  while (body[0] === '') body.shift();
  return ['<details>', `<summary>${head}</summary>`, '', ...body, '', '</details>'].join('\n');
}
