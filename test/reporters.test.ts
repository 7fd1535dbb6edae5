import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GradeResult } from '../src/results.js';
import { score, type Outcome } from '../src/rubric.js';
import { chat } from '../src/packs/chat/index.js';

const CHECKS = chat.rubric.checks;
import {
  REPORTERS, gradescopeResults, renderGradescope, renderJson, renderJunit, renderSafely,
  renderTerminal, stripAnsi, type Reporter,
} from '../src/reporters/index.js';
import { clean, rubricNumber, transcriptExcerpt } from '../src/reporters/common.js';

const fixture = (name: string): GradeResult =>
  JSON.parse(readFileSync(new URL(`./fixtures/results/${name}.json`, import.meta.url), 'utf8')) as GradeResult;

const FULL = fixture('full-marks');
const FAILURES = fixture('failures');
const HARNESS = fixture('harness-error');
const SKIPPED = fixture('skipped');
const ALL = { FULL, FAILURES, HARNESS, SKIPPED };

const ESC = '\u001b';
const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;
const clone = (r: GradeResult): GradeResult => structuredClone(r);
/** A deterministic shuffle, so "order does not matter" is tested without flakiness. */
function shuffled<T>(xs: readonly T[]): T[] {
  return xs.map((x, i) => ({ x, k: (i * 7919) % 31 })).sort((a, b) => a.k - b.k).map((p) => p.x);
}

describe('fixtures', () => {
  it.each(Object.entries(ALL))('%s: score agrees with score() over its checks', (_, r) => {
    const outcomes: Record<string, Outcome> = Object.fromEntries(r.checks.map((c) => [c.id, c.status]));
    expect(r.score).toEqual(score(chat.rubric, outcomes));
    expect(r.checks.map((c) => c.id)).toEqual([...r.checks.map((c) => c.id)].sort());
    expect(r.checks).toHaveLength(CHECKS.length);
  });
});

