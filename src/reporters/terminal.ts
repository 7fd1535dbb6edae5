// The report a student reads in a terminal: the rubric table with points,
// each lost check with its requirement, Expected, Actual and the end of the
// wire transcript, harness faults apart from lost points, totals and the
// command that reproduces the run. Sorted by rubric order so runs diff.
// Widths are terminal columns (layout.ts), so wide characters in a client's
// text keep the table aligned; colour is the caller's decision.

import { Chalk, type ChalkInstance } from 'chalk';
import { byCode, type CheckResult, type GradeResult } from '../results.js';
import {
  areaTitle, clean, cleanLines, DEFAULT_TRANSCRIPT_LINES, head, lineGroups,
  inRubricOrder, problemOf, pts, reproduceCommand, reviewChecks, runConditions, transcriptExcerpt, unmeasuredPoints,
  type ReporterOptions,
} from './common.js';
import { row as layoutRow, truncate, wrapChars, wrapWords } from './layout.js';

const LABEL = 13; // "Requirement  "
const DETAIL_INDENT = 6;
const MAX_VALUE_CHARS = 600; // a 10 kB line is evidence, not something to print whole
const STDERR_LINES = 12; // enough for a typical Python traceback

interface Ctx {
  result: GradeResult;
  c: ChalkInstance;
  width: number;
  verbose: boolean;
  last: number;
}

/** The terminal report as lines (no trailing newlines). */
export function terminalLines(result: GradeResult, opts: ReporterOptions = {}): string[] {
  const ctx: Ctx = {
    result,
    // Our own instance: never touch chalk's global level.
    c: new Chalk({ level: opts.color ? 1 : 0 }),
    width: Math.max(40, opts.width ?? 80),
    verbose: opts.verbose ?? false,
    last: opts.transcriptLines ?? DEFAULT_TRANSCRIPT_LINES,
  };
  const checks = inRubricOrder(result.rubric, result.checks);
  return [
    ...header(result, ctx),
    '',
    ...problemsSection(result, ctx),
    ...table(result, checks, ctx),
    ...stderrSection(result, checks, ctx),
    ...harnessSection(result, checks, ctx),
    ...warningsSection(result, ctx),
    ...totals(result, checks, ctx),
  ];
}

/** The terminal report as one string, ending with a newline. */
export function renderTerminal(result: GradeResult, opts: ReporterOptions = {}): string {
  return terminalLines(result, opts).join('\n') + '\n';
}

function header(r: GradeResult, ctx: Ctx): string[] {
  const { c } = ctx;
  const env = [
    `node ${r.environment.node}`,
    r.environment.python && `python ${r.environment.python}`,
    r.environment.tk && `tk ${r.environment.tk}`,
    r.environment.display && `display ${r.environment.display}`,
    r.environment.platform,
  ].filter(Boolean).join(', ');
  const field = (k: string, v: string) => wrapWords(v, ctx.width - LABEL - 1)
    .map((l, i) => `  ${i === 0 ? c.dim(k.padEnd(LABEL - 1)) : ' '.repeat(LABEL - 1)}${l}`);
  const out = [
    c.bold(`${r.grader.name} ${r.grader.version} — ${clean(r.submission.name)}`),
    ...field('Submission', clean(r.submission.dir)),
    ...field('Seed', clean(r.seed)),
    ...field('Started', `${clean(r.startedAt)} (took ${(r.durationMs / 1000).toFixed(1)} s)`),
    ...field('Environment', clean(env)),
    ...runConditions(r.environment).flatMap(([k, v]) => field(k, v)),
  ];
  if (r.environment.probe === 'explicit') {
    out.push(...wrapWords('GUI DESCRIBED BY THE CLIENT: the GUI checks rest on what the client said its windows hold, not on what the grader saw.', ctx.width - 2).map((l) => `  ${c.yellow(l)}`));
  }
  return out;
}

