// junit.xml for CI dashboards: one testsuite per rubric area, one testcase
// per check. A lost check is a <failure>; a harness fault is an <error>,
// never a failure; a deselected check is <skipped/>.
//
// The document stays inside what both common Jenkins schemas accept (dtkit's
// junit-4.xsd and the xunit plugin's junit-10.xsd; test/fixtures/schemas/):
// properties only on <testsuite>, no `skipped` on <testsuites>, testcases with
// name, classname and time only, and children in the order junit-4 requires.
// Points therefore live in the testcase name ("(4 pts)") and in the suite's
// properties. Every classname starts with the submission ("alice.basic.register")
// so the files of a whole class merge without two tests sharing a name.
//
// Written with xml.ts rather than junit-report-builder: its bundled builder
// escaped only the first "]]>" of a CDATA section and let control characters
// through, and it put properties where the schemas forbid them. The format is
// small enough that owning it costs less than working around a builder.

import type { CheckResult, GradeResult } from '../results.js';
import {
  areaTitle, clean, cleanLines, compareAreaIds, head, inRubricOrder, isIncomplete, plainEvidence, problemOf, pts,
  reviewChecks, tail, type ReporterOptions,
} from './common.js';
import { xmlDocument, type XmlElement } from './xml.js';

const MESSAGE_CHARS = 300;
/** Client stderr kept per testcase (its end: where a traceback is). */
export const STDERR_CHARS = 4000;

/** The suite that holds run-level harness faults (result.errors), when there are any. */
export const HARNESS_SUITE = 'chatgrade harness';

/**
 * The submission as the first part of every classname. Kept as it is (a dot
 * in a name only adds a level in a CI's tree view): any rewriting could make
 * two distinct names collide.
 */
export function classPrefix(result: GradeResult): string {
  return clean(result.submission.name);
}

/** junit.xml as a string. */
export function renderJunit(result: GradeResult, opts: ReporterOptions = {}): string {
  const checks = inRubricOrder(result.rubric, result.checks);
  const areas = [...new Set(checks.map((c) => c.area))].sort((a, b) => compareAreaIds(result.rubric, a, b));
  const suites = areas.map((area) => areaSuite(result, area, checks.filter((c) => c.area === area), opts));
  if (result.errors.length > 0) suites.push(harnessSuite(result));
  const count = (name: string) => suites.reduce((n, s) => n + Number(s.attrs?.[name] ?? 0), 0);
  return xmlDocument({
    name: 'testsuites',
    attrs: {
      name: `${result.grader.name} ${clean(result.submission.name)}`,
      tests: count('tests'),
      failures: count('failures'),
      errors: count('errors'),
      time: seconds(result.durationMs),
    },
    children: suites,
  });
}

function areaSuite(r: GradeResult, area: string, checks: CheckResult[], opts: ReporterOptions): XmlElement {
  const lines = r.score.lines.filter((l) => l.area === area);
  const props: [string, string | number][] = [
    ['area', area],
    ['points', lines.reduce((n, l) => n + l.points, 0)],
    ['max', lines.reduce((n, l) => n + l.max, 0)],
    ...lines.map((l): [string, string] => [`points.${l.id}`, `${l.points}/${l.max}`]),
  ];
  return {
    name: 'testsuite',
    attrs: {
      name: clean(areaTitle(r.rubric, area)),
      tests: checks.length,
      failures: checks.filter((c) => c.status === 'failed').length,
      errors: checks.filter((c) => c.status === 'error').length,
      skipped: checks.filter((c) => c.status === 'skipped').length,
      time: seconds(checks.reduce((n, c) => n + c.durationMs, 0)),
      timestamp: clean(r.startedAt),
    },
    children: [properties(r, props), ...checks.map((c) => testcase(r, c, opts))],
  };
}

/** Suite properties: the area's points, then what every suite repeats so any one of them tells the grade. */
function properties(r: GradeResult, own: [string, string | number][]): XmlElement {
  const all: [string, string | number][] = [
    ['submission', r.submission.name],
    ...own,
    ['total', `${r.score.points}/${r.score.max}`],
    ['bonus', `${r.score.bonus}/${r.score.bonusMax}`],
    ['grade', isIncomplete(r) ? 'incomplete' : 'graded'],
    ['seed', r.seed],
    ...(r.environment.sandbox !== undefined ? [['sandbox', r.environment.sandbox] as [string, string]] : []),
    ...(r.environment.probe !== undefined ? [['probe', r.environment.probe] as [string, string]] : []),
    ...(r.warnings ?? []).map((w): [string, string] => ['warning', w]),
    ...(r.problems ?? []).map((p): [string, string] => ['problem', `${p.message} Fix: ${p.fix}`]),
    ...reviewChecks(r).map((c): [string, string] => ['review', c.id]),
  ];
  return {
    name: 'properties',
    children: all.map(([name, value]) => ({ name: 'property', attrs: { name: clean(name), value: clean(String(value)) } })),
  };
}