describe('terminal', () => {
  it('full marks: header, totals, reproduction, non-strict pass noted', () => {
    const out = renderTerminal(FULL);
    expect(out).toContain('chatgrade 0.1.0 — ada-lovelace');
    expect(out).toMatch(/Seed\s+0c11e5a7/);
    expect(out).toContain('Total 100/100   Bonus 20/20');
    expect(out).toContain('chatgrade /srv/submissions/ada-lovelace --seed 0c11e5a7');
    expect(out).toMatch(/NON-STRICT basic\.goodbye\.sent/);
    expect(out).toContain('GOODBYE ended with');
    expect(out).not.toContain('FAIL');
    expect(out).not.toContain('could not be measured');
  });

  it('lost checks show requirement, Expected, Actual and the last lines of the wire', () => {
    const out = renderTerminal(FAILURES);
    expect(out).toContain('Total 87/100   Bonus 8/20');
    expect(out).toMatch(/^ {2}REGISTER handling +6\/10$/m);
    expect(out).toMatch(/FAIL basic\.register\.format +lost 4 pts/);
    expect(out).toContain('Expected     REGISTER mira_7q\\n');
    expect(out).toContain('Actual       REGISTER  mira_7q\\n');
    expect(out).toMatch(/12ms C> REGISTER {2}mira_7q/);
    // no_self has 8 transcript lines: the first 2 are left to report.json
    expect(out).toContain('(2 earlier lines in report.json)');
    expect(out).toMatch(/903ms -- probe: \["mira_7q"/);
    expect(out).not.toContain('client connected from 127.0.0.1\n                     9ms S> ONLINE');
    // the traceback of the failing goodbye scenario is shown
    expect(out).toContain('OSError: [Errno 9] Bad file descriptor');
    // passed checks are not listed without --verbose
    expect(out).not.toMatch(/PASS /);
  });

  it('no ANSI with color off, ANSI with color on, and fits 80 columns', () => {
    for (const r of Object.values(ALL)) {
      const plain = renderTerminal(r, { color: false });
      expect(plain).not.toContain(ESC);
      for (const line of plain.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
      const colored = renderTerminal(r, { color: true });
      expect(colored).toContain(ESC);
      expect(stripAnsi(colored)).toBe(plain);
    }
  });

  it('output is in rubric order and independent of input order', () => {
    const r = clone(FAILURES);
    r.checks = shuffled(r.checks);
    expect(renderTerminal(r)).toBe(renderTerminal(FAILURES));
    const out = renderTerminal(FAILURES, { verbose: true });
    const ids = [...out.matchAll(/^ {4}(?:PASS|FAIL|NON-STRICT|NOT MEASURED|SKIPPED) (\S+)/gm)].map((m) => m[1]);
    expect(ids).toEqual(CHECKS.map((c) => c.id));
    const areas = ['Overall program structure', 'Basic protocol functionality', 'Conversation management', 'Bonus'];
    const at = areas.map((a) => out.indexOf(`\n${a} `));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('harness errors are separate from lost points', () => {
    const out = renderTerminal(HARNESS);
    expect(out).toContain("Could not be measured — not the student's fault");
    expect(out).toMatch(/NOT MEASURED conv\.join\.sent/);
    expect(out).not.toMatch(/FAIL conv\.join\.sent/);
    expect(out).toMatch(/check conv\.join\.sent +5 pts not graded/);
    expect(out).toContain('probe.timeout');
    expect(out).toMatch(/JOIN handling +\(5 not measured\) 0\/5/);
    expect(out).toContain('INCOMPLETE: 1 check (5 pts) could not be measured');
    const section = out.slice(out.indexOf('Could not be measured'));
    expect(section).toContain('5410ms -- probe: no answer to sync #7');
  });

  it('run-level harness errors are shown and mark the grade incomplete', () => {
    const r = clone(FULL);
    r.errors = [{ code: 'probe.noDisplay', message: 'no X display: set DISPLAY or install Xvfb' }];
    const out = renderTerminal(r);
    expect(out).toContain("Could not be measured — not the student's fault");
    expect(out).toContain('probe.noDisplay');
    expect(out).toContain('INCOMPLETE');
  });

  it('skipped checks: lines marked skipped, count noted, listed only when verbose', () => {
    const out = renderTerminal(SKIPPED);
    expect(out).toContain('Total 93/95   Bonus 0/0');
    expect(out).toMatch(/Correct "main" handling +skipped/);
    expect(out).toContain('6 checks were not run');
    expect(out).not.toContain('SKIPPED');
    expect(renderTerminal(SKIPPED, { verbose: true })).toMatch(/SKIPPED structure\.main\.guard/);
  });

  it('verbose shows passed checks with their transcripts', () => {
    const out = renderTerminal(FULL, { verbose: true });
    expect(out).toMatch(/PASS basic\.register\.sent +\+6 pts\n +Wire +0ms -- client connected/);
  });

  it('student text cannot inject escapes or break the layout', () => {
    const r = clone(FAILURES);
    const check = r.checks.find((c) => c.id === 'basic.register.format')!;
    check.actual = `REGISTER ${ESC}[31mmira${ESC}[0m\r`;
    check.transcript = [{ t: 3, dir: 'c>s', text: `x${'A'.repeat(10_000)}` }];
    const out = renderTerminal(r);
    expect(out).not.toContain(ESC);
    expect(out).toContain('Actual       REGISTER \\x1b[31mmira\\x1b[0m\\r');
    for (const line of out.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });
});

describe('json', () => {
  it('round-trips the GradeResult', () => {
    for (const r of Object.values(ALL)) expect(JSON.parse(renderJson(r))).toEqual(r);
  });

  it('puts schemaVersion first and keeps a stable key order', () => {
    const text = renderJson(FAILURES);
    expect(text.startsWith('{\n  "schemaVersion": 2,\n  "grader"')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    // same object, keys and checks in another order: same bytes
    const scrambled = JSON.parse(JSON.stringify(FAILURES, (_k, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).reverse())
        : v)) as GradeResult;
    scrambled.checks = shuffled(scrambled.checks);
    expect(Object.keys(scrambled)[0]).not.toBe('schemaVersion');
    expect(renderJson(scrambled)).toBe(text);
    const check = JSON.parse(text).checks[0] as object;
    expect(Object.keys(check).slice(0, 3)).toEqual(['id', 'line', 'area']);
  });

  it('keeps fields it does not know, after the known ones', () => {
    const r = clone(FULL) as GradeResult & { zExtra?: number; aExtra?: number };
    r.zExtra = 1;
    r.aExtra = 2;
    const keys = Object.keys(JSON.parse(renderJson(r)) as object);
    expect(keys.slice(-3)).toEqual(['logs', 'aExtra', 'zExtra']);
  });
});

describe('junit', () => {
  it('one testsuite per area, one testcase per check, with names and properties', () => {
    const xml = renderJunit(FAILURES);
    expect(count(xml, /<testsuite /g)).toBe(4);
    expect(count(xml, /<testcase /g)).toBe(CHECKS.length);
    expect(count(xml, /<failure /g)).toBe(FAILURES.checks.filter((c) => c.status === 'failed').length);
    expect(count(xml, /<error /g)).toBe(0);
    expect(xml).toContain('<testsuite name="Basic protocol functionality"');
    expect(xml).toContain('<testcase classname="grace-hopper.basic.register" name="basic.register.sent (6 pts)"');
    expect(xml).toMatch(/<property name="points\.basic\.register" value="6\/10"\/>/);
    expect(xml).toMatch(/<failure message="Expected REGISTER mira_7q\\n; actual REGISTER {2}mira_7q\\n[^"]*" type="failed">Requirement: REGISTER is exactly/);
    expect(xml).toContain('12ms C> REGISTER  mira_7q');
  });

  it('a harness fault is an <error>, never a <failure>; skipped is <skipped/>', () => {
    const xml = renderJunit(HARNESS);
    expect(count(xml, /<error /g)).toBe(1);
    expect(count(xml, /<failure /g)).toBe(1);
    expect(xml).toMatch(/name="conv\.join\.sent \(5 pts\)"[\s\S]*?<error message="could not be measured \(not the student(?:'|&apos;)s fault\)[^"]*" type="probe\.timeout">/);
    const skipped = renderJunit(SKIPPED);
    expect(count(skipped, /<skipped\/>/g)).toBe(6);
    expect(skipped).toContain('testsuites name="chatgrade barbara-liskov" tests="33" failures="1" errors="0" time="');
  });

  it('run-level errors get a suite of their own', () => {
    const r = clone(FULL);
    r.errors = [{ code: 'client.spawnFailed', message: 'python3 not found' }];
    const xml = renderJunit(r);
    expect(count(xml, /<testsuite /g)).toBe(5);
    expect(xml).toMatch(/<testcase classname="ada-lovelace\.harness" name="client\.spawnFailed" time="0\.000">\s*<error /);
  });

  it('shows ANSI escaped, never raw, and times testcases in seconds', () => {
    const r = clone(FAILURES);
    const check = r.checks.find((c) => c.id === 'basic.register.format')!;
    check.actual = `${ESC}[31mred${ESC}[0m`;
    check.requirement = `${ESC}[1mbold${ESC}[22m requirement`;
    check.durationMs = 1234;
    const xml = renderJunit(r);
    expect(xml).not.toContain(ESC);
    expect(xml).toContain('\\x1b[31mred\\x1b[0m');
    expect(xml).toContain('name="basic.register.format (4 pts)" time="1.234"');
  });
});

describe('gradescope', () => {
  it('top-level score is points plus bonus; bonus tests have max_score 0', () => {
    const gs = gradescopeResults(FAILURES);
    expect(gs.score).toBe(87 + 8);
    expect(gs.execution_time).toBe(41);
    expect(gs.tests).toHaveLength(CHECKS.length);
    const icons = gs.tests.find((t) => t.name.startsWith('bonus.icons.shown:'))!;
    expect(icons).toMatchObject({ score: 0, max_score: 0, status: 'failed', number: '4.1.1' });
    const robust = gs.tests.find((t) => t.name.startsWith('bonus.robust.malformed:'))!;
    expect(robust).toMatchObject({ score: 3, max_score: 0, status: 'passed' });
    expect(gs.tests.reduce((n, t) => n + t.max_score, 0)).toBe(100);
    expect(gs.tests.reduce((n, t) => n + t.score, 0)).toBe(gs.score);
    const full = gradescopeResults(FULL);
    expect(full.score).toBe(120);
    expect(full.output).toContain('**Total 100/100** · **Bonus 20/20**');
  });

  it('tests are named "<id>: <title>", numbered by rubric position, in rubric order', () => {
    const gs = gradescopeResults(FAILURES);
    const reg = gs.tests.find((t) => t.number === '2.1.2')!;
    expect(reg.name).toBe('basic.register.format: REGISTER well formed');
    expect(reg).toMatchObject({ score: 0, max_score: 4, status: 'failed', visibility: 'visible' });
    expect(reg.output).toContain('Expected: REGISTER mira_7q\\n');
    expect(reg.output).toContain('12ms C> REGISTER  mira_7q');
    expect(gs.tests.map((t) => t.number)).toEqual(CHECKS.map((c) => rubricNumber(FULL.rubric, c.id)));
    expect(gs.tests[0]!.number).toBe('1.1.1');
    expect(gradescopeResults(FAILURES, { visibility: 'after_published' }).tests[0]!.visibility).toBe('after_published');
  });

  it('a harness error is failed with 0 points, says so, and the grade is incomplete', () => {
    const gs = gradescopeResults(HARNESS);
    const join = gs.tests.find((t) => t.name.startsWith('conv.join.sent:'))!;
    expect(join).toMatchObject({ score: 0, max_score: 5, status: 'failed' });
    expect(join.output).toMatch(/^Could not be measured: this is a fault of the grader/);
    expect(join.output).toContain('probe.timeout');
    expect(gs.output).toContain('GRADE INCOMPLETE');
    expect(gs.output).toContain('conv.join.sent');
    expect(gs.score).toBe(92 + 20);
    expect(gradescopeResults(FULL).output).not.toContain('INCOMPLETE');
  });

  it('skipped checks are left out of tests and named in the output', () => {
    const gs = gradescopeResults(SKIPPED);
    expect(gs.tests).toHaveLength(CHECKS.length - 6);
    expect(gs.tests.some((t) => t.name.startsWith('structure.main.guard'))).toBe(false);
    expect(gs.output).toContain('Not run in this grading (6): structure.main.guard, bonus.icons.shown');
  });

  it('is valid JSON in which a client\'s escape codes are shown, never emitted', () => {
    const r = clone(FAILURES);
    r.checks.find((c) => c.id === 'conv.send.own_once')!.actual = `${ESC}[32mtwice${ESC}[0m`;
    const text = renderGradescope(r);
    expect(text).not.toContain('\\u001b');
    const gs = JSON.parse(text) as { score: number; execution_time: number; output: string; tests: { name: string }[] };
    expect([gs.score, gs.execution_time, gs.tests.length]).toEqual([95, 41, CHECKS.length]);
    expect(gs.output).toBe('**Total 87/100** · **Bonus 8/20** (score 95: bonus points are extra credit on top of 100)\n\nChat client, graded by chatgrade 0\\.1\\.0 with seed `7f3a9c21`\n\nReproduce: `chatgrade /srv/submissions/grace-hopper --seed 7f3a9c21`');
    expect(gs.tests.find((t) => t.name.startsWith('conv.send.own_once:'))).toEqual({
      name: 'conv.send.own_once: own message shown once',
      number: '3.7.2',
      score: 0,
      max_score: 3,
      status: 'failed',
      visibility: 'visible',
      output_format: 'md',
      output: [
        'Failed: 3 pts lost.',
        '',
        "**Requirement:** The sender's own text, echoed back by the server, appears exactly once in its transcript\\.",
        '',
        '```text',
        'Expected: the text "kiwi lantern 81" once in conversation c-4f1a',
        'Actual: \\x1b[32mtwice\\x1b[0m',
        'Wire (last 6 of 9 lines):',
        '   402ms S> INVITATION tomas_k2 c-4f1a',
        '   655ms C> JOIN c-4f1a',
        '   660ms S> CONVERSATIONS c-4f1a:mira_7q,tomas_k2',
        '  1012ms C> SEND_MESSAGE c-4f1a kiwi lantern 81',
        '  1015ms S> MESSAGE c-4f1a mira_7q kiwi lantern 81',
        '  1320ms -- probe: conversation c-4f1a transcript has 2 matching lines',
        '```',
      ].join('\n'),
    });
  });
});

describe('registry and renderSafely', () => {
  it('names the files the CLI writes', () => {
    expect(REPORTERS.terminal.file).toBeUndefined();
    expect(REPORTERS.json.file).toBe('report.json');
    expect(REPORTERS.junit.file).toBe('junit.xml');
    expect(REPORTERS.gradescope.file).toBe('results.json');
  });

  it('renders every reporter for every fixture without error', () => {
    for (const r of Object.values(ALL)) {
      for (const name of Object.keys(REPORTERS)) {
        const out = renderSafely(name, r, {});
        expect(out.ok, name).toBe(true);
        if (out.ok) expect(out.text.length).toBeGreaterThan(0);
      }
    }
  });

  it('catches a throwing reporter and returns the error as data', () => {
    const broken: Record<string, Reporter> = {
      boom: { file: 'boom.txt', description: 'throws', render: () => { throw new Error('kaput'); } },
      odd: { description: 'returns a number', render: () => 42 as unknown as string },
    };
    const boom = renderSafely('boom', FULL, {}, broken);
    expect(boom).toMatchObject({ ok: false, name: 'boom', file: 'boom.txt', error: { code: 'reporter.failed' } });
    expect(!boom.ok && boom.error.message).toBe('reporter "boom" failed: kaput');
    expect(renderSafely('odd', FULL, {}, broken)).toMatchObject({ ok: false, error: { code: 'reporter.failed' } });
    expect(renderSafely('nope', FULL)).toMatchObject({ ok: false, error: { code: 'reporter.unknown' } });
    expect(renderSafely('toString', FULL)).toMatchObject({ ok: false, error: { code: 'reporter.unknown' } });
  });

  it('a malformed result makes a reporter fail safely rather than throw', () => {
    const bad = { ...clone(FULL), checks: undefined } as unknown as GradeResult;
    const out = renderSafely('junit', bad);
    expect(out.ok).toBe(false);
  });
});

describe('helpers', () => {
  it('clean() escapes control characters, ANSI included', () => {
    expect(clean(`a\r\n\tb${ESC}[31mc${ESC}[0m\u0007`)).toBe('a\\r\\n\\tb\\x1b[31mc\\x1b[0m\\x07');
  });

  it('transcriptExcerpt() keeps the last lines with aligned times', () => {
    const t = Array.from({ length: 9 }, (_, i) => ({ t: i * 300, dir: 'c>s' as const, text: `L${i}` }));
    const { lines, omitted } = transcriptExcerpt(t, 6);
    expect(omitted).toBe(3);
    expect(lines).toEqual([' 900ms C> L3', '1200ms C> L4', '1500ms C> L5', '1800ms C> L6', '2100ms C> L7', '2400ms C> L8']);
  });
});
