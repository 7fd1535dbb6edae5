// The reporters that feed other systems' Markdown and CSV, at their edges:
// GitHub workflow commands and the step summary (its size budget to the
// character), Gradescope's results.json for a failed environment and for
// checks with no evidence, the gradebook's order and empty cells, and the
// Markdown helpers they all share. Each test calls the function directly and
// pins the exact text where a wrong character would reach a TA or a student.

import { describe, expect, it } from 'vitest';
import { SUMMARY_BUDGET, githubAnnotations, githubSummary, workflowCommand } from '../src/reporters/github.js';
import { bySubmission, gradebookRows } from '../src/reporters/gradebook.js';
import { gradescopeFailureResults, gradescopeResults } from '../src/reporters/gradescope.js';
import { htmlText, mdBlock, mdCode, mdId, mdText } from '../src/reporters/markdown.js';
import type { GradeResult } from '../src/results.js';
import { checkOf as check, fixture } from './helpers/results.js';

const named = (r: GradeResult, name: string, dir = `/srv/class/${name}`): GradeResult => ({ ...r, submission: { dir, name } });

describe('markdown helpers', () => {
  it('mdId writes an id bare only when all of it is plain', () => {
    expect(mdId('conv.send.own_once')).toBe('conv.send.own_once');
    expect(mdId('_hidden')).toBe('`_hidden`'); // must start with a letter or digit
    expect(mdId('a b')).toBe('`a b`'); // and hold nothing else to its end
  });

  it('mdCode fences with one backtick more than the longest run inside, padding only where a backtick or nothing touches the fence', () => {
    expect(mdCode('x')).toBe('`x`');
    expect(mdCode('a``b')).toBe('```a``b```');
    expect(mdCode('`a')).toBe('`` `a ``');
    expect(mdCode('a`')).toBe('`` a` ``');
    expect(mdCode('')).toBe('`  `'); // a bare `` would not be a code span at all
  });

  it('mdBlock fences with at least three backticks; mdText escapes punctuation; htmlText escapes the four HTML specials', () => {
    expect(mdBlock(['a', 'b'])).toBe('```text\na\nb\n```');
    expect(mdBlock(['````'])).toBe('`````text\n````\n`````');
    expect(mdText('a-b [c](d)')).toBe('a\\-b \\[c\\]\\(d\\)');
    expect(htmlText('a & "b" <c>')).toBe('a &amp; &quot;b&quot; &lt;c&gt;');
  });
});

describe('gradebook', () => {
  // The order only: byCode's exact -1, 0 and 1 are pinned in reporters-common.test.ts.
  it('sorts by name, then folder, and keeps the input order of full ties', () => {
    const first = { ...named(fixture('full-marks'), 'ann', '/x'), seed: 'first' };
    const second = { ...named(fixture('full-marks'), 'ann', '/x'), seed: 'second' };
    expect(bySubmission([first, second]).map((r) => r.seed)).toEqual(['first', 'second']);
    const order = bySubmission([
      named(fixture('full-marks'), 'bo', '/c'), named(fixture('full-marks'), 'ann', '/b'), named(fixture('full-marks'), 'bo', '/a'),
    ]).map((r) => `${r.submission.name}${r.submission.dir}`);
    expect(order).toEqual(['ann/b', 'bo/a', 'bo/c']);
  });

  it('leaves a cell empty for a rubric line that only another submission has', () => {
    const extra = named(fixture('full-marks'), 'bo');
    extra.score = { ...extra.score, lines: [...extra.score.lines, { ...extra.score.lines[0]!, id: 'extra.line', points: 4 }] };
    const rows = gradebookRows([named(fixture('full-marks'), 'ann'), extra]);
    const col = rows[0]!.indexOf('extra.line');
    // The header, the maximum points (from the submission that has the line), the one without it, the one with it.
    expect(rows.map((row) => row[col])).toEqual(['extra.line', '5', '', '4']);
  });
});

