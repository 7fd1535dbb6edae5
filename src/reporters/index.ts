// The reporter registries. A per-submission reporter is a pure function of
// one GradeResult returning a string; the CLI decides where it goes (stdout or
// `file` in the submission's output directory). A class reporter is a pure
// function of all the class's results, returning texts with their
// destinations. renderSafely() and renderClassSafely() keep a broken reporter
// from killing the run: they return the failure as data for the CLI to print.

import type { GradeResult } from '../results.js';
import type { ReporterOptions } from './common.js';
import { renderGradescope } from './gradescope.js';
import { renderHtml } from './html/index.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderTerminal } from './terminal.js';
import { renderClassJson, renderGradebook, CLASS_FILE, GRADEBOOK_FILE, type ClassContext } from './gradebook.js';
import { githubAnnotations, githubSummary } from './github.js';

export type { ReporterOptions } from './common.js';
export { renderTerminal, terminalLines } from './terminal.js';
export { renderJson, canonicalResult } from './json.js';
export { renderJunit } from './junit.js';
export {
  renderGradescope, gradescopeResults, gradescopeFailureResults, renderGradescopeFailure, gradescopeVisibility, gradescopeStaffNotes,
  type GradescopeResults, type GradescopeTest, type GradingFailure,
} from './gradescope.js';
export { stripAnsi, clean, isIncomplete, reviewChecks, distinctNames, type GradescopeVisibility } from './common.js';
export {
  renderGradebook, renderClassJson, classDocument, gradebookRows, bySubmission, GRADEBOOK_FILE, CLASS_FILE,
  type ClassContext, type ClassDocument, type NotGraded,
} from './gradebook.js';
export { progressLine, classSummaryLines, renderClassSummary } from './summary.js';
export { githubAnnotations, githubSummary } from './github.js';

/** Names the CLI accepts for --reporter. */
export type ReporterName = 'terminal' | 'json' | 'junit' | 'gradescope' | 'html';

/** A reporter: a pure render function and, unless it prints, the file it fills. */
export interface Reporter {
  /** File name inside the output directory; absent for the terminal (printed). */
  file?: string;
  /** One line for --help. */
  description: string;
  render(result: GradeResult, opts: ReporterOptions): string;
}

export const REPORTERS: Readonly<Record<ReporterName, Reporter>> = {
  terminal: {
    description: 'human-readable report on stdout',
    render: renderTerminal,
  },
  json: {
    file: 'report.json',
    description: 'the full GradeResult (docs/report-schema.md)',
    render: (result) => renderJson(result),
  },
  junit: {
    file: 'junit.xml',
    description: 'JUnit XML: a testsuite per rubric area, a testcase per check',
    render: renderJunit,
  },
  gradescope: {
    file: 'results.json',
    description: "Gradescope autograder results.json",
    render: renderGradescope,
  },
  html: { file: 'report.html', description: 'a self-contained HTML page: wire diagrams, screenshots (docs/HTML-REPORT.md)', render: renderHtml },
};

/** Why a reporter produced nothing; a harness fault, never the student's. */
export interface ReporterError {
  code: 'reporter.unknown' | 'reporter.failed';
  message: string;
  /** What the reporter threw, for a stack trace under --debug. */
  cause?: unknown;
}

/** The outcome of renderSafely(). */
export type RenderOutcome =
  | { ok: true; name: string; file?: string; text: string }
  | { ok: false; name: string; file?: string; error: ReporterError };

/**
 * Render with one reporter, catching anything it throws (or a non-string
 * it returns). `registry` defaults to REPORTERS; tests pass their own.
 */
export function renderSafely(
  name: string,
  result: GradeResult,
  opts: ReporterOptions = {},
  registry: Readonly<Record<string, Reporter>> = REPORTERS,
): RenderOutcome {
  const reporter = Object.hasOwn(registry, name) ? registry[name] : undefined;
  if (!reporter) return { ok: false, name, error: unknownReporter('reporter', name, registry) };
  const where = reporter.file === undefined ? {} : { file: reporter.file };
  try {
    const text: unknown = reporter.render(result, opts);
    if (typeof text !== 'string') throw new TypeError(`render returned ${text === null ? 'null' : typeof text}, not a string`);
    return { ok: true, name, ...where, text };
  } catch (cause) {
    return { ok: false, name, ...where, error: reporterFailed(name, cause) };
  }
}

function unknownReporter(kind: string, name: string, registry: object): ReporterError {
  return { code: 'reporter.unknown', message: `unknown ${kind} "${name}" (known: ${Object.keys(registry).join(', ')})` };
}

function reporterFailed(name: string, cause: unknown): ReporterError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return { code: 'reporter.failed', message: `reporter "${name}" failed: ${why}`, cause };
}

/** Names the CLI accepts for --reporter that act on a whole class (a single submission is a class of one). */
export type ClassReporterName = 'csv' | 'github';

/** Where one text of a class reporter goes. */
export type ClassOutput =
  /** A file at the root of the output directory. */
  | { to: 'file'; file: string; text: string }
  /** Printed on stdout (GitHub reads workflow commands there). */
  | { to: 'stdout'; text: string }
  /** Appended to the file named by $GITHUB_STEP_SUMMARY, when it is set. */
  | { to: 'step-summary'; text: string };

/** A reporter over every result of a class, run once at the end. */
export interface ClassReporter {
  /** One line for --help. */
  description: string;
  render(results: readonly GradeResult[], opts: ReporterOptions, context?: ClassContext): ClassOutput[];
}

export const CLASS_REPORTERS: Readonly<Record<ClassReporterName, ClassReporter>> = {
  csv: {
    description: `gradebook: ${GRADEBOOK_FILE} (a row per submission) and ${CLASS_FILE} (every result) at the root of --out`,
    render: (results, _opts, context = {}) => [
      { to: 'file', file: GRADEBOOK_FILE, text: renderGradebook(results, context) },
      { to: 'file', file: CLASS_FILE, text: renderClassJson(results, context) },
    ],
  },
  github: {
    description: 'GitHub Actions: annotations for lost checks, a Markdown table for the step summary',
    render: (results, _opts, context = {}) => [
      { to: 'stdout', text: githubAnnotations(results) },
      { to: 'step-summary', text: githubSummary(results, context) },
    ],
  },
};

/** The outcome of renderClassSafely(). */
export type ClassRenderOutcome =
  | { ok: true; name: string; outputs: ClassOutput[] }
  | { ok: false; name: string; error: ReporterError };

/** Render with one class reporter, catching anything it throws or a malformed return. */
export function renderClassSafely(
  name: string,
  results: readonly GradeResult[],
  opts: ReporterOptions = {},
  registry: Readonly<Record<string, ClassReporter>> = CLASS_REPORTERS,
  context: ClassContext = {},
): ClassRenderOutcome {
  const reporter = Object.hasOwn(registry, name) ? registry[name] : undefined;
  if (!reporter) return { ok: false, name, error: unknownReporter('class reporter', name, registry) };
  try {
    const outputs: unknown = reporter.render(results, opts, context);
    if (!Array.isArray(outputs) || !outputs.every((o) => typeof (o as ClassOutput | null)?.text === 'string')) {
      throw new TypeError('render did not return a list of texts');
    }
    return { ok: true, name, outputs: outputs as ClassOutput[] };
  } catch (cause) {
    return { ok: false, name, error: reporterFailed(name, cause) };
  }
}