function testcase(r: GradeResult, check: CheckResult, opts: ReporterOptions): XmlElement {
  const children: XmlElement[] = [];
  switch (check.status) {
    case 'failed': {
      const problem = problemOf(r, check.id);
      const message = problem ? `not run: ${problem.message}` : `${check.review === undefined ? '' : 'TO REVIEW: '}${failureMessage(check)}`;
      const body = problem ? `${clean(problem.message)}\nFix: ${clean(problem.fix)}\nRequirement: ${clean(check.requirement)}` : details(check, opts);
      children.push({ name: 'failure', attrs: { message: oneLine(message), type: 'failed' }, children: [body] });
      break;
    }
    case 'error':
      children.push({
        name: 'error',
        attrs: {
          message: oneLine(`could not be measured (not the student's fault): ${check.error?.message ?? 'harness error'}`),
          type: clean(check.error?.code ?? 'harness.error'),
        },
        children: [details(check, opts)],
      });
      break;
    case 'skipped':
      children.push({ name: 'skipped' });
      break;
    case 'passed':
      if (check.nonStrict?.length) {
        children.push({ name: 'system-out', children: [`passed, not strictly:\n${check.nonStrict.map((n) => `- ${clean(n)}`).join('\n')}`] });
      }
      break;
  }
  if (check.status === 'failed' || check.status === 'error') {
    const err = stderrOf(r, [check.scenario]);
    if (err) children.push({ name: 'system-err', children: [err] });
  }
  return {
    name: 'testcase',
    attrs: {
      classname: `${classPrefix(r)}.${clean(check.line)}`,
      name: `${clean(check.id)} (${pts(check.max)})`,
      time: seconds(check.durationMs),
    },
    children,
  };
}

function harnessSuite(r: GradeResult): XmlElement {
  const cases: XmlElement[] = r.errors.map((e) => ({
    name: 'testcase',
    attrs: { classname: `${classPrefix(r)}.harness`, name: clean(e.code), time: seconds(0) },
    children: [{
      name: 'error',
      attrs: { message: oneLine(`could not be measured (not the student's fault): ${e.message}`), type: clean(e.code) },
      children: [`${clean(e.code)}: ${clean(e.message)}`],
    }],
  }));
  const err = stderrOf(r, r.logs.map((l) => l.scenario));
  return {
    name: 'testsuite',
    attrs: { name: HARNESS_SUITE, tests: cases.length, failures: 0, errors: cases.length, skipped: 0, time: seconds(0), timestamp: clean(r.startedAt) },
    children: [properties(r, []), ...cases, ...(err ? [{ name: 'system-err', children: [err] }] : [])],
  };
}

/** The client's stderr of the given scenario runs, each headed by its name, capped to its end. */
function stderrOf(r: GradeResult, scenarios: readonly string[]): string {
  const parts = [...new Set(scenarios)].sort().flatMap((s) => {
    const log = r.logs.find((l) => l.scenario === s);
    if (!log || log.stderr.trim() === '') return [];
    const text = cleanLines(log.stderr).join('\n');
    const cut = text.length > STDERR_CHARS || log.truncated;
    return [`--- client stderr, scenario ${clean(s)}${cut ? ' (its end only)' : ''} ---\n${tail(text, STDERR_CHARS)}`];
  });
  return parts.join('\n');
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
  if (check.review !== undefined) out.push(`Needs review (the grader may be wrong here): ${clean(check.review)}`);
  out.push(`Scenario: ${clean(check.scenario)}`);
  return out.join('\n');
}

function oneLine(text: string): string {
  const flat = clean(text);
  return flat.length <= MESSAGE_CHARS ? flat : `${head(flat, MESSAGE_CHARS - 1)}…`;
}

/** Seconds with three decimals: the plain form junit-10's time pattern accepts (never 1e-7). */
function seconds(ms: number): string {
  return (Math.max(0, Math.round(ms)) / 1000).toFixed(3);
}
