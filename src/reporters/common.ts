// Helpers every reporter shares: rubric ordering, text hygiene, and the wire
// transcript excerpt. Pure functions only; nothing here prints or writes.

import { byCode, type CheckResult, type RubricInfo, type SubmissionProblem, type TranscriptLine } from '../results.js';

/** Options a caller (the CLI) passes to any reporter; each uses what applies. */
export interface ReporterOptions {
  /** Terminal: emit ANSI colour. The CLI decides (chalk's detection, --no-color); default off. */
  color?: boolean;
  /** Terminal: also list passed and skipped checks, with their transcripts. */
  verbose?: boolean;
  /** Terminal: layout width in columns (default 80, at least 40). */
  width?: number;
  /** How many trailing transcript lines a lost check shows (default 6). */
  transcriptLines?: number;
  /** Gradescope: default visibility of a complete grade (default "visible"); an incomplete one is never shown before staff publish it. */
  visibility?: GradescopeVisibility;
}

/** Gradescope's visibility values (see docs/report-schema.md). */
export type GradescopeVisibility = 'visible' | 'hidden' | 'after_due_date' | 'after_published';

export const DEFAULT_TRANSCRIPT_LINES = 6;

// Covers CSI (colours, cursor moves), OSC (titles, hyperlinks) and the
// two-byte escapes; enough for anything chalk or a Python traceback emits.
const ANSI = /(?:\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\))|(?:(?:\u001B\[|\u009B)[0-?]*[ -/]*[@-~])|(?:\u001B[@-Z\\-_])/g;

/** Remove ANSI escape sequences (for our own styled output; client text is escaped by clean() instead). */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' };

// Control characters (C0, DEL, C1), what XML 1.0 forbids beyond them (lone
// surrogates, U+FFFE, U+FFFF) and the bidirectional overrides that make text
// display in another order than it was sent.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\uFFFE\uFFFF\u202A-\u202E\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A character written as its escape: `\x1b` below U+0100, `\u202e` from there. */
export function hexEscape(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

function escapeChar(c: string): string {
  return NAMED[c] ?? hexEscape(c);
}

/**
 * Text that came from the student's client (or the wire) made safe to show
 * anywhere: every control character, ESC included, written as an escape
 * (`\x1b[31m`), so a stray "\r" or a colour code is visible as evidence and
 * a hostile client can neither repaint our terminal nor break an XML report.
 */
export function clean(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** Like clean() but keeps line breaks: for multi-line text such as stderr. */
export function cleanLines(text: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.map(clean);
}

/** The first `max` UTF-16 units of a text, never splitting a surrogate pair. */
export function head(text: string, max: number): string {
  if (text.length <= max) return text;
  // charAt() of a position before the start is '', which holds no surrogate.
  const cut = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return text.slice(0, Math.max(0, cut));
}

/** The last `max` UTF-16 units of a text, never splitting a surrogate pair. */
export function tail(text: string, max: number): string {
  if (text.length <= max) return text;
  const from = text.length - max;
  return text.slice(/[\uDC00-\uDFFF]/.test(text.charAt(from)) ? from + 1 : from);
}

function position(ids: readonly { id: string }[], key: string): number {
  const i = ids.findIndex((x) => x.id === key);
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
}

/** Compare two checks by rubric order: area, then line, then check, then id. */
export function byRubricOrder(rubric: RubricInfo): (a: CheckResult, b: CheckResult) => number {
  return (a, b) =>
    position(rubric.areas, a.area) - position(rubric.areas, b.area) ||
    position(rubric.lines, a.line) - position(rubric.lines, b.line) ||
    position(rubric.checks, a.id) - position(rubric.checks, b.id) ||
    byCode(a.id, b.id);
}

/** A copy of the checks in rubric order (the order a student reads the table). */
export function inRubricOrder(rubric: RubricInfo, checks: readonly CheckResult[]): CheckResult[] {
  return [...checks].sort(byRubricOrder(rubric));
}

/** Sort keys for area and line ids: rubric order first, unknown ids after, by id. */
export function compareAreaIds(rubric: RubricInfo, a: string, b: string): number {
  return position(rubric.areas, a) - position(rubric.areas, b) || byCode(a, b);
}
export function compareLineIds(rubric: RubricInfo, a: string, b: string): number {
  return position(rubric.lines, a) - position(rubric.lines, b) || byCode(a, b);
}

/**
 * "2.1.3": the area's, line's and check's 1-based positions in the rubric.
 * Derived from the rubric, not from the run, so deselecting checks does not
 * renumber the others. Undefined for a check the rubric does not know.
 */
export function rubricNumber(rubric: RubricInfo, checkId: string): string | undefined {
  const check = rubric.checks.find((c) => c.id === checkId);
  const line = rubric.lines.find((l) => l.id === check?.line);
  if (!check || !line) return undefined;
  const a = rubric.areas.findIndex((x) => x.id === line.area) + 1;
  const l = rubric.lines.filter((x) => x.area === line.area).findIndex((x) => x.id === line.id) + 1;
  const c = rubric.checks.filter((x) => x.line === line.id).findIndex((x) => x.id === check.id) + 1;
  return `${a}.${l}.${c}`;
}

/** Human title of an area id, falling back to the id. */
export function areaTitle(rubric: RubricInfo, id: string): string {
  return rubric.areas.find((a) => a.id === id)?.title ?? id;
}

/** Whether a check counts as extra credit (its area is a bonus area). */
export function isBonus(rubric: RubricInfo, check: CheckResult): boolean {
  const areaId = rubric.lines.find((l) => l.id === check.line)?.area ?? check.area;
  return rubric.areas.find((a) => a.id === areaId)?.bonus ?? false;
}

export function pts(n: number): string {
  return `${n} ${n === 1 ? 'pt' : 'pts'}`;
}

const DIR: Record<TranscriptLine['dir'], string> = { 'c>s': 'C>', 's>c': 'S>', note: '--' };

/**
 * The last `last` lines of a transcript, as `  12ms C> REGISTER alice`, with
 * times right-aligned. `omitted` says how many earlier lines were left out.
 */
export function transcriptExcerpt(
  transcript: readonly TranscriptLine[] | undefined,
  last: number = DEFAULT_TRANSCRIPT_LINES,
): { lines: string[]; omitted: number } {
  const all = transcript ?? [];
  const shown = last > 0 ? all.slice(-last) : [];
  const times = shown.map((l) => `${Math.round(l.t)}ms`);
  const w = Math.max(0, ...times.map((t) => t.length));
  return {
    lines: shown.map((l, i) => `${times[i]!.padStart(w)} ${DIR[l.dir] ?? '??'} ${clean(l.text)}`),
    omitted: all.length - shown.length,
  };
}

/**
 * Quote a word for a POSIX shell only when it needs it. A word with control
 * characters uses bash's $'...' form, whose escapes are the ones clean() writes,
 * so the command stays both safe to print and exact to paste.
 */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  if (clean(word) === word) return `'${word.replace(/'/g, `'\\''`)}'`;
  return `$'${clean(word.replace(/\\/g, '\\\\').replace(/'/g, "\\'"))}'`;
}