function warningsSection(r: GradeResult, ctx: Ctx): string[] {
  if (!r.warnings?.length) return [];
  const out = [ctx.c.yellow.bold('Warnings')];
  for (const w of r.warnings) {
    out.push(...wrapWords(clean(w), ctx.width - 4).map((l, i) => `${i === 0 ? '  - ' : '    '}${l}`));
  }
  out.push('');
  return out;
}

function unmeasured(checks: readonly CheckResult[]): number {
  return checks.filter((x) => x.status === 'error').reduce((n, x) => n + x.max, 0);
}

function table(r: GradeResult, checks: CheckResult[], ctx: Ctx): string[] {
  const out: string[] = [];
  const lines = lineGroups(r, checks);
  const areas = [...new Set(lines.map((l) => l.area))];
  for (const area of areas) {
    const mine = lines.filter((l) => l.area === area);
    const points = mine.reduce((n, l) => n + l.points, 0);
    const max = mine.reduce((n, l) => n + l.max, 0);
    const lost = unmeasured(mine.flatMap((l) => l.checks));
    out.push(row(ctx, ctx.c.bold(clean(areaTitle(r.rubric, area))), fraction(ctx, points, max, lost)));
    for (const line of mine) {
      const allSkipped = line.checks.length > 0 && line.checks.every((x) => x.status === 'skipped');
      const right = allSkipped || (line.max === 0 && line.checks.length === 0)
        ? ctx.c.dim('skipped')
        : fraction(ctx, line.points, line.max, unmeasured(line.checks));
      out.push(row(ctx, `  ${clean(line.title)}`, right));
      for (const ch of line.checks) out.push(...checkEntry(ch, ctx));
    }
    out.push('');
  }
  return out;
}

function checkEntry(ch: CheckResult, ctx: Ctx): string[] {
  const { c } = ctx;
  const entry = (styled: string, right: string) => row(ctx, `    ${styled} ${clean(ch.id)}`, right);
  switch (ch.status) {
    case 'failed': {
      const problem = problemOf(ctx.result, ch.id);
      // Its cause is said once, above the table.
      if (problem) return [row(ctx, `    ${c.red.bold('FAIL')} ${clean(ch.id)} ${c.dim('(not run: see above)')}`, c.red(`lost ${pts(ch.max)}`))];
      return [
        entry(ch.review === undefined ? c.red.bold('FAIL') : `${c.red.bold('FAIL')} ${c.yellow.bold('REVIEW')}`, c.red(`lost ${pts(ch.max)}`)),
        ...details(ch, ctx, true),
        ...(ch.review === undefined ? [] : label(ctx, 'Review', `the grader may be wrong here: ${clean(ch.review)}`, 'words')),
      ];
    }
    case 'error':
      return [entry(c.magenta.bold('NOT MEASURED'), c.magenta('see below'))];
    case 'skipped':
      return ctx.verbose ? [entry(c.dim('SKIPPED'), c.dim('not run'))] : [];
    case 'passed': {
      const notes = (ch.nonStrict ?? []).map((n) => label(ctx, 'Tolerated', clean(n), 'words'));
      if (notes.length > 0) {
        return [
          entry(c.yellow.bold('NON-STRICT'), c.yellow(`+${pts(ch.points)}`)),
          ...notes.flat(),
          ...(ctx.verbose ? wire(ch, ctx) : []),
        ];
      }
      return ctx.verbose ? [entry(c.green('PASS'), c.green(`+${pts(ch.points)}`)), ...wire(ch, ctx)] : [];
    }
  }
}

/** Requirement, Expected, Actual and the wire excerpt of one check. */
function details(ch: CheckResult, ctx: Ctx, withRequirement: boolean): string[] {
  return [
    ...(withRequirement ? label(ctx, 'Requirement', clean(ch.requirement), 'words') : []),
    ...(ch.expected !== undefined ? label(ctx, 'Expected', clean(ch.expected), 'chars') : []),
    ...(ch.actual !== undefined ? label(ctx, 'Actual', clean(ch.actual), 'chars') : []),
    ...wire(ch, ctx),
  ];
}