describe('gradescope: results.json', () => {
  it('a check scores its points only when passed, whatever its points field says', () => {
    const r = fixture('failures');
    check(r, 'basic.register.format').points = 4; // inconsistent on purpose: the status decides
    const test = gradescopeResults(r).tests.find((t) => t.name.startsWith('basic.register.format:'))!;
    expect(test).toMatchObject({ score: 0, max_score: 4, status: 'failed' });
  });

  it('lists every non-strict pass on its own line, and writes no empty evidence block', () => {
    const r = fixture('harness-error');
    check(r, 'basic.goodbye.sent').nonStrict = ['CRLF line ending', 'late reply'];
    const bare = check(r, 'conv.join.sent');
    delete bare.error;
    delete bare.transcript;
    const tests = gradescopeResults(r).tests;
    expect(tests.find((t) => t.name.startsWith('basic.goodbye.sent:'))!.output)
      .toContain('Passed, not strictly:\n- CRLF line ending\n- late reply');
    const out = tests.find((t) => t.name.startsWith('conv.join.sent:'))!.output;
    expect(out).not.toContain('```');
    expect(out.split('\n\n')).toHaveLength(2); // the explanation and the requirement, nothing else
  });

  it('the summary names every unmeasured check, and a run-level fault alone still makes the grade incomplete', () => {
    const two = fixture('harness-error');
    check(two, 'conv.leave.sent').status = 'error';
    expect(gradescopeResults(two).output).toContain('Not measured (10 pts): conv.join.sent, conv.leave.sent');

    const runOnly = fixture('failures');
    runOnly.errors = [{ code: 'sandbox.setup', message: 'no user namespaces' }];
    const out = gradescopeResults(runOnly).output;
    expect(out).toContain('**GRADE INCOMPLETE**');
    expect(out).toContain('Harness error `sandbox.setup`: no user namespaces');
    expect(out).not.toContain('Not measured');
  });
});

describe('gradescope: the environment failed', () => {
  it('with only errors known: "the grader" is blamed, and nothing else is listed', () => {
    const gs = gradescopeFailureResults({ errors: [{ code: 'probe.noDisplay', message: 'no X display' }] });
    expect(gs.output).toBe(
      '**Grading could not run, so nothing was graded.** This is a fault of the grader or its machine, not of your submission. ' +
      'The 0 is a placeholder: course staff will fix the problem and grade your submission again.\n\n' +
      '**For course staff: what went wrong**\n- `probe.noDisplay`: no X display',
    );
  });

  it('with everything known: grader, notes, platform and submission folder', () => {
    const gs = gradescopeFailureResults({
      errors: [{ code: 'env.noTkinter', message: 'no tkinter' }],
      grader: { name: 'chatgrade', version: '1.2.3' },
      submission: { dir: '/autograder/submission', name: 'submission' },
      environment: { platform: 'linux' },
      notes: ['install it'],
    });
    expect(gs.output).toContain('This is a fault of chatgrade 1\\.2\\.3 or its machine');
    expect(gs.tests[0]!.output).toBe('**For course staff: what went wrong**\n- `env.noTkinter`: no tkinter\n- install it\n- Platform: linux');
    expect(gs.output.endsWith('\n\nSubmission: `/autograder/submission`')).toBe(true);
  });
});

describe('github: annotations', () => {
  it('workflowCommand escapes data and properties and joins properties with commas', () => {
    expect(workflowCommand('notice', {}, 'plain')).toBe('::notice::plain');
    expect(workflowCommand('error', { file: 'a,b', title: 'x: 5%' }, '100%\r\ndone'))
      .toBe('::error file=a%2Cb,title=x%3A 5%25::100%25%0D%0Adone');
  });

  it('a check not measured without an error object still gets a warning, with a generic code', () => {
    const r = fixture('harness-error');
    delete check(r, 'conv.join.sent').error;
    expect(githubAnnotations([r])).toContain("::Could not be measured, not the student's fault: harness.error: \n");
  });
});

