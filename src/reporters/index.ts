// The reporter registry. Each reporter is a pure function of one GradeResult
// returning a string; the CLI decides where it goes (stdout or `file` in the
// output directory). renderSafely() keeps a broken reporter from killing the
// run: it returns the failure as data for the CLI to print.

import type { GradeResult } from '../results.js';
import type { ReporterOptions } from './common.js';
import { renderGradescope } from './gradescope.js';
import { renderHtml } from './html/index.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderTerminal } from './terminal.js';

export type { ReporterOptions } from './common.js';
export { renderTerminal, terminalLines } from './terminal.js';
export { renderJson, canonicalResult } from './json.js';
export { renderJunit } from './junit.js';
export { renderGradescope, gradescopeResults, type GradescopeResults, type GradescopeTest } from './gradescope.js';
export { stripAnsi } from './common.js';

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
  if (!reporter) {
    return {
      ok: false,
      name,
      error: { code: 'reporter.unknown', message: `unknown reporter "${name}" (known: ${Object.keys(registry).join(', ')})` },
    };
  }
  const where = reporter.file === undefined ? {} : { file: reporter.file };
  try {
    const text: unknown = reporter.render(result, opts);
    if (typeof text !== 'string') throw new TypeError(`render returned ${text === null ? 'null' : typeof text}, not a string`);
    return { ok: true, name, ...where, text };
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    return {
      ok: false,
      name,
      ...where,
      error: { code: 'reporter.failed', message: `reporter "${name}" failed: ${why}`, cause },
    };
  }
}