/** How to re-run exactly this grading. */
export function reproduceCommand(dir: string, seed: string): string {
  return `chatgrade ${shellQuote(dir)} --seed ${shellQuote(seed)}`;
}

/** Sum of the points of the checks that could not be measured. */
export function unmeasuredPoints(checks: readonly CheckResult[]): number {
  return checks.filter((c) => c.status === 'error').reduce((n, c) => n + c.max, 0);
}

/** Expected, actual and the wire excerpt of a check, as plain-text lines. */
export function plainEvidence(check: CheckResult, transcriptLines: number | undefined): string[] {
  const out: string[] = [];
  if (check.expected !== undefined) out.push(`Expected: ${clean(check.expected)}`);
  if (check.actual !== undefined) out.push(`Actual: ${clean(check.actual)}`);
  const { lines, omitted } = transcriptExcerpt(check.transcript, transcriptLines);
  if (lines.length > 0) {
    out.push(omitted > 0 ? `Wire (last ${lines.length} of ${lines.length + omitted} lines):` : 'Wire:');
    out.push(...lines.map((l) => `  ${l}`));
  }
  return out;
}

/** How many checks a result lost, could not measure or skipped, its run-level faults, and its lost checks to review. */
export interface Tally {
  failed: number;
  notMeasured: number;
  skipped: number;
  runErrors: number;
  review: number;
}

/** Count a result's checks by what a summary line reports. */
export function tally(result: { checks: readonly CheckResult[]; errors: readonly unknown[] }): Tally {
  const n = (s: CheckResult['status']) => result.checks.filter((c) => c.status === s).length;
  return { failed: n('failed'), notMeasured: n('error'), skipped: n('skipped'), runErrors: result.errors.length, review: reviewChecks(result).length };
}