describe('github: step summary', () => {
  const table = '| Submission | Total | Bonus | Failed | Not measured | To review | Grade | Sandbox | GUI probe |\n|---|---:|---:|---:|---:|---:|---|---|---|\n';

  it('an empty class is a titled, empty table', () => {
    expect(githubSummary([])).toBe(`## chatgrade\n\n${table}`);
  });

  it('counts incomplete grades in the singular or plural, and says nothing when every grade is complete', () => {
    expect(githubSummary([fixture('harness-error')])).toContain('\n**1 of 1 grade is incomplete**: ');
    expect(githubSummary([named(fixture('harness-error'), 'a'), named(fixture('full-marks'), 'b')])).toContain('\n**1 of 2 grades are incomplete**: ');
    expect(githubSummary([fixture('failures'), fixture('full-marks')])).not.toContain('incomplete');
  });

  it('details: lost checks with their evidence (never an error object a failed check carries), no empty block for a check without any', () => {
    const r = fixture('failures');
    check(r, 'basic.register.format').error = { code: 'stray.error', message: 'only an unmeasured check shows its error' };
    const bare = check(r, 'conv.send.own_once');
    delete bare.expected;
    delete bare.actual;
    const md = githubSummary([r]);
    expect(md).toContain('<summary>grace-hopper: 6 lost, 0 not measured</summary>');
    expect(md).toContain('**basic.register.format** lost 4 pts: REGISTER well formed\n\n```text\nExpected: ');
    expect(md).toContain('**conv.send.own_once** lost 3 pts: ');
    expect(md.split('**conv.send.own_once**')[1]!.split('\n\n')[1]).toMatch(/^\*\*/); // the next check, not a fence
    expect(md).not.toContain('stray.error');
  });

  it('a run-level fault alone is enough for details', () => {
    const r = { ...fixture('full-marks'), errors: [{ code: 'sandbox.setup', message: 'no user namespaces' }] };
    expect(githubSummary([r])).toContain(
      '<details>\n<summary>ada-lovelace: 0 lost, 1 not measured</summary>\n\nHarness error `sandbox.setup`: no user namespaces\n\n</details>',
    );
  });

  it('a grade with nothing lost gets details only when it ran through the explicit probe', () => {
    const explicit = fixture('full-marks');
    explicit.environment = { ...explicit.environment, probe: 'explicit' };
    expect(githubSummary([explicit])).toContain(
      '<details>\n<summary>ada-lovelace: 0 lost, 0 not measured</summary>\n\nGUI probe: explicit: the client described its own GUI; the grader did not observe it  \n\n</details>',
    );
    expect(githubSummary([fixture('full-marks')])).not.toContain('<details>');
  });
});

describe('github: step summary size budget', () => {
  // A submission with nothing lost but a warning of n characters: its details
  // section is exactly this long, so the budget can be met to the character.
  const withWarning = (name: string, n: number): GradeResult => ({ ...named(fixture('full-marks'), name), warnings: ['x'.repeat(n)] });
  const section = (name: string, n: number): string =>
    `<details>\n<summary>${name}: 0 lost, 0 not measured</summary>\n\nWarning: ${'x'.repeat(n)}\n\n</details>`;
  // The table and title alone, as counted by the budget (without the final newline).
  const headerSize = (names: string[]): number => githubSummary(names.map((n) => named(fixture('full-marks'), n))).length - 1;
  const LEFT_OUT = "more submissions left out: the summary would pass GitHub's size limit. Their reports are in the output directory._";

  it('keeps a section that reaches the budget exactly, and leaves out one a character over', () => {
    const fit = SUMMARY_BUDGET - headerSize(['a']) - section('a', 0).length;
    const kept = githubSummary([withWarning('a', fit)]);
    expect(kept).toContain(section('a', fit));
    expect(kept).not.toContain(LEFT_OUT);

    const over = githubSummary([withWarning('a', fit + 1)]);
    expect(over).not.toContain('<details>');
    expect(over.endsWith(`\n\n_1 ${LEFT_OUT}\n`)).toBe(true);
  });

  it('counts each kept section with the newline that joins it, and says how many were left out', () => {
    const small = section('a', 1).length;
    // a + 1 newline + b reaches the budget exactly: both kept.
    const fit = SUMMARY_BUDGET - headerSize(['a', 'b']) - small - 1 - section('b', 0).length;
    expect(githubSummary([withWarning('a', 1), withWarning('b', fit)])).toContain(section('b', fit));
    // One character more and b is left out, the second of two.
    const over = githubSummary([withWarning('a', 1), withWarning('b', fit + 1)]);
    expect(over).toContain(section('a', 1));
    expect(over).not.toContain('<summary>b:');
    expect(over).toContain(`_1 ${LEFT_OUT}`);
  });
});
