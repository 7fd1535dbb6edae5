// What the terminal shows while and after a class is graded: the plain
// progress line of one finished submission, and the summary table printed at
// the end. Pure functions; the CLI decides where they go and about colour.

import { Chalk } from 'chalk';
import { byCode, type GradeResult } from '../results.js';
import { clean, distinctNames, isIncomplete, tally, type ReporterOptions } from './common.js';
import { bySubmission } from './gradebook.js';
import { padEnd, padStart, truncate, width as columns, wrapWords } from './layout.js';

/**
 * One finished submission as a plain line, e.g. `[12/40] alice 87/100 +15 (3 failed)`.
 * The count is padded to the total's width so a column of them lines up.
 */
export function progressLine(done: number, total: number, result: GradeResult): string {
  const t = tally(result);
  const s = result.score;
  const notes = [
    // A submission's own problem first, by its first words: "Does not start", "Not graded".
    ...(result.problems ?? []).map((p) => p.message.split(':')[0]!.toLowerCase()),
    ...(t.failed > 0 ? [`${t.failed} failed`] : []),
    ...(t.notMeasured > 0 ? [`${t.notMeasured} not measured`] : []),
    ...(t.runErrors > 0 ? [`${t.runErrors} harness ${t.runErrors === 1 ? 'error' : 'errors'}`] : []),
    ...(t.review > 0 ? [`${t.review} to review`] : []),
  ];
  const incomplete = isIncomplete(result) ? ': INCOMPLETE' : '';
  const tail = notes.length > 0 ? ` (${notes.join(', ')}${incomplete})` : '';
  const count = `${String(done).padStart(String(total).length)}/${total}`;
  return `[${count}] ${clean(result.submission.name)} ${s.points}/${s.max} +${s.bonus}${tail}`;
}

const HEADERS = ['Submission', 'Total', 'Bonus', 'Failed', 'Errors', 'Review'] as const;

/**
 * The end-of-class table, sorted by submission: total, bonus, failed checks,
 * errors (checks not measured plus run-level faults) and lost checks to
 * review, the incomplete grades marked, then a count of them, of the grades
 * to review, and the sandbox levels and probe modes seen.
 */
export function classSummaryLines(results: readonly GradeResult[], opts: ReporterOptions = {}): string[] {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const width = Math.max(40, opts.width ?? 80);
  const labels = distinctNames(results);
  const rows = bySubmission(results).map((r) => {
    const t = tally(r);
    return {
      name: clean(labels.get(r) ?? r.submission.name),
      cells: [`${r.score.points}/${r.score.max}`, `${r.score.bonus}/${r.score.bonusMax}`, String(t.failed), String(t.notMeasured + t.runErrors), t.review > 0 ? `${t.review}?` : '0'],
      incomplete: isIncomplete(r),
      review: t.review,
    };
  });
  const numeric = HEADERS.slice(1).map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i]!.length)));
  const cellsWidth = numeric.reduce((n, w) => n + w + 2, 0);
  // On a narrow terminal an incomplete grade is marked "!" (the footer says what it means), so names keep 10 columns.
  const mark = width - cellsWidth - ' INCOMPLETE'.length >= 10 ? ' INCOMPLETE' : ' !';
  const fixed = cellsWidth + (rows.some((r) => r.incomplete) ? mark.length : 0);
  const nameWidth = Math.max(6, Math.min(width - fixed, Math.max(HEADERS[0].length, ...rows.map((r) => columns(r.name)))));
  const line = (name: string, cells: readonly string[]) =>
    padEnd(truncate(name, nameWidth), nameWidth) + cells.map((x, i) => `  ${padStart(x, numeric[i]!)}`).join('');
  const out = [c.bold(line(HEADERS[0], HEADERS.slice(1)))];
  for (const r of rows) {
    const text = line(r.name, r.cells);
    out.push(r.incomplete ? `${text}${c.magenta(mark)}` : text);
  }
  const incomplete = rows.filter((r) => r.incomplete).length;
  const n = rows.length;
  const footer = `${n} ${n === 1 ? 'submission' : 'submissions'}; ${incomplete === 0
    ? 'all grades complete.'
    : `${incomplete} incomplete${mark === ' !' ? ' (marked "!")' : ''} (a harness fault, not the student's: re-run ${incomplete === 1 ? 'it' : 'them'} before publishing).`}`;
  out.push('', ...wrapWords(footer, width).map((l) => (incomplete > 0 ? c.magenta(l) : l)));
  const toReview = rows.filter((r) => r.review > 0);
  if (toReview.length > 0) {
    const checks = toReview.reduce((k, r) => k + r.review, 0);
    const text = `${toReview.length} ${toReview.length === 1 ? 'grade has' : 'grades have'} lost checks to review (${checks} in all, marked "?"): the grader could not recognise part of the GUI there; look at those before publishing.`;
    out.push(...wrapWords(text, width).map((l) => c.yellow(l)));
  }
  out.push(...wrapWords(conditionCounts(results), width).filter((l) => l !== ''));
  return out;
}

/** The summary table as one string, ending with a newline. */
export function renderClassSummary(results: readonly GradeResult[], opts: ReporterOptions = {}): string {
  return `${classSummaryLines(results, opts).join('\n')}\n`;
}

/** "Sandbox: full (38), off (2) · GUI probe: tk-agent (40)", or '' when no result reports either. */
export function conditionCounts(results: readonly GradeResult[]): string {
  const count = (pick: (r: GradeResult) => string | undefined) => {
    const seen = new Map<string, number>();
    for (const r of results) {
      const v = pick(r);
      if (v !== undefined) seen.set(clean(v), (seen.get(clean(v)) ?? 0) + 1);
    }
    return [...seen].sort(([a], [b]) => byCode(a, b)).map(([v, k]) => `${v} (${k})`).join(', ');
  };
  const parts = [
    ['Sandbox', count((r) => r.environment.sandbox)],
    ['GUI probe', count((r) => r.environment.probe)],
  ].filter(([, v]) => v !== '').map(([k, v]) => `${k}: ${v}`);
  return parts.join(' · ');
}
