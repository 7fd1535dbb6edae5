// GitHub Actions, in the manner of Vitest's github-actions reporter:
// workflow-command annotations for lost checks (printed to stdout), and a
// Markdown summary the CLI appends to $GITHUB_STEP_SUMMARY. A single
// submission is a class of one.

import type { CheckResult, GradeResult } from '../results.js';
import {
  clean, inRubricOrder, isIncomplete, pts, runConditions, tally,
} from './common.js';
import { bySubmission } from './gradebook.js';
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
 * Annotations, one line each: `::error` for every lost check, `::warning` for
 * every check not measured and every run-level harness fault (not the
 * student's, but staff must re-run). Client text is clean()ed first, so it
 * carries no control character of its own.
 */
export function githubAnnotations(results: readonly GradeResult[]): string {
  const out: string[] = [];
  for (const r of bySubmission(results)) {
    const who = clean(r.submission.name);
    for (const c of inRubricOrder(r.rubric, r.checks)) {
      if (c.status === 'failed') {
        out.push(workflowCommand('error', { title: `${who}: ${clean(c.id)} lost ${pts(c.max)}` },
          [`${clean(c.title)}. ${clean(c.requirement)}`, ...evidence(c)].join('\n')));
      } else if (c.status === 'error') {
        out.push(workflowCommand('warning', { title: `${who}: ${clean(c.id)} not measured (${pts(c.max)})` },
          `Could not be measured, not the student's fault: ${clean(c.error?.code ?? 'harness.error')}: ${clean(c.error?.message ?? '')}`));
      }
    }
    for (const e of r.errors) {
      out.push(workflowCommand('warning', { title: `${who}: harness error ${clean(e.code)}` }, `The grade is incomplete: ${clean(e.message)}`));
    }
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

/** The step summary: a table of the class, then each submission's lost checks in a collapsed section. */
export function githubSummary(results: readonly GradeResult[]): string {
  const sorted = bySubmission(results);
  const title = sorted[0] ? `${sorted[0].grader.name}: ${sorted[0].rubric.title}` : 'chatgrade';
  const out = [
    `## ${mdText(title)}`,
    '',
    '| Submission | Total | Bonus | Failed | Not measured | Grade | Sandbox | GUI probe |',
    '|---|---:|---:|---:|---:|---|---|---|',
    ...sorted.map((r) => {
      const t = tally(r);
      const s = r.score;
      return `| ${mdText(r.submission.name)} | ${s.points}/${s.max} | ${s.bonus}/${s.bonusMax} | ${t.failed} | ${t.notMeasured + t.runErrors} | ` +
        `${isIncomplete(r) ? '**incomplete**' : 'graded'} | ${mdText(r.environment.sandbox ?? '')} | ${mdText(r.environment.probe ?? '')} |`;
    }),
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
  if (lost.length === 0 && r.errors.length === 0 && !r.warnings?.length && !explicit) return '';
  const t = tally(r);
  // Inside an HTML block Markdown escapes do not apply: HTML entities do.
  const head = `${htmlText(r.submission.name)}: ${t.failed} lost, ${t.notMeasured + t.runErrors} not measured`;
  const body: string[] = [];
  for (const [k, v] of runConditions(r.environment)) body.push(`${k}: ${mdText(v)}  `);
  for (const c of lost) {
    const what = c.status === 'failed' ? `lost ${pts(c.max)}` : `not measured (${pts(c.max)}; not the student's fault)`;
    body.push('', `**${mdId(c.id)}** ${what}: ${mdText(c.title)}`);
    const lines = c.status === 'error' && c.error ? [`${clean(c.error.code)}: ${clean(c.error.message)}`, ...evidence(c)] : evidence(c);
    if (lines.length > 0) body.push('', mdBlock(lines));
  }
  for (const e of r.errors) body.push('', `Harness error ${mdCode(e.code)}: ${mdText(e.message)}`);
  for (const w of r.warnings ?? []) body.push('', `Warning: ${mdText(w)}`);
  while (body[0] === '') body.shift();
  return ['<details>', `<summary>${head}</summary>`, '', ...body, '', '</details>'].join('\n');
}