/**
 * Lost checks a person should look at: the grader could not recognise a
 * list, window, tab or button, so the failure may be the grader's.
 */
export function reviewChecks(result: { checks: readonly CheckResult[] }): CheckResult[] {
  return result.checks.filter((c) => c.status === 'failed' && c.review !== undefined);
}

/** The submission problem that cost a check, if one did. */
export function problemOf(result: { problems?: readonly SubmissionProblem[] }, checkId: string): SubmissionProblem | undefined {
  return result.problems?.find((p) => p.checks.includes(checkId));
}

/** A grade is incomplete when a check could not be measured or the run hit a harness fault. */
export function isIncomplete(result: { checks: readonly CheckResult[]; errors: readonly unknown[] }): boolean {
  const t = tally(result);
  return t.notMeasured > 0 || t.runErrors > 0;
}

/**
 * A label per result that tells apart two submissions with the same name:
 * the name alone when it is unique, else the shortest end of its path that
 * no other submission of that name shares ("section-b/ada").
 */
export function distinctNames<R extends { submission: { dir: string; name: string } }>(results: readonly R[]): Map<R, string> {
  const out = new Map<R, string>();
  const byName = new Map<string, R[]>();
  for (const r of results) byName.set(r.submission.name, [...(byName.get(r.submission.name) ?? []), r]);
  for (const [name, same] of byName) {
    if (same.length === 1) {
      out.set(same[0]!, name);
      continue;
    }
    const parts = same.map((r) => r.submission.dir.split(/[\\/]/).filter(Boolean));
    const tailOf = (p: readonly string[], n: number) => p.slice(-n).join('/');
    for (const [i, r] of same.entries()) {
      const mine = parts[i]!;
      const unique = (n: number) => !parts.some((p, j) => j !== i && tailOf(p, n) === tailOf(mine, n));
      // The shortest distinguishing end of the path; the name alone when the paths are the same.
      let k = 2;
      while (k <= mine.length && !unique(k)) k++;
      out.set(r, k <= mine.length ? tailOf(mine, k) : name);
    }
  }
  return out;
}

/** What a probe mode means, in words; 'explicit' is marked because the grader did not look at the GUI itself. */
export function probeDescription(probe: string): string {
  if (probe === 'explicit') return 'explicit: the client described its own GUI; the grader did not observe it';
  if (probe === 'tk-agent') return "tk-agent: the grader inspected the client's Tk widgets";
  return probe;
}

/** The sandbox level, probe mode and (for a JS client) how it ran, as [label, value] pairs (absent fields left out). */
export function runConditions(environment: { sandbox?: string; probe?: string; clientMode?: string }): [string, string][] {
  const out: [string, string][] = [];
  if (environment.sandbox !== undefined) out.push(['Sandbox', clean(environment.sandbox)]);
  if (environment.probe !== undefined) out.push(['GUI probe', clean(probeDescription(environment.probe))]);
  if (environment.clientMode !== undefined) out.push(['Client ran', clean(environment.clientMode)]);
  return out;
}

/** A rubric line with its points and its checks, as reports lay them out. */
export interface LineGroup {
  id: string;
  title: string;
  area: string;
  points: number;
  max: number;
  checks: CheckResult[];
}

/** The score's lines with their checks (plus any line a check names that the score lacks), in rubric order. */
export function lineGroups(r: { rubric: RubricInfo; score: { lines: readonly { id: string; title: string; area: string; points: number; max: number }[] } }, checks: readonly CheckResult[]): LineGroup[] {
  const groups = new Map<string, LineGroup>();
  for (const l of r.score.lines) groups.set(l.id, { id: l.id, title: l.title, area: l.area, points: l.points, max: l.max, checks: [] });
  for (const c of checks) {
    let g = groups.get(c.line);
    if (!g) {
      const title = r.rubric.lines.find((l) => l.id === c.line)?.title ?? c.line;
      g = { id: c.line, title, area: c.area, points: 0, max: 0, checks: [] };
      groups.set(c.line, g);
    }
    if (!r.score.lines.some((l) => l.id === c.line) && c.status !== 'skipped') {
      g.points += c.points;
      g.max += c.max;
    }
    g.checks.push(c);
  }
  return [...groups.values()].sort((a, b) => compareAreaIds(r.rubric, a.area, b.area) || compareLineIds(r.rubric, a.id, b.id));
}
