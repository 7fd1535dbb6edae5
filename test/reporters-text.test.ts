// The text reporters at the edges the golden files do not reach: the
// terminal report's rows for rubric lines that were not run, its colours,
// its client-stderr section (which logs, in what order, how much of each),
// its run-level faults and the INCOMPLETE and skipped totals, the cap on long
// values; the class summary's footer and run-conditions line; and the wrap
// and cut options of layout.ts. Each test states the exact lines it pins.

import { describe, expect, it } from 'vitest';
import { classSummaryLines, terminalLines } from '../src/reporters/index.js';
import { wrapChars, wrapWords } from '../src/reporters/layout.js';
import { conditionCounts } from '../src/reporters/summary.js';
import type { GradeResult } from '../src/results.js';
import { checkOf as check, fixture } from './helpers/results.js';

const YELLOW = '\u001b[33m';
const GREEN = '\u001b[32m';
const RED = '\u001b[31m';

/** The row of a rubric line in the terminal table (its title, indented by two). */
const lineRow = (lines: readonly string[], title: string): string => {
  const found = lines.find((l) => l.startsWith(`  ${title}  `));
  expect(found, title).toBeDefined();
  return found!;
};

/** The section starting at `heading` up to (not including) its closing blank line. */
const section = (lines: readonly string[], heading: string): string[] => {
  const from = lines.indexOf(heading);
  expect(from, heading).toBeGreaterThanOrEqual(0);
  return lines.slice(from, lines.indexOf('', from));
};

/** A labelled detail's whole value: its first line after the label, then its continuation lines. */
const detail = (lines: readonly string[], name: string): string => {
  const at = lines.findIndex((l) => l.startsWith(`      ${name.padEnd(13)}`));
  expect(at, name).toBeGreaterThanOrEqual(0);
  const parts = [lines[at]!.slice(19)];
  for (let i = at + 1; lines[i]?.startsWith(' '.repeat(19)); i++) parts.push(lines[i]!.slice(19));
  return parts.join('');
};

