// The HTML reporter at its edges, one function at a time: escaping and
// cutting in html.ts, the limits of "what the grader understood" (seen.ts),
// the class index's links, row order, headings and footer, report.html's
// points table, info list and stderr, a lost check's heading and screenshot,
// and where the sequence diagram starts connection rows and folds. Each test
// pins a boundary or a branch the golden files do not reach.

import { describe, expect, it } from 'vitest';
import { checkDetail } from '../src/reporters/html/check.js';
import { count, escapeHtml, head, html, join, visible } from '../src/reporters/html/html.js';
import { layoutSequence, renderClassIndex, renderHtml, reportHref, seenValue, sequenceDiagram, type ClassEntry } from '../src/reporters/html/index.js';
import type { CheckResult, GradeResult, TranscriptLine } from '../src/results.js';
import { checkOf as check, fixture } from './helpers/results.js';

const line = (t: number, dir: TranscriptLine['dir'], text: string, extra: Partial<TranscriptLine> = {}): TranscriptLine => ({ t, dir, text, ...extra });
const occurrences = (text: string, needle: string) => text.split(needle).length - 1;

describe('html.ts', () => {
  it('escapeHtml writes each of the five special characters as its entity', () => {
    expect(escapeHtml(`a & b < c > d " e ' f`)).toBe('a &amp; b &lt; c &gt; d &quot; e &#39; f');
  });

  it('visible() prints invisible characters as four-digit \\u escapes, and keeps clean()\'s escape of a lone surrogate', () => {
    expect(visible('a\u200Bb\u061Cc')).toBe('a\\u200bb\\u061cc');
    expect(visible('x\uD800y')).toBe('x\\ud800y');
  });

  it('count() puts a thin space between every group of three digits', () => {
    expect(count(1234567)).toBe('1\u2009234\u2009567');
  });

  it('head() cuts before, never inside, a surrogate pair', () => {
    expect(head('a\u{1F600}b', 2)).toEqual({ shown: 'a', cut: true });
    expect(head('a\u{1F600}b', 3)).toEqual({ shown: 'a\u{1F600}', cut: true });
    expect(head('abc', 2)).toEqual({ shown: 'ab', cut: true });
    expect(head('abc', 0)).toEqual({ shown: '', cut: true });
  });

  it('html`` drops undefined, null and false; join() skips empty parts instead of doubling the separator', () => {
    expect(html`a${undefined}b${null}c${false}d${['x', null, 1]}e`.value).toBe('abcdx1e');
    expect(join(['a', '', undefined, html`<b>`], ', ').value).toBe('a, <b>');
  });
});

