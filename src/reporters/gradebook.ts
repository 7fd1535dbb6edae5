// The class-level files: grades.csv (one row per submission, ready to paste
// into an LMS) and class.json (every result in one file, which is also what
// `chatgrade merge` and --rerun-incomplete need to rebuild the gradebook).
// Pure functions of the class's results; rows sorted by submission (or in
// roster order) so two runs diff cleanly.

import { stringify } from 'csv-stringify/sync';
import { byCode, SCHEMA_VERSION, type CheckResult, type GradeResult } from '../results.js';
import { studentFor, type Roster, type RosterStudent } from '../roster.js';
import { clean, isIncomplete, reviewChecks } from './common.js';
import { canonicalResult } from './json.js';

/** The gradebook's file name at the root of the output directory. */
export const GRADEBOOK_FILE = 'grades.csv';
/** The class results file's name at the root of the output directory. */
export const CLASS_FILE = 'class.json';

/** A submission of the class that has no result: grading was stopped (Ctrl-C, SIGTERM, --bail) before it. */
export interface NotGraded {
  dir: string;
  name: string;
}

/** What a class reporter knows beyond the results: who was not graded, and the roster. */
export interface ClassContext {
  notGraded?: readonly NotGraded[];
  roster?: Roster;
}

/** class.json: every result of a class, sorted by submission, and the submissions not graded. */
export interface ClassDocument {
  schemaVersion: typeof SCHEMA_VERSION;
  results: GradeResult[];
  notGraded?: NotGraded[];
}

/** Results in the order every class report lists them: by submission name, then folder. */
export function bySubmission(results: readonly GradeResult[]): GradeResult[] {
  return [...results].sort((a, b) => byCode(a.submission.name, b.submission.name) || byCode(a.submission.dir, b.submission.dir));
}

/** Rubric line ids in the order of the first result's rubric, then any line only later results know. */
export function gradebookLines(results: readonly GradeResult[]): string[] {
  const ids: string[] = [];
  for (const r of results) {
    for (const l of [...r.rubric.lines, ...r.score.lines]) if (!ids.includes(l.id)) ids.push(l.id);
  }
  return ids;
}

const notMeasured = (checks: readonly CheckResult[]): boolean => checks.some((c) => c.status === 'error');

/** The score cells of one result: blank where something was not measured (or not run), never a 0 that was not earned. */
function scoreCells(r: GradeResult, lines: readonly string[]): string[] {
  const bonusLines = new Set(r.score.lines.filter((l) => l.bonus).map((l) => l.id));
  const line = (id: string) => {
    const l = r.score.lines.find((x) => x.id === id);
    const checks = r.checks.filter((c) => c.line === id);
    if (l === undefined || notMeasured(checks) || (checks.length > 0 && checks.every((c) => c.status === 'skipped'))) return '';
    return String(l.points);
  };
  const bonusOpen = notMeasured(r.checks.filter((c) => bonusLines.has(c.line))) || r.errors.length > 0;
  return [isIncomplete(r) ? '' : String(r.score.points), bonusOpen ? '' : String(r.score.bonus), ...lines.map(line)];
}

/** One gradebook row's parts: the roster's cells, the submission, the scores and the rest. */
interface Row {
  student?: RosterStudent;
  cells: string[];
}

/**
 * The gradebook as rows of cells: the header, the maximum points ("Points
 * Possible", as Canvas writes it), then one row per submission, and with a
 * roster one per student who handed in nothing. Cells that were not
 * measured are blank, never 0.
 */
