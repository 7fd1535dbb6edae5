// Helpers every reporter shares: rubric ordering, text hygiene, and the wire
// transcript excerpt. Pure functions only; nothing here prints or writes.

import type { CheckResult, RubricInfo, TranscriptLine } from '../results.js';

/** Options a caller (the CLI) passes to any reporter; each uses what applies. */
export interface ReporterOptions {
  /** Terminal: emit ANSI colour. The CLI decides from NO_COLOR / TTY; default off. */
  color?: boolean;
  /** Terminal: also list passed and skipped checks, with their transcripts. */
  verbose?: boolean;
  /** Terminal: wrap width in columns (default 80). */
  width?: number;
  /** How many trailing transcript lines a lost check shows (default 6). */
  transcriptLines?: number;
  /** Gradescope: visibility of each test (default "visible"). */
  visibility?: 'visible' | 'hidden' | 'after_due_date' | 'after_published';
}

export const DEFAULT_TRANSCRIPT_LINES = 6;

// Covers CSI (colours, cursor moves), OSC (titles, hyperlinks) and the
// two-byte escapes; enough for anything chalk or a Python traceback emits.
const ANSI = /(?:\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\))|(?:(?:\u001B\[|\u009B)[0-?]*[ -/]*[@-~])|(?:\u001B[@-Z\\-_])/g;

/** Remove ANSI escape sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' };

/**
 * Text that came from the student's client (or the wire) made safe to show:
 * ANSI removed, every other control character written as an escape, so a
 * stray "\r" is visible and a hostile client cannot repaint our terminal.
 */
export function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return stripAnsi(text).replace(/[\u0000-\u001F\u007F-\u009F]/g, (c) =>
    NAMED[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Like clean() but keeps line breaks: for multi-line text such as stderr. */
export function cleanLines(text: string): string[] {
  const lines = stripAnsi(text).replace(/\r\n/g, '\n').split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.map(clean);
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
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** A copy of the checks in rubric order (the order a student reads the table). */
export function inRubricOrder(rubric: RubricInfo, checks: readonly CheckResult[]): CheckResult[] {
  return [...checks].sort(byRubricOrder(rubric));
}

/** Sort keys for area and line ids: rubric order first, unknown ids after, by id. */
export function compareAreaIds(rubric: RubricInfo, a: string, b: string): number {
  return position(rubric.areas, a) - position(rubric.areas, b) || (a < b ? -1 : a > b ? 1 : 0);
}
export function compareLineIds(rubric: RubricInfo, a: string, b: string): number {
  return position(rubric.lines, a) - position(rubric.lines, b) || (a < b ? -1 : a > b ? 1 : 0);
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

/** Quote a word for a POSIX shell only when it needs it. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** How to re-run exactly this grading. */
export function reproduceCommand(dir: string, seed: string): string {
  return `grade ${shellQuote(dir)} --seed ${shellQuote(seed)}`;
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