function wire(ch: CheckResult, ctx: Ctx): string[] {
  const { lines, omitted } = transcriptExcerpt(ch.transcript, ctx.last);
  if (lines.length === 0) return [];
  const avail = ctx.width - DETAIL_INDENT - LABEL;
  const shown = lines.map((l) => ctx.c.dim(truncate(l, avail)));
  if (omitted > 0) shown.unshift(ctx.c.dim(`(${omitted} earlier ${omitted === 1 ? 'line' : 'lines'} in report.json)`));
  const pad = ' '.repeat(DETAIL_INDENT + LABEL);
  return shown.map((l, i) => (i === 0 ? `${' '.repeat(DETAIL_INDENT)}${ctx.c.dim('Wire'.padEnd(LABEL))}${l}` : pad + l));
}

function stderrSection(r: GradeResult, checks: CheckResult[], ctx: Ctx): string[] {
  const wanted = new Set(checks.filter((x) => x.status === 'failed' || x.status === 'error').map((x) => x.scenario));
  const logs = [...r.logs]
    .filter((l) => l.stderr.trim() !== '' && (ctx.verbose || wanted.has(l.scenario)))
    .sort((a, b) => byCode(a.scenario, b.scenario));
  if (logs.length === 0) return [];
  const out = [ctx.c.bold('Client stderr')];
  for (const log of logs) {
    const all = cleanLines(log.stderr);
    const shown = all.slice(-STDERR_LINES);
    const more = all.length - shown.length + (log.truncated ? 1 : 0);
    out.push(`  scenario ${clean(log.scenario)}${more > 0 ? ctx.c.dim(` (last ${shown.length} of ${log.truncated ? 'more than ' : ''}${all.length} lines)`) : ''}`);
    out.push(...shown.map((l) => `    ${ctx.c.dim(truncate(l, ctx.width - 4))}`));
  }
  out.push('');
  return out;
}

function harnessSection(r: GradeResult, checks: CheckResult[], ctx: Ctx): string[] {
  const { c } = ctx;
  const errored = checks.filter((x) => x.status === 'error');
  if (errored.length === 0 && r.errors.length === 0) return [];
  const out = [c.magenta.bold("Could not be measured — not the student's fault")];
  out.push(...wrapWords("These are faults of the grader or its environment. No points were taken for them; the grade is incomplete until they are re-run.", ctx.width - 2).map((l) => `  ${c.dim(l)}`));
  for (const e of [...r.errors].sort((a, b) => byCode(a.code, b.code))) {
    out.push(`  ${c.magenta('run')} ${clean(e.code)}`);
    out.push(...label(ctx, 'Message', clean(e.message), 'words'));
  }
  // One entry per cause: the same fault met by many checks is said once, with the checks it cost.
  for (const group of byCause(errored)) {
    const [first] = group;
    if (group.length === 1) out.push(row(ctx, `  ${c.magenta('check')} ${clean(first!.id)}`, c.magenta(`${pts(first!.max)} not graded`)));
    else {
      out.push(row(ctx, `  ${c.magenta(`${group.length} checks`)}`, c.magenta(`${pts(group.reduce((n, x) => n + x.max, 0))} not graded`)));
      out.push(...label(ctx, 'Checks', group.map((x) => clean(x.id)).join(' '), 'words'));
    }
    if (first!.error) {
      out.push(...label(ctx, 'Error', clean(first!.error.code), 'chars'));
      out.push(...label(ctx, 'Message', clean(first!.error.message), 'words'));
    }
    if (group.length === 1) out.push(...details(first!, ctx, false));
  }
  out.push('');
  return out;
}

/** Checks not measured, grouped by their error (code and message), in the order first met. */
function byCause(checks: readonly CheckResult[]): CheckResult[][] {
  const groups = new Map<string, CheckResult[]>();
  for (const ch of checks) {
    const key = ch.error ? `${ch.error.code}\n${ch.error.message}` : `\n${ch.id}`;
    groups.set(key, [...(groups.get(key) ?? []), ch]);
  }
  return [...groups.values()];
}

