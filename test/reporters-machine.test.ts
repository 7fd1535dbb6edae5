// The machine-read reporters at their edges, called directly: report.json's
// key order (additive fields after the schema's keys, unknown objects sorted,
// absent keys left absent, checks and unmeasured lines sorted), the XML writer
// (escaping of text and attributes, characters XML 1.0 forbids, mixed
// children), junit.xml's rarer branches (an error without a harness error,
// several not-strict notes, stderr of run-level faults, capped messages), and
// the reporter registries (their --help lines and the failures they return).

import { describe, expect, it } from 'vitest';
import { canonicalResult, renderJson } from '../src/reporters/json.js';
import { HARNESS_SUITE, STDERR_CHARS, renderJunit } from '../src/reporters/junit.js';
import { escapeAttr, escapeText, xmlDocument } from '../src/reporters/xml.js';
import {
  CLASS_FILE, CLASS_REPORTERS, GRADEBOOK_FILE, REPORTERS, renderClassSafely, renderSafely,
  type ClassReporter, type Reporter,
} from '../src/reporters/index.js';
import type { CheckResult, GradeResult } from '../src/results.js';
import { checkOf, fixture } from './helpers/results.js';

const FAILURES = fixture('failures');

describe('json: canonicalResult', () => {
  /** The failures fixture with every optional key filled and an additive key `aaa` on every kind of object. */
  function withExtras(): GradeResult {
    const r = structuredClone(FAILURES);
    const extra = { aaa: 'additive' };
    Object.assign(r, extra, { warnings: ['w'] });
    Object.assign(r.grader, extra);
    Object.assign(r.rubric, extra);
    Object.assign(r.submission, extra);
    Object.assign(r.score, extra);
    Object.assign(r.score.lines[0]!, extra);
    const c = checkOf(r, 'basic.register.format');
    Object.assign(c, extra, {
      transcript: [{ t: 1, dir: 'c>s', text: 'REGISTER x', peer: 'p', conn: 1, ...extra }],
      error: { code: 'x.y', message: 'm', ...extra },
      screenshot: { png: 'p', width: 1, height: 1, t: 2, ...extra },
    });
    r.errors = [{ code: 'env.x', message: 'm', ...extra }];
    Object.assign(r.logs[0]!, extra);
    return r;
  }

  it('puts a key the schema does not list after the listed ones, at every level', () => {
    const out = canonicalResult(withExtras()) as unknown as Record<string, Record<string, unknown>>;
    const c = (out.checks as unknown as Record<string, unknown>[]).find((x) => x.id === 'basic.register.format')!;
    const objects: [string, unknown][] = [
      ['result', out], ['grader', out.grader], ['rubric', out.rubric], ['submission', out.submission],
      ['score', out.score], ['score line', (out.score!.lines as unknown[])[0]], ['check', c],
      ['transcript line', (c.transcript as unknown[])[0]], ['check error', c.error], ['screenshot', c.screenshot],
      ['run error', (out.errors as unknown as unknown[])[0]], ['log', (out.logs as unknown as unknown[])[0]],
    ];
    for (const [what, obj] of objects) expect(Object.keys(obj as object).at(-1), what).toBe('aaa');
    // The last listed key of each stays just before it.
    expect(Object.keys(out).slice(-3)).toEqual(['logs', 'warnings', 'aaa']);
    expect(Object.keys(out.grader!)).toEqual(['name', 'version', 'aaa']);
    expect(Object.keys(out.submission!)).toEqual(['dir', 'name', 'aaa']);
    expect(Object.keys(c.error as object)).toEqual(['code', 'message', 'aaa']);
    expect(Object.keys((out.logs as unknown as object[])[0]!)).toEqual(['scenario', 'stderr', 'truncated', 'aaa']);
  });

  it('sorts the keys of an object the schema does not describe, whatever their names', () => {
    const r = structuredClone(FAILURES);
    checkOf(r, 'basic.register.format').seen = { b: 1, 'Stryker was here': 2, A: 3 };
    const seen = checkOf(canonicalResult(r), 'basic.register.format').seen!;
    expect(Object.keys(seen)).toEqual(['A', 'Stryker was here', 'b']);
  });

  it('leaves an absent optional key absent rather than undefined', () => {
    const r = structuredClone(FAILURES);
    delete r.warnings;
    expect(Object.hasOwn(canonicalResult(r), 'warnings')).toBe(false);
    expect(Object.hasOwn(checkOf(canonicalResult(r), 'basic.goodbye.sent'), 'error')).toBe(false);
  });

  it('sorts unmeasured lines, and keeps checks of one id in the order given', () => {
    const r = structuredClone(FAILURES);
    r.score.unmeasured = ['conv.send', 'basic.register'];
    const [a, b] = r.checks as [CheckResult, CheckResult];
    r.checks = [{ ...a, id: 'dup', title: 'first' }, { ...b, id: 'dup', title: 'second' }];
    const out = canonicalResult(r);
    expect(out.score.unmeasured).toEqual(['basic.register', 'conv.send']);
    expect(out.checks.map((c) => c.title)).toEqual(['first', 'second']);
    expect(JSON.parse(renderJson(r)).score.unmeasured).toEqual(['basic.register', 'conv.send']);
  });
});