describe('layout', () => {
  it('wrapWords breaks a word longer than the line at the column', () => {
    expect(wrapWords('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('wrapChars keeps the spaces at both ends of a value', () => {
    expect(wrapChars('  ab  ', 10)).toEqual(['  ab  ']);
  });
});

describe('terminal: header', () => {
  it('wrapped header fields and the explicit-probe notice stay within the width', () => {
    const r = fixture('failures');
    r.submission = { dir: '/srv/submissions/a b c d e f g h i j k l m n o p q r s t u v w x y z', name: 'z' };
    r.environment = { ...r.environment, probe: 'explicit' };
    const lines = terminalLines(r, { width: 40 });
    const head = lines.slice(0, lines.indexOf(''));
    expect(head.filter((l) => l.startsWith('  Submission') || l.startsWith(' '.repeat(14))).length).toBeGreaterThan(2);
    expect(head.join(' ')).toContain('GUI DESCRIBED BY THE CLIENT');
    for (const l of head) expect(l.length, l).toBeLessThanOrEqual(40);
  });
});

describe('terminal: rubric lines not run', () => {
  /**
   * From the failures fixture: a line whose checks are all gone (still worth
   * 5/5 in the score), one worth 0 with no checks, one worth 0 whose checks
   * failed at 0 points, and one with a single check of two deselected.
   */
  function notRun(): GradeResult {
    const r = fixture('failures');
    r.checks = r.checks.filter((c) => c.line !== 'structure.main' && c.line !== 'structure.gui');
    r.score.lines.find((l) => l.id === 'structure.gui')!.max = 0;
    r.score.lines.find((l) => l.id === 'structure.gui')!.points = 0;
    const config = r.score.lines.find((l) => l.id === 'structure.config')!;
    config.points = 0;
    config.max = 0;
    for (const c of r.checks.filter((x) => x.line === 'structure.config')) Object.assign(c, { status: 'failed', points: 0, max: 0 });
    check(r, 'basic.register.sent').status = 'skipped';
    return r;
  }

  it('says "skipped" only for a line worth nothing with no checks, or whose checks were all deselected', () => {
    const lines = terminalLines(notRun());
    expect(lineRow(lines, 'Correct "main" handling')).toMatch(/ 5\/5$/);
    expect(lineRow(lines, 'GUI code still works')).toMatch(/ skipped$/);
    expect(lineRow(lines, 'Configure server IP address and port')).toMatch(/ 0\/0$/);
    expect(lineRow(lines, 'REGISTER handling')).toMatch(/ 6\/10$/);
    expect(lineRow(terminalLines(fixture('skipped')), 'Server enhancements (icons)')).toMatch(/ skipped$/);
  });

  it('colours 0 of 0 yellow: neither full marks (green) nor all lost (red)', () => {
    const lines = terminalLines(notRun(), { color: true });
    const zero = lineRow(lines, 'Configure server IP address and port');
    expect(zero).toContain(`${YELLOW}0/0`);
    expect(zero).not.toContain(GREEN);
    expect(zero).not.toContain(RED);
    expect(lineRow(lines, 'Correct "main" handling')).toContain(`${GREEN}5/5`);
  });

  it('a deselected check shows as "not run" when verbose, and the totals count it in the singular', () => {
    const r = fixture('failures');
    check(r, 'bonus.status.shown').status = 'skipped';
    const lines = terminalLines(r, { verbose: true });
    expect(lines.find((l) => l.includes('SKIPPED bonus.status.shown'))).toMatch(/ not run$/);
    expect(lines).toContain('1 check was not run (deselected); they count neither for nor against.');
    expect(terminalLines(fixture('skipped'))).toContain('6 checks were not run (deselected); they count neither for nor against.');
  });
});

describe('terminal: wire excerpt', () => {
  it('with --transcript-lines 0 shows no Wire block, not even a count of lines left out', () => {
    const lines = terminalLines(fixture('failures'), { transcriptLines: 0 });
    expect(lines.filter((l) => l.includes('Wire') || l.includes('earlier line'))).toEqual([]);
    expect(lines.filter((l) => l.startsWith('      Actual')).length).toBeGreaterThan(0);
  });
});

describe('terminal: client stderr', () => {
  it('shows the logs of failed and unmeasured scenarios, sorted, the last 12 lines of each, saying what was left out', () => {
    const r = fixture('failures');
    const join = check(r, 'conv.join.sent');
    Object.assign(join, { status: 'error', points: 0, scenario: 'join', error: { code: 'probe.timeout', message: 'no answer' } });
    const long = Array.from({ length: 15 }, (_, i) => `line ${i + 1}`).join('\n');
    r.logs = [
      { scenario: 'session', stderr: 'session A\n', truncated: false },
      { scenario: 'robust-malformed', stderr: 'all its checks passed\n', truncated: false },
      { scenario: 'join', stderr: 'join log\n', truncated: true },
      { scenario: 'session', stderr: '  \n\t\n', truncated: false },
      { scenario: 'goodbye', stderr: `${long}\n`, truncated: false },
      { scenario: 'session', stderr: 'session B\n', truncated: false },
    ];
    expect(section(terminalLines(r), 'Client stderr')).toEqual([
      'Client stderr',
      '  scenario goodbye (last 12 of 15 lines)',
      ...Array.from({ length: 12 }, (_, i) => `    line ${i + 4}`),
      '  scenario join (last 1 of more than 1 lines)',
      '    join log',
      '  scenario session',
      '    session A',
      '  scenario session',
      '    session B',
    ]);
  });
});

describe('terminal: harness faults and totals', () => {
  it('lists run-level faults sorted by code, keeping the order of equal codes, and says the run stopped', () => {
    const r = fixture('failures');
    r.errors = [
      { code: 'sandbox.setup', message: 'first' },
      { code: 'env.displayLost', message: 'second' },
      { code: 'sandbox.setup', message: 'third' },
    ];
    const lines = terminalLines(r);
    const runs = lines.filter((l) => l.startsWith('  run ') || l.startsWith('      Message'));
    expect(runs.map((l) => l.trim().replace(/\s+/g, ' '))).toEqual([
      'run env.displayLost', 'Message second',
      'run sandbox.setup', 'Message first',
      'run sandbox.setup', 'Message third',
    ]);
    expect(lines).toContain('INCOMPLETE: the run stopped on a harness fault; this is not a final grade.');
  });

  it('counts unmeasured checks in the singular and the plural', () => {
    const r = fixture('harness-error');
    expect(terminalLines(r)).toContain('INCOMPLETE: 1 check (5 pts) could not be measured; this is not a final grade.');
    Object.assign(check(r, 'conv.leave.sent'), { status: 'error', points: 0 });
    expect(terminalLines(r)).toContain('INCOMPLETE: 2 checks (10 pts) could not be measured; this is not a final grade.');
  });
});

describe('terminal: long values', () => {
  it('cuts an Expected or Actual value over 600 characters, never one of exactly 600, nor the requirement prose', () => {
    const r = fixture('failures');
    const c = check(r, 'basic.register.format');
    c.actual = 'y'.repeat(700);
    c.expected = 'e'.repeat(600);
    c.requirement = 'word '.repeat(150).trim();
    const lines = terminalLines(r);
    expect(detail(lines, 'Actual')).toBe(`${'y'.repeat(600)}… (100 more characters)`);
    expect(detail(lines, 'Expected')).toBe('e'.repeat(600));
    const requirement = lines.slice(lines.findIndex((l) => l.includes('FAIL basic.register.format')) + 1, lines.findIndex((l) => l.startsWith('      Expected')));
    expect(requirement.join(' ').replace(/\s+/g, ' ').trim()).toBe(`Requirement ${c.requirement}`);
  });
});

describe('class summary', () => {
  const named = (r: GradeResult, name: string, sandbox?: string): GradeResult => ({
    ...r,
    submission: { dir: `/srv/class/${name}`, name },
    environment: { ...r.environment, ...(sandbox ? { sandbox } : {}) },
  });

  it('one complete submission: a singular, uncoloured footer and nothing after it', () => {
    const out = classSummaryLines([named(fixture('full-marks'), 'ada')], { color: true });
    expect(out.slice(-2)).toEqual(['', '1 submission; all grades complete.']);
  });

  it('names only the conditions reported, their values sorted', () => {
    const results = [named(fixture('full-marks'), 'a', 'off'), named(fixture('full-marks'), 'b', 'full'), named(fixture('full-marks'), 'c', 'off')];
    expect(conditionCounts(results)).toBe('Sandbox: full (1), off (2)');
    expect(classSummaryLines(results).slice(-3)).toEqual(['', '3 submissions; all grades complete.', 'Sandbox: full (1), off (2)']);
  });
});
