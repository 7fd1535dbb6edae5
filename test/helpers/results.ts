// Results for the reporter tests: the committed fixtures, and variants of them
// built here (a hostile client, a class of several submissions).

import { readFileSync } from 'node:fs';
import type { CheckResult, GradeResult } from '../../src/results.js';

export const fixture = (name: 'full-marks' | 'failures' | 'harness-error' | 'skipped'): GradeResult =>
  JSON.parse(readFileSync(new URL(`../fixtures/results/${name}.json`, import.meta.url), 'utf8')) as GradeResult;

/** The check `id` of a result (the fixtures hold every check of the rubric). */
export const checkOf = (r: GradeResult, id: string): CheckResult => r.checks.find((c) => c.id === id)!;

export const ESC = '\u001b';
/** What a hostile or broken client can put in one line: "]]>" twice, ESC, NUL, a decoded invalid byte, and worse. */
export const HOSTILE = `A]]>B]]>C ${ESC}[1mbold${ESC}[0m \u0000 \uFFFD \uD800 \uFFFE \u202Etxt.exe \u0007 ]]>`;

/** The failures fixture as sent by a client whose wire lines and stderr carry HOSTILE. */
export function hostileResult(name = 'grace-hopper'): GradeResult {
  const r = structuredClone(fixture('failures'));
  r.submission = { dir: `/srv/submissions/${name}`, name };
  const check = r.checks.find((c) => c.id === 'basic.register.format')!;
  check.actual = `REGISTER ${HOSTILE}`;
  check.transcript = [
    { t: 3, dir: 'c>s', text: `REGISTER ${HOSTILE}` },
    { t: 9, dir: 's>c', text: 'ERROR bad name' },
  ];
  const log = r.logs.find((l) => l.scenario === check.scenario)!;
  log.stderr = `Traceback (most recent call last):\n  File "net.py", line 3\nValueError: ${HOSTILE}\n`;
  r.environment = { ...r.environment, sandbox: 'fallback', probe: 'tk-agent' };
  r.warnings = [`grade.json sets "timeout": ignored ${HOSTILE}`];
  return r;
}

/** A class: the fixtures under several submission names, one of them incomplete. */
export function classResults(): GradeResult[] {
  const named = (r: GradeResult, name: string): GradeResult => ({ ...r, submission: { dir: `/srv/class/${name}`, name } });
  return [
    named(fixture('full-marks'), 'ada'),
    named(fixture('harness-error'), 'carol'),
    named(fixture('failures'), 'bob'),
    named(fixture('skipped'), 'dave'),
  ];
}