describe('xml: escaping', () => {
  it('escapes &, < and the > of "]]>" in text, and nothing else printable', () => {
    expect(escapeText('a<b&c]]>d>e"f')).toBe('a&lt;b&amp;c]]&gt;d>e"f');
  });

  it('writes characters XML 1.0 forbids as visible escapes, keeping tab, line feed and carriage return', () => {
    expect(escapeText('\u0000\u0008\u000B\u000C\u000E\u001F|\t\n\r|\uFFFE\uFFFF')).toBe('\\x00\\x08\\x0b\\x0c\\x0e\\x1f|\t\n\r|\\ufffe\\uffff');
  });

  it('keeps a surrogate pair and escapes a lone surrogate, high or low, wherever it stands', () => {
    expect(escapeText('a\uD83D\uDE00b')).toBe('a\uD83D\uDE00b');
    expect(escapeText('x\uD800y\uDC00z\uDBFF')).toBe('x\\ud800y\\udc00z\\udbff');
    expect(escapeText('\uDC00\uD800')).toBe('\\udc00\\ud800');
  });

  it('in an attribute also escapes the double quote and keeps whitespace as character references', () => {
    expect(escapeAttr('"a"\tb\nc\rd<')).toBe('&quot;a&quot;&#9;b&#10;c&#13;d&lt;');
  });
});

describe('xml: xmlDocument', () => {
  it('drops undefined attributes, joins text-only children inline and indents mixed ones', () => {
    const doc = xmlDocument({
      name: 'root',
      attrs: { a: 'x y', gone: undefined, n: 2 },
      children: [
        { name: 'text', children: ['one', 'two'] },
        { name: 'mixed', children: ['before', { name: 'empty' }, 'after'] },
      ],
    });
    expect(doc).toBe([
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<root a="x y" n="2">',
      '  <text>onetwo</text>',
      '  <mixed>',
      'before',
      '    <empty/>',
      'after',
      '  </mixed>',
      '</root>',
      '',
    ].join('\n'));
  });
});

describe('junit: rarer branches', () => {
  /** The <testsuite> (and everything in it) whose name is `name`. */
  const suite = (xml: string, name: string): string => {
    const from = xml.indexOf(`<testsuite name="${name}"`);
    expect(from, name).toBeGreaterThanOrEqual(0);
    return xml.slice(from, xml.indexOf('</testsuite>', from));
  };
  /** The <testcase> of a check id, up to the next one. */
  const testcase = (xml: string, id: string): string => {
    const from = xml.indexOf(`name="${id} (`);
    expect(from, id).toBeGreaterThanOrEqual(0);
    const next = xml.indexOf('<testcase', from);
    return xml.slice(from, next < 0 ? undefined : next);
  };

  it('orders suites of areas the rubric does not know by id, not by check id', () => {
    const r = structuredClone(FAILURES);
    const [a, b] = r.checks as [CheckResult, CheckResult];
    r.checks = [{ ...a, id: 'a.x.y', area: 'zz', line: 'zz.l' }, { ...b, id: 'b.x.y', area: 'aa', line: 'aa.l' }];
    const xml = renderJunit(r);
    expect(xml.indexOf('<testsuite name="aa"')).toBeGreaterThan(0);
    expect(xml.indexOf('<testsuite name="aa"')).toBeLessThan(xml.indexOf('<testsuite name="zz"'));
  });

  it('an error with no harness error still says why, and carries its scenario\'s stderr', () => {
    const r = structuredClone(FAILURES);
    const c = checkOf(r, 'basic.goodbye.clean_exit'); // scenario "goodbye", whose log has stderr
    c.status = 'error';
    delete c.error;
    const tc = testcase(renderJunit(r), 'basic.goodbye.clean_exit');
    expect(tc).toContain(`<error message="could not be measured (not the student's fault): harness error" type="harness.error">`);
    expect(tc).toContain('<system-err>--- client stderr, scenario goodbye ---\nException in thread');
  });

  it('lists every not-strict note of a passed check, one a line', () => {
    const r = structuredClone(FAILURES);
    checkOf(r, 'basic.goodbye.sent').nonStrict = ['one', 'two'];
    expect(testcase(renderJunit(r), 'basic.goodbye.sent')).toContain('<system-out>passed, not strictly:\n- one\n- two</system-out>');
  });

  it('a failure message is cut to 300 characters, an ellipsis included', () => {
    const r = structuredClone(FAILURES);
    for (const [id, n] of [['basic.goodbye.clean_exit', 300], ['basic.register.format', 301]] as const) {
      const c = checkOf(r, id);
      delete c.expected;
      delete c.actual;
      c.requirement = 'r'.repeat(n);
    }
    const xml = renderJunit(r);
    expect(testcase(xml, 'basic.goodbye.clean_exit')).toContain(`<failure message="${'r'.repeat(300)}" type="failed">`);
    expect(testcase(xml, 'basic.register.format')).toContain(`<failure message="${'r'.repeat(299)}…" type="failed">`);
  });

  it('the harness suite carries the stderr of every scenario run, sorted, blank ones left out, long ones cut', () => {
    const r = structuredClone(FAILURES);
    r.errors = [{ code: 'env.displayLost', message: 'the X server went away' }];
    r.logs = [
      { scenario: 'long', stderr: 'y'.repeat(STDERR_CHARS + 1), truncated: false },
      { scenario: 'exact', stderr: 'x'.repeat(STDERR_CHARS), truncated: false },
      { scenario: 'blank', stderr: '  \n ', truncated: false },
      { scenario: 'cut', stderr: 'tail\n', truncated: true },
    ];
    const harness = suite(renderJunit(r), HARNESS_SUITE);
    const err = harness.slice(harness.indexOf('<system-err>'));
    expect(err).toBe([
      '<system-err>--- client stderr, scenario cut (its end only) ---',
      'tail',
      '--- client stderr, scenario exact ---',
      'x'.repeat(STDERR_CHARS),
      `--- client stderr, scenario long (its end only) ---`,
      `${'y'.repeat(STDERR_CHARS)}</system-err>\n  `,
    ].join('\n'));
  });
});

