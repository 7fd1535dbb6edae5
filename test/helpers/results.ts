// Results for the reporter tests: the committed fixtures, and variants of them
// built here (a hostile client, a class of several submissions).

import { readFileSync } from 'node:fs';
import { chat } from '../../src/packs/chat/index.js';
import type { CheckResult, GradeResult } from '../../src/results.js';
import { score } from '../../src/rubric.js';

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

/** Lost checks the grader flagged for review: it could not recognise the online list, or a button. */
export function review(): GradeResult {
  const r = fixture('failures');
  r.submission = { dir: '/srv/submissions/李雷', name: '李雷', folder: 'LiLei-5d41af' };
  const icons = r.checks.find((c) => c.id === 'bonus.icons.shown')!;
  icons.review = 'no image widget was recognised in the online list; on screen: a Listbox (3 rows: mira_7q, oyelaran, tomas_k2) and a Canvas 40x40';
  const noSelf = r.checks.find((c) => c.id === 'basic.online_users.no_self')!;
  noSelf.review = 'no list of online users was recognised; on screen: a Text widget (4 lines) and two Buttons ("Send", "Away")';
  return r;
}

/** A client that does not start (a syntax error in main.py): one problem, the checks it cost failed without being run. */
export function doesNotStart(): GradeResult {
  const r = fixture('failures');
  r.submission = { dir: '/srv/submissions/Zoë Müller', name: 'Zoë Müller', folder: 'Zoe_Muller' };
  const cost = r.checks.filter((c) => c.scenario === 'session' || c.scenario === 'goodbye');
  const message = 'Does not start: SyntaxError in main.py line 12: invalid syntax';
  for (const c of cost) {
    Object.assign(c, { status: 'failed', points: 0, expected: 'the client starts', actual: message });
    delete c.transcript;
    delete c.seen;
    delete c.nonStrict;
    delete c.review;
  }
  r.problems = [{
    code: 'submission.syntaxError',
    message,
    fix: 'Correct line 12 of main.py (python3 -m py_compile main.py shows the same error), then grade again.',
    checks: cost.map((c) => c.id).sort(),
  }];
  r.score = score(chat.rubric, Object.fromEntries(r.checks.map((c) => [c.id, c.status])));
  return r;
}

/** A class named in Chinese, with accents and with spaces, and a roster that knows all but one of them. */
export function unicodeClass(): GradeResult[] {
  const named = (r: GradeResult, name: string, folder: string): GradeResult => ({ ...r, submission: { dir: `/srv/class/${name}`, name, folder } });
  return [
    named(fixture('full-marks'), '李雷', 'LiLei'),
    named(fixture('failures'), '王芳', 'WangFang'),
    named(fixture('full-marks'), 'Zoë Müller', 'Zoe_Muller'),
    named(fixture('harness-error'), 'ana maria', 'ana_maria'),
    review(),
  ];
}