describe('seen.ts: seenValue', () => {
  it('scalars: undefined as none, false as no, a bigint as a number, a function by its type', () => {
    expect(seenValue(undefined).value).toBe('<span class="v-null">none</span>');
    expect(seenValue(false).value).toBe('<span class="v-bool">no</span>');
    expect(seenValue(10n).value).toBe('<span class="v-num">10</span>');
    expect(seenValue(() => 1).value).toBe('<span class="v-null">function</span>');
  });

  it('stops at depth 6', () => {
    const out = seenValue([[[[[[[1]]]]]]]).value;
    expect(occurrences(out, '<li>')).toBe(6);
    expect(out).toContain('<span class="v-null">…</span>');
    expect(out).not.toContain('v-num');
  });

  it('a list goes on one line only if it holds single words of at most 120 characters in all', () => {
    expect(seenValue(['a'.repeat(59), 'b'.repeat(59)]).value).toMatch(/^<ul class="flat">/); // 59 + ", " + 59 = 120
    expect(seenValue(['a'.repeat(60), 'b'.repeat(59)]).value).toMatch(/^<ol class="nested">/);
    expect(seenValue([['a', 'b']]).value).toMatch(/^<ol class="nested"><li><ul class="flat">/); // a list is not a word
  });

  it('a record: 100 keys shown then a count, keys cut at 80 characters', () => {
    const out = seenValue(Object.fromEntries(Array.from({ length: 102 }, (_, i) => [`k${i}`, i]))).value;
    expect(occurrences(out, '<dt>')).toBe(100);
    expect(out).toContain('<dt class="more">… 2 more</dt></dl>');
    expect(seenValue({ ['k'.repeat(90)]: 1 }).value).toContain(`<dt>${'k'.repeat(80)}</dt>`);
  });

  it('a record is compact with up to 8 scalars of up to 40 characters each', () => {
    const rec = (n: number, len: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v'.repeat(len)]));
    expect(seenValue(rec(8, 40)).value).toMatch(/^<dl class="kv compact">/);
    expect(seenValue(rec(9, 40)).value).toMatch(/^<dl class="kv">/);
    expect(seenValue(rec(8, 41)).value).toMatch(/^<dl class="kv">/);
  });
});

describe('class-index.ts', () => {
  it('reportHref drops empty and "." segments and encodes the rest', () => {
    expect(reportHref('a//b\\c')).toBe('a/b/c/report.html');
    expect(reportHref('/srv/x y/', 'basic.register.format')).toBe('srv/x%20y/report.html#check-basic.register.format');
    expect(reportHref('.')).toBe('report.html');
  });

  const entry = (name: string, points: number, bonus: number, folder = name): ClassEntry => {
    const r = fixture('full-marks');
    r.submission = { dir: `/srv/class/${folder}`, name };
    r.score = { ...r.score, points, bonus };
    return { result: r, folder };
  };
  /** The submissions' folders, in the order of the matrix's rows. */
  const rowOrder = (out: string) => [...out.matchAll(/<tr data-name="[^"]*"[^>]*>\n<td class="name"><a href="([^"/]*)\/report\.html"/g)].map((m) => m[1]);

  it('rows: by points, then bonus, then name; the same name keeps the input order', () => {
    expect(rowOrder(renderClassIndex([entry('lo', 50, 0), entry('hi', 50, 2)]))).toEqual(['hi', 'lo']);
    expect(rowOrder(renderClassIndex([entry('zed', 50, 1), entry('amy', 50, 1), entry('mia', 50, 1)]))).toEqual(['amy', 'mia', 'zed']);
    expect(rowOrder(renderClassIndex([entry('sam', 50, 1, 'first'), entry('sam', 50, 1, 'second')]))).toEqual(['first', 'second']);
  });

  it('a check unmeasured without a code, a check missing from one result, and the first result naming each column', () => {
    const amy = fixture('failures');
    amy.submission = { dir: '/srv/class/amy', name: 'amy' };
    const bob = fixture('failures');
    bob.submission = { dir: '/srv/class/bob', name: 'bob' };
    bob.errors = [];
    Object.assign(check(bob, 'basic.register.format'), { status: 'error', points: 0 });
    bob.checks = bob.checks.filter((c) => c.id !== 'conv.send.sent');
    check(bob, 'conv.send.own_once').requirement = 'another wording';
    const out = renderClassIndex([{ result: amy, folder: 'amy' }, { result: bob, folder: 'bob' }]);
    const bobRow = out.slice(out.indexOf('<tr data-name="bob"'));
    expect(bobRow).toMatch(/^[^\n]*\n<td class="name"><a href="bob\/report.html">bob<\/a> <span class="badge s-error"[^>]*>incomplete<\/span><\/td>/);
    expect(bobRow).toContain('title="bob · basic.register.format: not measured"');
    expect(bobRow).toContain('<td class="s-none" title="conv.send.sent: not in this result"></td>');
    expect(out).toContain(`title="conv.send.own_once: ${check(amy, 'conv.send.own_once').requirement.replace(/'/g, '&#39;')}"`);
    expect(out).not.toContain('another wording');
    // Lost by amy, not measured for bob.
    expect(out).toContain('<tr><td class="id"><code>basic.register.format</code></td><td class="num">1 of 2 (50%) <span class="muted">+1 not measured</span></td>');
  });

  it('a run-level error alone marks a submission incomplete', () => {
    const r = fixture('full-marks');
    r.errors = [{ code: 'env.displayLost', message: 'the X server went away' }];
    expect(renderClassIndex([{ result: r, folder: 'x' }])).toContain('title="some checks could not be measured">incomplete</span>');
  });

  it('"most often lost" shows `mostLost` rows, or a sentence when nobody lost a check', () => {
    const r = fixture('failures');
    const out = renderClassIndex([{ result: r, folder: 'x' }], { mostLost: 1 });
    expect(occurrences(out, '<tr><td class="id">')).toBe(1);
    expect(renderClassIndex([entry('ada', 100, 20)])).toContain('<p>No check was lost by anyone.</p>');
  });

  it('heading, summary line and footer', () => {
    const one = renderClassIndex([entry('ada', 100, 20)]);
    expect(one).toContain('<h1>Chat client: 1 submission</h1>\n<p>1 submissions · mean 100.0 · median 100</p></header>');
    expect(one).toContain('<footer>chatgrade 0.1.0</footer>');
    const other = entry('ada', 100, 20);
    // The footer reads the name from the result (the type allows only 'chatgrade', a report of another may not).
    other.result.grader = { name: 'othergrader', version: '9.9' } as unknown as GradeResult['grader'];
    expect(renderClassIndex([other])).toContain('<footer>othergrader 9.9</footer>');
    const none = renderClassIndex([]);
    expect(none).toContain('<h1>Grades: 0 submissions</h1>');
    expect(none).toContain('<footer>chatgrade </footer>');
  });
});

describe('report.ts: renderHtml', () => {
  /** The points table's row for one rubric line. */
  const pointsRow = (out: string, title: string) => {
    const from = out.indexOf(`<tr><td>${title}</td><td><span class="chips">`);
    expect(from).toBeGreaterThan(-1);
    return out.slice(from, out.indexOf('</tr>', from));
  };

  it('a line is "skipped" only when it has checks and all of them were skipped', () => {
    const r = fixture('failures');
    r.checks = r.checks.filter((c) => c.line !== 'structure.main'); // a scored line with no check left
    check(r, 'structure.config.host').status = 'skipped';
    const out = renderHtml(r);
    expect(pointsRow(out, 'Correct &quot;main&quot; handling')).toContain('<td class="num">5/5</td>');
    expect(pointsRow(out, 'Configure server IP address and port')).toContain('<td class="num">5/5</td>');
  });

  it('leaves out info entries that are empty', () => {
    const r = fixture('failures');
    r.environment = { ...r.environment, sandbox: '', probe: 'tk-agent' };
    const out = renderHtml(r);
    expect(out).not.toContain('<dt>Sandbox</dt>');
    expect(out).toContain('<dt>GUI probe</dt><dd>tk-agent</dd>');
  });

  it('stderr: blank logs left out; "capped" when the log was truncated or is over 20 000 characters', () => {
    const r = fixture('failures');
    r.logs = [
      { scenario: 'blank', stderr: ' \n\t', truncated: false },
      { scenario: 'long', stderr: `dropped-head\n${'x'.repeat(20_000)}`, truncated: false },
      { scenario: 'cut', stderr: 'short', truncated: true },
      { scenario: 'whole', stderr: 'short', truncated: false },
    ];
    const out = renderHtml(r);
    expect(out).not.toContain('Scenario blank');
    expect(out).toContain('<summary>Scenario long (the end only: capped)</summary>');
    expect(out).not.toContain('dropped-head');
    expect(out).toContain('<summary>Scenario cut (the end only: capped)</summary>');
    expect(out).toContain('<summary>Scenario whole</summary>');
  });
});

describe('check.ts: checkDetail', () => {
  const detail = (edit: (c: CheckResult) => void) => {
    const r = fixture('failures');
    const c = check(r, 'basic.register.format');
    delete c.transcript;
    edit(c);
    return checkDetail(c, r).value;
  };
  const PNG = 'iVBORw0KGgoAAAANSUhEUg==';
  const NOT_SHOWN = 'The screenshot could not be shown (not a PNG).';

  it('embeds a screenshot only if it is a string of base64 that starts as a PNG', () => {
    expect(detail((c) => { c.screenshot = { png: PNG, width: 4, height: 3, t: 12.4 }; })).toContain('alt="The client\'s windows at 12 ms"');
    expect(detail((c) => { c.screenshot = { png: `xx${PNG}`, width: 4, height: 3, t: 1 }; })).toContain(NOT_SHOWN);
    expect(detail((c) => { c.screenshot = { png: [PNG] as unknown as string, width: 4, height: 3, t: 1 }; })).toContain(NOT_SHOWN);
  });

  it('a screenshot without a time is "at the verdict"', () => {
    const out = detail((c) => { c.screenshot = { png: PNG, width: 4, height: 3, t: null as unknown as number }; });
    expect(out).toContain('<figcaption>The client\'s windows at the verdict (4×3 px)</figcaption>');
  });

  it('heading: the rubric number only when the rubric knows the check, the title only when it differs from the requirement', () => {
    const out = detail((c) => { c.id = 'extra.check'; c.title = c.requirement = 'Says hello'; });
    expect(out).toContain('<h3><span class="badge s-failed">FAIL</span> <code>extra.check</code>  <span class="muted">lost 4 pts</span></h3>');
  });
});

describe('sequence.ts', () => {
  it('one connection: no connection rows, no labels; a line without conn gives a row without conn', () => {
    const lines = [line(0, 'c>s', 'REGISTER mira', { conn: 1 }), line(1, 's>c', 'OK', { conn: 1 }), line(2, 'note', 'done')];
    expect(sequenceDiagram(lines).value).toContain('>REGISTER mira</text>');
    const seq = layoutSequence(lines);
    expect(seq.rows.map((r) => r.kind)).toEqual(['arrow', 'arrow', 'note']);
    expect(seq.rows[0]!.conn).toBe(1);
    expect('conn' in seq.rows[2]!).toBe(false);
  });

  it('several connections: only lines with a conn are labelled with it', () => {
    const lines = [line(0, 'c>s', 'A', { conn: 1 }), line(1, 'c>s', 'B', { conn: 2 }), line(2, 's>c', 'hello')];
    expect(layoutSequence(lines).rows.map((r) => r.kind)).toEqual(['conn', 'arrow', 'conn', 'arrow', 'arrow']); // none for "hello"
    const svg = sequenceDiagram(lines).value;
    expect(svg).toContain('#1 A');
    expect(svg).toContain('>hello</text>');
    expect(svg).not.toContain('#undefined');
  });

  it('a note is cut to the width between the outer lanes less 12 px', () => {
    // Two lanes 190 px apart: the box is 290 px wide, its text 278 px, 41 characters.
    const fits = 'n'.repeat(41);
    const long = 'm'.repeat(43);
    const svg = sequenceDiagram([line(0, 'note', fits), line(1, 'note', long)]).value;
    expect(svg).toContain(`>${fits}</text>`);
    expect(svg).toContain(`>${'m'.repeat(29)}… (43 chars)</text>`);
  });

  it('folds the earlier rows only past 40 rows, keeping the last 30 open', () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => line(i, 'note', `n${i}`));
    expect(sequenceDiagram(lines(40)).value).not.toContain('<details class="fold">');
    expect(sequenceDiagram(lines(41)).value).toContain('<details class="fold"><summary>11 earlier rows</summary>');
  });
});