describe('registries', () => {
  it('give each reporter its --help line', () => {
    expect(Object.fromEntries(Object.entries(REPORTERS).map(([n, r]) => [n, r.description]))).toEqual({
      terminal: 'human-readable report on stdout',
      json: 'the full GradeResult (docs/report-schema.md)',
      junit: 'JUnit XML: a testsuite per rubric area, a testcase per check',
      gradescope: 'Gradescope autograder results.json',
      html: 'a self-contained HTML page: wire diagrams, screenshots (docs/HTML-REPORT.md)',
    });
    expect(Object.fromEntries(Object.entries(CLASS_REPORTERS).map(([n, r]) => [n, r.description]))).toEqual({
      csv: `gradebook: ${GRADEBOOK_FILE} (a row per submission) and ${CLASS_FILE} (every result) at the root of --out`,
      github: 'GitHub Actions: annotations for lost checks, a Markdown table for the step summary',
    });
  });

  it('an unknown name is an error that lists the known ones', () => {
    expect(renderSafely('nope', FAILURES)).toEqual({
      ok: false, name: 'nope',
      error: { code: 'reporter.unknown', message: 'unknown reporter "nope" (known: terminal, json, junit, gradescope, html)' },
    });
    expect(renderClassSafely('nope', [FAILURES])).toEqual({
      ok: false, name: 'nope',
      error: { code: 'reporter.unknown', message: 'unknown class reporter "nope" (known: csv, github)' },
    });
  });

  it('a printed reporter\'s outcome has no file key; a file reporter\'s names its file', () => {
    const terminal = renderSafely('terminal', FAILURES);
    expect(terminal.ok).toBe(true);
    expect(Object.hasOwn(terminal, 'file')).toBe(false);
    expect(renderSafely('json', FAILURES)).toMatchObject({ ok: true, file: 'report.json' });
  });

  it('a reporter returning something other than a string fails, naming what it returned', () => {
    const odd = (value: unknown): Record<string, Reporter> => ({ odd: { description: 'odd', render: () => value as string } });
    const message = (value: unknown): string | undefined => {
      const out = renderSafely('odd', FAILURES, {}, odd(value));
      return out.ok ? undefined : out.error.message;
    };
    expect(message(null)).toBe('reporter "odd" failed: render returned null, not a string');
    expect(message(42)).toBe('reporter "odd" failed: render returned number, not a string');
    expect(message(undefined)).toBe('reporter "odd" failed: render returned undefined, not a string');
  });

  it('a class reporter must return texts, every one of them', () => {
    const odd = (outputs: unknown[]): Record<string, ClassReporter> => ({ odd: { description: 'odd', render: () => outputs as [] } });
    const failed = { ok: false, name: 'odd', error: { code: 'reporter.failed', message: 'reporter "odd" failed: render did not return a list of texts' } };
    expect(renderClassSafely('odd', [], {}, odd([{ to: 'stdout', text: 'a' }, { to: 'stdout', text: 1 }]))).toMatchObject(failed);
    expect(renderClassSafely('odd', [], {}, odd([null]))).toMatchObject(failed);
    expect(renderClassSafely('odd', [], {}, odd([{ to: 'stdout', text: 'a' }]))).toEqual({ ok: true, name: 'odd', outputs: [{ to: 'stdout', text: 'a' }] });
  });
});
