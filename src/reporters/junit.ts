// junit.xml for CI dashboards: one testsuite per rubric area, one testcase
// per check. A lost check is a <failure>; a harness fault is an <error>,
// never a failure; a deselected check is <skipped/>. No ANSI anywhere.

import junit from 'junit-report-builder';
import type { Builder } from 'junit-report-builder';
import type { CheckResult, GradeResult } from '../results.js';
import {
  areaTitle, clean, compareAreaIds, inRubricOrder, plainEvidence, pts,
  type ReporterOptions,
} from './common.js';

// The package is CommonJS typed as `export default`: under NodeNext the
// default import is module.exports at run time but typed as the namespace.
// Accept both shapes rather than depend on which loader ran us.
const root: Builder = ((junit as unknown as { default?: Builder }).default ?? junit) as unknown as Builder;

const MESSAGE_CHARS = 300;

/** The suite that holds run-level harness faults (result.errors), when there are any. */
export const HARNESS_SUITE = 'chatgrade harness';

/** junit.xml as a string. */
export function renderJunit(result: GradeResult, opts: ReporterOptions = {}): string {
  // A fresh builder per call: the package's default export is shared state.
  const builder = root.newBuilder();
  builder.name(clean(`${result.grader.name} ${result.submission.name}`));
  const checks = inRubricOrder(result.rubric, result.checks);
  const areas = [...new Set(checks.map((c) => c.area))].sort((a, b) => compareAreaIds(result.rubric, a, b));
  for (const area of areas) {
    const mine = checks.filter((c) => c.area === area);
    const lines = result.score.lines.filter((l) => l.area === area);
    const suite = builder.testSuite()
      .name(clean(areaTitle(result.rubric, area)))
      .time(seconds(mine.reduce((n, c) => n + c.durationMs, 0)))
      .property('area', clean(area))
      .property('points', String(lines.reduce((n, l) => n + l.points, 0)))
      .property('max', String(lines.reduce((n, l) => n + l.max, 0)));
    for (const check of mine) addCase(suite.testCase(), check, opts);
  }
  if (result.errors.length > 0) {
    const suite = builder.testSuite().name(HARNESS_SUITE);
    for (const e of result.errors) {
      suite.testCase().className('harness').name(clean(e.code))
        .error(oneLine(`could not be measured (not the student's fault): ${e.message}`), clean(e.code), clean(e.message));
    }
  }
  return `${builder.build()}\n`;
}

type TestCase = ReturnType<ReturnType<Builder['testSuite']>['testCase']>;

function addCase(tc: TestCase, check: CheckResult, opts: ReporterOptions): void {
  tc.className(clean(check.line))
    .name(`${clean(check.id)} (${pts(check.max)})`)
    .time(seconds(check.durationMs))
    .property('points', String(check.points))
    .property('max', String(check.max))
    .property('status', check.status);
  switch (check.status) {
    case 'failed':
      tc.failure(oneLine(failureMessage(check)), 'failed').stacktrace(details(check, opts));
      break;
    case 'error':
      tc.error(
        oneLine(`could not be measured (not the student's fault): ${check.error?.message ?? 'harness error'}`),
        clean(check.error?.code ?? 'harness.error'),
        details(check, opts),
      );
      break;
    case 'skipped':
      tc.skipped();
      break;
    case 'passed':
      if (check.nonStrict?.length) {
        tc.property('nonStrict', clean(check.nonStrict.join('; ')));
        tc.standardOutput(`passed, not strictly:\n${check.nonStrict.map((n) => `- ${clean(n)}`).join('\n')}`);
      }
      break;
  }
}

function failureMessage(check: CheckResult): string {
  if (check.expected !== undefined && check.actual !== undefined) {
    return `Expected ${clean(check.expected)}; actual ${clean(check.actual)}`;
  }
  return clean(check.requirement);
}

/** The body of a <failure> or <error>: everything a reader needs, plain text. */
function details(check: CheckResult, opts: ReporterOptions): string {
  const out = [`Requirement: ${clean(check.requirement)}`];
  if (check.error) out.push(`Harness error: ${clean(check.error.code)}: ${clean(check.error.message)}`);
  out.push(...plainEvidence(check, opts.transcriptLines));
  out.push(`Scenario: ${clean(check.scenario)}`);
  return out.join('\n');
}

function oneLine(text: string): string {
  const flat = clean(text);
  return flat.length <= MESSAGE_CHARS ? flat : `${flat.slice(0, MESSAGE_CHARS - 1)}…`;
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}
