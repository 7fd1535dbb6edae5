// The class-level files: grades.csv (one row per submission, ready to paste
// into an LMS) and class.json (every result in one file, which is also what
// `grade merge` needs to rebuild the gradebook from shards). Pure functions of
// the class's results; rows sorted by submission so two runs diff cleanly.

import { stringify } from 'csv-stringify/sync';
import { byCode, SCHEMA_VERSION, type GradeResult } from '../results.js';
import { clean, isIncomplete } from './common.js';
import { canonicalResult } from './json.js';

/** The gradebook's file name at the root of the output directory. */
export const GRADEBOOK_FILE = 'grades.csv';
/** The class results file's name at the root of the output directory. */
export const CLASS_FILE = 'class.json';

/** class.json: every result of a class, sorted by submission. */
export interface ClassDocument {
  schemaVersion: typeof SCHEMA_VERSION;
  results: GradeResult[];
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

/** The gradebook as rows of cells, header first. */
export function gradebookRows(results: readonly GradeResult[]): string[][] {
  const sorted = bySubmission(results);
  const lines = gradebookLines(sorted);
  const header = ['submission', 'total', 'bonus', ...lines, 'status', 'seed', 'sandbox', 'probe'];
  const rows = sorted.map((r) => {
    const points = (id: string) => {
      const line = r.score.lines.find((l) => l.id === id);
      return line === undefined ? '' : String(line.points);
    };
    return [
      clean(r.submission.name),
      String(r.score.points),
      String(r.score.bonus),
      ...lines.map(points),
      isIncomplete(r) ? 'incomplete' : 'graded',
      clean(r.seed),
      clean(r.environment.sandbox ?? ''),
      clean(r.environment.probe ?? ''),
    ];
  });
  return [header, ...rows];
}

/**
 * grades.csv: RFC 4180 (CRLF records, quotes only where needed). A cell that
 * a spreadsheet would run as a formula (a name starting with "=", "+", "-" or
 * "@") is prefixed with a quote: a folder name is not a place for code.
 */
export function renderGradebook(results: readonly GradeResult[]): string {
  return stringify(gradebookRows(results), { record_delimiter: 'windows', escape_formulas: true });
}

/** The class.json object. */
export function classDocument(results: readonly GradeResult[]): ClassDocument {
  return { schemaVersion: SCHEMA_VERSION, results: bySubmission(results).map(canonicalResult) };
}

/** class.json as a string: two-space indentation, final newline. */
export function renderClassJson(results: readonly GradeResult[]): string {
  return `${JSON.stringify(classDocument(results), null, 2)}\n`;
}