export function gradebookRows(results: readonly GradeResult[], context: ClassContext = {}): string[][] {
  const sorted = bySubmission(results);
  const lines = gradebookLines(sorted);
  const { roster } = context;
  const rosterHeads = roster ? ([roster.headers.id, roster.headers.name, roster.headers.email].filter((h): h is string => h !== undefined)) : [];
  const header = [...rosterHeads, 'submission', 'path', 'total', 'bonus', ...lines, 'status', 'review', 'seed', 'sandbox', 'probe'];
  const studentCells = (s: RosterStudent | undefined): string[] => {
    if (!roster) return [];
    return [roster.headers.id && (s?.id ?? ''), roster.headers.name && (s?.name ?? ''), roster.headers.email && (s?.email ?? '')]
      .filter((v): v is string => typeof v === 'string').map(clean);
  };
  const blanks = (n: number): string[] => Array.from({ length: n }, () => '');
  const rows: Row[] = sorted.map((r) => {
    const student = roster ? studentFor(roster, r.submission.name) : undefined;
    const review = reviewChecks(r).map((c) => clean(c.id)).sort(byCode).join(' ');
    return {
      ...(student ? { student } : {}),
      cells: [
        clean(r.submission.name), clean(r.submission.dir), ...scoreCells(r, lines),
        isIncomplete(r) ? 'incomplete' : 'graded', review, clean(r.seed), clean(r.environment.sandbox ?? ''), clean(r.environment.probe ?? ''),
      ],
    };
  });
  const pending = [...(context.notGraded ?? [])].sort((a, b) => byCode(a.name, b.name) || byCode(a.dir, b.dir));
  for (const n of pending) {
    const student = roster ? studentFor(roster, n.name) : undefined;
    rows.push({ ...(student ? { student } : {}), cells: [clean(n.name), clean(n.dir), ...blanks(2 + lines.length), 'not graded', ...blanks(4)] });
  }
  let ordered: string[][];
  if (roster) {
    // Roster order first (each student with their submissions, or a row saying there is none), then folders no student matches.
    const out: string[][] = [];
    for (const s of roster.students) {
      const mine = rows.filter((x) => x.student === s);
      if (mine.length === 0) out.push([...studentCells(s), '', '', ...blanks(2 + lines.length), 'no submission', ...blanks(4)]);
      for (const x of mine) out.push([...studentCells(s), ...x.cells]);
    }
    for (const x of rows.filter((x) => !x.student)) out.push([...studentCells(undefined), ...x.cells]);
    ordered = out;
  } else {
    ordered = rows.map((x) => x.cells);
  }
  return [header, maxRow(sorted, lines, rosterHeads.length), ...ordered];
}

/** "Points Possible": the points each score column is out of, from the first result that has the line. */
function maxRow(results: readonly GradeResult[], lines: readonly string[], rosterColumns: number): string[] {
  const first = results[0];
  const lineMax = (id: string) => {
    const l = results.map((r) => r.score.lines.find((x) => x.id === id)).find((x) => x !== undefined);
    return l === undefined ? '' : String(l.max);
  };
  const lead = rosterColumns > 0 ? ['Points Possible', ...Array.from({ length: rosterColumns - 1 }, () => ''), '', ''] : ['Points Possible', ''];
  return [...lead, first ? String(first.score.max) : '', first ? String(first.score.bonusMax) : '', ...lines.map(lineMax), '', '', '', '', ''];
}

/**
 * grades.csv: RFC 4180 (CRLF records, quotes only where needed). A cell that
 * a spreadsheet would run as a formula (a name starting with "=", "+", "-" or
 * "@") is prefixed with a quote: a folder name is not a place for code.
 */
export function renderGradebook(results: readonly GradeResult[], context: ClassContext = {}): string {
  return stringify(gradebookRows(results, context), { record_delimiter: 'windows', escape_formulas: true });
}

/** The class.json object. */
export function classDocument(results: readonly GradeResult[], context: ClassContext = {}): ClassDocument {
  const notGraded = [...(context.notGraded ?? [])].sort((a, b) => byCode(a.name, b.name) || byCode(a.dir, b.dir));
  return {
    schemaVersion: SCHEMA_VERSION,
    results: bySubmission(results).map(canonicalResult),
    ...(notGraded.length > 0 ? { notGraded: notGraded.map((n) => ({ dir: n.dir, name: n.name })) } : {}),
  };
}

/** class.json as a string: two-space indentation, final newline. */
export function renderClassJson(results: readonly GradeResult[], context: ClassContext = {}): string {
  return `${JSON.stringify(classDocument(results, context), null, 2)}\n`;
}
