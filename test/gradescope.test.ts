// Gradescope's results.json: an environment failure, an incomplete grade and
// bonus points, each as Gradescope's autograder specification reads them.

import { describe, expect, it } from 'vitest';
import {
  gradescopeStaffNotes,
  gradescopeFailureResults, gradescopeResults, renderGradescopeFailure, type GradingFailure,
} from '../src/reporters/index.js';
import { checkOf, ESC, fixture, hostileResult } from './helpers/results.js';

const FAILURE: GradingFailure = {
  errors: [{ code: 'env.noTkinter', message: 'no Python with tkinter was found (tried python3, python3.12)' }],
  grader: { name: 'chatgrade', version: '0.1.0' },
  submission: { dir: '/autograder/submission', name: 'submission' },
  durationMs: 2400,
  environment: { platform: 'linux', sandbox: 'off' },
  notes: ['apt-get install python3-tk would fix it'],
};

describe('gradescope: the environment failed', () => {
  it('scores 0, tells staff what went wrong, and is held until staff publish', () => {
    const gs = gradescopeFailureResults(FAILURE);
    expect(gs.score).toBe(0);
    expect(gs.execution_time).toBe(2);
    expect(gs.visibility).toBe('after_published');
    expect(gs.output_format).toBe('md');
    expect(gs.output).toMatch(/^\*\*Grading could not run, so nothing was graded\.\*\*/);
    expect(gs.output).toContain('not of your submission');
    expect(gs.output).toContain('`env.noTkinter`: no Python with tkinter was found \\(tried python3, python3\\.12\\)');
    expect(gs.output).toContain('apt\\-get install python3\\-tk would fix it');
    expect(gs.output).toContain('Sandbox: off');
    expect(gs.tests).toEqual([expect.objectContaining({ score: 0, max_score: 0, status: 'failed', visibility: 'after_published' })]);
    expect(gs.tests[0]!.output).toContain('env.noTkinter');
  });

  it('keeps "hidden" when staff asked for it, and serialises to the same object', () => {
    expect(gradescopeFailureResults(FAILURE, { visibility: 'hidden' }).visibility).toBe('hidden');
    expect(gradescopeFailureResults(FAILURE, { visibility: 'visible' }).visibility).toBe('after_published');
    expect(JSON.parse(renderGradescopeFailure(FAILURE))).toEqual(gradescopeFailureResults(FAILURE));
    const bare = gradescopeFailureResults({ errors: [{ code: 'probe.noDisplay', message: 'no X display' }] });
    expect(bare.output).toContain('`probe.noDisplay`: no X display');
    expect(bare.execution_time).toBe(0);
  });
});

describe('gradescope: an incomplete grade', () => {
  it('a check not measured holds every test and the result until published', () => {
    const gs = gradescopeResults(fixture('harness-error'), { visibility: 'visible' });
    expect(gs.visibility).toBe('after_published');
    expect(new Set(gs.tests.map((t) => t.visibility))).toEqual(new Set(['after_published']));
    expect(gs.output).toContain('**GRADE INCOMPLETE**');
  });

  it('a run-level harness fault does too; a complete grade keeps the requested visibility', () => {
    const r = fixture('full-marks');
    r.errors = [{ code: 'client.spawnFailed', message: 'python3 not found' }];
    expect(gradescopeResults(r).visibility).toBe('after_published');
    expect(gradescopeResults(fixture('full-marks')).visibility).toBe('visible');
    expect(gradescopeResults(fixture('full-marks'), { visibility: 'after_due_date' }).tests[0]!.visibility).toBe('after_due_date');
    expect(gradescopeResults(fixture('harness-error'), { visibility: 'after_due_date' }).visibility).toBe('after_published');
    expect(gradescopeResults(fixture('harness-error'), { visibility: 'hidden' }).visibility).toBe('hidden');
  });
});

describe('gradescope: bonus points', () => {
  it('bonus tests have max_score 0 and score what they earned; the total passes 100', () => {
    const gs = gradescopeResults(fixture('full-marks'));
    const bonus = gs.tests.filter((t) => t.name.startsWith('bonus.'));
    expect(bonus.length).toBeGreaterThan(0);
    for (const t of bonus) expect(t).toMatchObject({ max_score: 0, status: 'passed' });
    expect(bonus.reduce((n, t) => n + t.score, 0)).toBe(20);
    expect(gs.tests.reduce((n, t) => n + t.max_score, 0)).toBe(100);
    expect(gs.score).toBe(120);
    expect(gs.output).toContain('**Total 100/100** · **Bonus 20/20** (score 120');
  });

  it('a bonus not earned is failed explicitly (0 of 0 would otherwise show as passed)', () => {
    const gs = gradescopeResults(fixture('failures'));
    const icons = gs.tests.find((t) => t.name.startsWith('bonus.icons.shown:'))!;
    expect(icons).toMatchObject({ score: 0, max_score: 0, status: 'failed' });
    expect(icons.output).toMatch(/^Not earned: up to 10 pts of extra credit\./);
  });
});

describe('gradescope: Markdown output', () => {
  it('client text stays inside code: no raw escape, no link, no HTML', () => {
    const r = hostileResult();
    const check = r.checks.find((c) => c.id === 'basic.register.format')!;
    check.expected = 'REGISTER mira_7q ```` [x](http://example.invalid) <img src=x>';
    const gs = gradescopeResults(r);
    const test = gs.tests.find((t) => t.name.startsWith('basic.register.format:'))!;
    expect(test.output_format).toBe('md');
    expect(JSON.stringify(gs)).not.toContain(ESC);
    // The evidence is one fenced block, its fence longer than any backtick run inside.
    const block = test.output.slice(test.output.indexOf('`````text\n'));
    expect(block).toMatch(/^`````text\nExpected: REGISTER mira_7q ```` \[x\]\(http:\/\/example\.invalid\) <img src=x>\nActual: REGISTER A\]\]>B/);
    expect(block.trimEnd().endsWith('\n`````')).toBe(true);
    expect(test.output).toContain('\\x1b[1mbold\\x1b[0m');
    expect(test.output).toContain('**Requirement:** REGISTER is exactly "REGISTER \\<user\\>\\\\n"');
  });

  it('the summary states sandbox and probe; warnings and checks to review go to staff only, never into results.json', () => {
    const r = hostileResult();
    checkOf(r, 'bonus.icons.shown').review = 'no image widget was recognised; on screen: a Listbox (3 rows)';
    const gs = gradescopeResults(r);
    expect(gs.output).toContain('Sandbox: fallback');
    expect(gs.output).toContain("GUI probe: tk\\-agent: the grader inspected the client's Tk widgets");
    const all = JSON.stringify(gs);
    expect(all).not.toContain('grade.json sets');
    expect(all).not.toContain('course staff');
    expect(all).not.toContain('Listbox');
    expect(gradescopeStaffNotes(r)).toEqual([
      'chatgrade (for course staff): grace-hopper: warning: grade.json sets "timeout": ignored A]]>B]]>C \\x1b[1mbold\\x1b[0m \\0 \uFFFD \\ud800 \\ufffe \\u202etxt.exe \\x07 ]]>',
      'chatgrade (for course staff): grace-hopper: REVIEW bonus.icons.shown (10 pts lost): the grader could not recognise part of the GUI: no image widget was recognised; on screen: a Listbox (3 rows)',
    ]);
  });
});