/** The submission's own problems, each once, with the checks it cost: what the student must fix first. */
function problemsSection(r: GradeResult, ctx: Ctx): string[] {
  const { c } = ctx;
  const out: string[] = [];
  for (const p of r.problems ?? []) {
    const cost = inRubricOrder(r.rubric, r.checks.filter((x) => p.checks.includes(x.id)));
    out.push(...wrapWords(clean(p.message), ctx.width).map((l) => c.red.bold(l)));
    out.push(...label(ctx, 'Fix', clean(p.fix), 'words'));
    out.push(...label(ctx, 'It cost', `${cost.length} ${cost.length === 1 ? 'check' : 'checks'} (${pts(cost.reduce((n, x) => n + x.max, 0))}): ${cost.map((x) => clean(x.id)).join(' ')}`, 'words'));
    out.push('');
  }
  return out;
}

function totals(r: GradeResult, checks: CheckResult[], ctx: Ctx): string[] {
  const { c } = ctx;
  const s = r.score;
  const out = [
    c.bold(`Total ${s.points}/${s.max}   Bonus ${s.bonus}/${s.bonusMax}`),
  ];
  const errored = checks.filter((x) => x.status === 'error');
  if (errored.length > 0 || r.errors.length > 0) {
    const what = errored.length > 0
      ? `${errored.length} ${errored.length === 1 ? 'check' : 'checks'} (${pts(unmeasuredPoints(checks))}) could not be measured`
      : 'the run stopped on a harness fault';
    out.push(c.magenta.bold(`INCOMPLETE: ${what}; this is not a final grade.`));
  }
  const review = reviewChecks({ checks });
  if (review.length > 0) {
    const what = `REVIEW: ${review.length} lost ${review.length === 1 ? 'check rests' : 'checks rest'} on what the grader could not recognise on screen (${pts(review.reduce((n, x) => n + x.max, 0))}): ${review.map((x) => clean(x.id)).join(' ')}. A person should look at ${review.length === 1 ? 'it' : 'them'} before trusting the points.`;
    out.push(...wrapWords(what, ctx.width).map((l) => c.yellow(l)));
  }
  const skipped = checks.filter((x) => x.status === 'skipped').length;
  if (skipped > 0) out.push(c.dim(`${skipped} ${skipped === 1 ? 'check was' : 'checks were'} not run (deselected); they count neither for nor against.`));
  out.push(`Seed ${clean(r.seed)}; to reproduce this run:`, `  ${reproduceCommand(r.submission.dir, r.seed)}`);
  return out;
}

// --- layout -----------------------------------------------------------------

function row(ctx: Ctx, left: string, right: string): string {
  return layoutRow(ctx.width, left, right);
}

/** "6/10", coloured; unmeasured points are named so they do not read as lost. */
function fraction({ c }: Ctx, points: number, max: number, notMeasured = 0): string {
  const text = `${points}/${max}`;
  if (notMeasured > 0) return `${c.magenta(`(${notMeasured} not measured)`)} ${text}`;
  if (max > 0 && points === max) return c.green(text);
  if (points === 0 && max > 0) return c.red(text);
  return c.yellow(text);
}

/**
 * A labelled detail, wrapped under its label. Prose wraps at spaces; values
 * (`chars`) wrap at the column, because their spaces are evidence.
 */
function label(ctx: Ctx, name: string, text: string, mode: 'words' | 'chars'): string[] {
  const avail = ctx.width - DETAIL_INDENT - LABEL;
  let value = text;
  if (mode === 'chars' && value.length > MAX_VALUE_CHARS) {
    value = `${head(value, MAX_VALUE_CHARS)}… (${value.length - MAX_VALUE_CHARS} more characters)`;
  }
  const parts = mode === 'words' ? wrapWords(value, avail) : wrapChars(value, avail);
  const pad = ' '.repeat(DETAIL_INDENT + LABEL);
  return parts.map((p, i) => (i === 0 ? `${' '.repeat(DETAIL_INDENT)}${ctx.c.dim(name.padEnd(LABEL))}${p}` : pad + p));
}
