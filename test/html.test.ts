// The HTML reporter as pure functions: the sequence diagram's layout from
// fixed transcripts, escaping of hostile text, the page's self-containment,
// and the class index. test/html-browser.test.ts opens the pages for real.

import { describe, expect, it } from 'vitest';
import type { GradeResult, TranscriptLine } from '../src/results.js';
import { REPORTERS, renderSafely } from '../src/reporters/index.js';
import {
  checkSpan, histogram, layoutSequence, renderClassIndex, renderHtml, replayCommand, reportHref, seenValue, sequenceDiagram,
} from '../src/reporters/html/index.js';
import { MAX_LINES, MAX_PEER_LANES } from '../src/reporters/html/sequence.js';
import { EVIL, fixture, hostile, LONG_LINE, peers, RESULTS } from './fixtures/html/results.js';

const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;
const line = (t: number, dir: TranscriptLine['dir'], text: string, extra: Partial<TranscriptLine> = {}): TranscriptLine => ({ t, dir, text, ...extra });

describe('sequence diagram layout', () => {
  const chat: TranscriptLine[] = [
    line(0, 'note', 'client connected'),
    line(5, 'c>s', 'REGISTER mira'),
    line(9, 's>c', 'ONLINE_USERS mira,tomas,oye'),
    line(400, 's>c', 'INVITATION tomas c-1', { peer: 'tomas' }),
    line(650, 'c>s', 'JOIN c-1'),
    line(700, 's>c', 'MESSAGE c-1 oye hi', { peer: 'oye' }),
    line(710, 's>c', 'MESSAGE c-1 tomas yo', { peer: 'tomas' }),
    line(720, 'c>s', 'DATAGRAM to oye', { peer: 'oye' }),
  ];

  it('columns: client, server, then each peer in order of first appearance', () => {
    const seq = layoutSequence(chat);
    expect(seq.lanes).toEqual([
      { label: 'client', kind: 'client' }, { label: 'server', kind: 'server' },
      { label: 'tomas', kind: 'peer' }, { label: 'oye', kind: 'peer' },
    ]);
    expect(seq.rows.map((r) => [r.kind, r.from, r.to])).toEqual([
      ['note', undefined, undefined],
      ['arrow', 0, 1], // the client to the server
      ['arrow', 1, 0], // the server's own line
      ['arrow', 2, 0], // the server speaking for tomas
      ['arrow', 0, 1],
      ['arrow', 3, 0],
      ['arrow', 2, 0],
      ['arrow', 0, 3], // the client sending to a peer
    ]);
    expect(seq.omitted).toBe(0);
  });

  it('a dropped connection: a row where each new connection starts, arrows labelled with it', () => {
    const dropped = [
      line(0, 'c>s', 'REGISTER mira', { conn: 1 }),
      line(10, 's>c', 'ONLINE_USERS mira', { conn: 1 }),
      line(20, 'note', 'server dropped connection 1', { conn: 1 }),
      line(30, 'c>s', 'REGISTER mira', { conn: 2 }),
    ];
    const seq = layoutSequence(dropped);
    expect(seq.rows.map((r) => r.kind === 'conn' ? r.text : r.kind)).toEqual(['connection 1', 'arrow', 'arrow', 'note', 'connection 2', 'arrow']);
    const svg = sequenceDiagram(dropped).value;
    expect(svg).toContain('#1 REGISTER mira');
    expect(svg).toContain('#2 REGISTER mira');
    // One connection only: no connection rows, no labels.
    const single = dropped.slice(0, 2);
    expect(layoutSequence(single).rows.some((r) => r.kind === 'conn')).toBe(false);
    expect(sequenceDiagram(single).value).not.toContain('#1');
  });

  it('the span is highlighted and the screenshot marked where it was taken', () => {
    const seq = layoutSequence(chat, { span: { from: 600, to: 710 }, mark: { t: 705, text: 'screenshot taken' } });
    expect(seq.rows.filter((r) => r.inSpan).map((r) => r.t)).toEqual([650, 700, 705, 710]);
    const mark = seq.rows.findIndex((r) => r.kind === 'mark');
    expect(seq.rows[mark - 1]!.t).toBe(700);
    expect(seq.rows[mark + 1]!.t).toBe(710);
    expect(count(sequenceDiagram(chat, { span: { from: 600, to: 710 } }).value, /class="span"/g)).toBe(3);
    // The span is measured back from the verdict: the screenshot, else the last line.
    const check = { ...fixture('failures').checks[0]!, transcript: chat, durationMs: 100 };
    expect(checkSpan(check)).toEqual({ from: 620, to: 720 });
    expect(checkSpan({ ...check, screenshot: { png: '', width: 1, height: 1, t: 705 } })).toEqual({ from: 605, to: 705 });
    expect(checkSpan({ ...check, transcript: [] })).toBeUndefined();
  });

  it('a 10 kB line is cut in the diagram with its length shown, whole only up to a cap', () => {
    const svg = sequenceDiagram([line(3, 's>c', LONG_LINE, { peer: 'tomas' })]).value;
    expect(svg).toMatch(/MESSAGE c-1 tomas_k2 x+… \(10\u2009240 chars\)<\/text>/);
    expect(svg.length).toBeLessThan(6000); // the tooltip keeps 2000 characters, the label far fewer
  });

  it('many peers share one column; a long transcript keeps its end and folds the rest', () => {
    const many = Array.from({ length: MAX_PEER_LANES + 3 }, (_, i) => line(i, 's>c', `HELLO ${i}`, { peer: `p${i}` }));
    const seq = layoutSequence(many);
    expect(seq.lanes).toHaveLength(2 + MAX_PEER_LANES + 1);
    expect(seq.lanes.at(-1)!.label).toBe('other peers');
    expect(seq.rows.slice(-3).map((r) => r.from)).toEqual([seq.lanes.length - 1, seq.lanes.length - 1, seq.lanes.length - 1]);

    const long = Array.from({ length: MAX_LINES + 600 }, (_, i) => line(i, i % 2 ? 'c>s' : 's>c', `LINE ${i}`));
    const folded = layoutSequence(long);
    expect(folded.omitted).toBe(600);
    expect(folded.rows[0]!.t).toBe(600);
    const out = sequenceDiagram(long).value;
    expect(out).toContain('600 earlier lines are not drawn');
    expect(out).toMatch(/<details class="fold"><summary>370 earlier rows<\/summary>/);
    expect(out).toContain(`LINE ${MAX_LINES + 599}`);
    expect(count(out, /<svg /g)).toBe(2);
  });
});

describe('report.html', () => {
  it.each(RESULTS)('%s: renders every check, the points and the replay command', (name) => {
    const r = fixture(name);
    const out = renderHtml(r);
    expect(out.startsWith('<!DOCTYPE html>')).toBe(true);
    for (const c of r.checks) expect(out).toContain(`<code>${c.id}</code>`);
    expect(out).toContain(`Total ${r.score.points}/${r.score.max}`);
    expect(out).toContain(`grade ${r.submission.dir} --seed ${r.seed}</code>`);
    for (const c of r.checks.filter((x) => x.status === 'failed')) {
      expect(out).toContain(`id="check-${c.id}"`);
      expect(out).toContain(`--only ${c.id}</code>`);
    }
    expect(renderHtml(r)).toBe(out); // pure and deterministic
  });

  it('a lost check shows its diagram, its screenshot and what the grader understood', () => {
    const r = peers();
    const out = renderHtml(r);
    const own = r.checks.find((c) => c.id === 'conv.send.own_once')!;
    expect(out).toContain(`src="data:image/png;base64,${own.screenshot!.png}" width="${own.screenshot!.width}"`);
    expect(out).toContain('What the grader understood');
    expect(out).toContain('<dt>conversations</dt>');
    expect(out).toMatch(/<li><span class="v-str">mira_7q: kiwi lantern 81<\/span><\/li>/);
    expect(out).toMatch(/lane-peer.*tomas_k2.*lane-peer.*oyelaran/s);
    expect(out).toContain('connection 2');
    expect(out).toContain('<dt>Sandbox</dt><dd>full</dd>');
    expect(out).toContain('<dt>GUI probe</dt><dd>tk-agent</dd>');
    expect(out).toContain('grade.json sets &quot;timeout&quot;: ignored');
  });

  it('unmeasured checks are apart from lost points and the grade is marked incomplete', () => {
    const out = renderHtml(fixture('harness-error'));
    expect(out).toContain('This grade is incomplete');
    expect(out).toMatch(/<h2>Not measured \(1\)<\/h2>/);
    expect(out).toMatch(/NOT MEASURED<\/span> <code>conv\.join\.sent<\/code>/);
  });

  it('self-contained: no network address, no external resource', () => {
    const out = renderHtml(peers());
    const urls = out.match(/\b(?:https?|ftp|wss?):\/\/[^\s"'<>]+/g) ?? [];
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg'])); // an XML namespace, never fetched
    expect(out).not.toMatch(/<link\b|<iframe\b|@import|url\(/);
    for (const src of out.match(/\ssrc="[^"]*"/g) ?? []) expect(src).toMatch(/^ src="data:image\/png;base64,/);
    expect(out).toMatch(/Content-Security-Policy" content="default-src &#39;none&#39;; img-src data:; style-src &#39;sha256-/);
  });

  it('hostile text never becomes markup, and nothing invisible survives', () => {
    const out = renderHtml(hostile());
    expect(count(out, /<script/gi)).toBe(1); // ours, at the end
    expect(out).not.toMatch(/<img src=x|<svg onload|<b onclick|onerror="document/i);
    expect(out).not.toContain(']]>');
    expect(out).toContain('&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;');
    // Control characters, bidi overrides and lone surrogates are shown as escapes.
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202E\u2066\u2069]/);
    expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(out).toContain('bell\\x07 nul\\0 esc\\x1b[31mred\\x1b[0m del\\x7f c1\\x9b');
    expect(out).toContain('abc\\u202eexe.txt');
    expect(out).toContain('half \\ud83d pair');
    // The 10 kB line and the 50 kB stderr are cut with their length.
    expect(out).toMatch(/… \(10\u2009240 chars\)/);
    expect(out).not.toContain('x'.repeat(4001));
    expect(out).not.toContain('y'.repeat(20_001));
    // A screenshot that is not base64 PNG is described, not embedded.
    expect(out).toContain('The screenshot could not be shown (not a PNG).');
    // The replay command quotes the seed for a shell.
    expect(out).toContain(`--seed &#39;s&#39;\\&#39;&#39;e&quot;e;d $(rm -rf /)&#39;</code>`);
  });

  it('the replay command re-runs one check with the same seed', () => {
    expect(replayCommand(fixture('failures'), 'basic.register.format'))
      .toBe('chatgrade /srv/submissions/grace-hopper --seed 7f3a9c21 --only basic.register.format');
  });

  it('is registered as the html reporter writing report.html', () => {
    expect(REPORTERS.html.file).toBe('report.html');
    const outcome = renderSafely('html', peers());
    expect(outcome).toMatchObject({ ok: true, file: 'report.html' });
  });
});

describe('what the grader understood', () => {
  it('renders any JSON value generically, with caps', () => {
    const out = seenValue({ users: ['a', 'b'], n: 3, ok: true, none: null, empty: [], nested: { deep: { er: 'x' } } }).value;
    expect(out).toContain('<dt>users</dt><dd><ul class="flat"><li><span class="v-str">a</span></li><li><span class="v-str">b</span></li></ul></dd>');
    expect(out).toContain('<dt>ok</dt><dd><span class="v-bool">yes</span></dd>');
    expect(out).toContain('<dt>empty</dt><dd><span class="v-null">(none)</span></dd>');
    const big = seenValue({ list: Array.from({ length: 250 }, (_, i) => `item ${i}`) }).value;
    expect(count(big, /<li>/g)).toBe(100);
    expect(big).toContain('… 150 more');
    expect(seenValue({ a: { b: { c: { d: { e: { f: { g: 'too deep' } } } } } } }).value).not.toContain('too deep');
  });
});

describe('class index', () => {
  const entries = () => RESULTS.map((name) => ({ result: fixture(name), folder: name }));

  it('a matrix cell per submission and check, linking to the check in that report', () => {
    const out = renderClassIndex(entries());
    const r0 = fixture('failures');
    expect(count(out, /<td class="s-/g)).toBe(RESULTS.length * r0.checks.length);
    expect(out).toContain('href="failures/report.html#check-basic.register.format"');
    expect(out).toContain('<a href="skipped/report.html">');
    // Sorted by total, highest first, without JavaScript.
    const names = [...out.matchAll(/<td class="name"><a href="([^/]+)\/report\.html">/g)].map((m) => m[1]);
    expect(names).toEqual(['full-marks', 'skipped', 'harness-error', 'failures']);
    expect(out).toContain('data-sort="total"');
    expect(out).toMatch(/1 incomplete/);
  });

  it('the checks most often lost, and a histogram of totals', () => {
    const list = [...entries(), { result: peers(), folder: 'grace' }];
    const out = renderClassIndex(list);
    const lost = out.slice(out.indexOf('Checks most often lost'));
    const order = [...lost.matchAll(/<td class="id"><code>([^<]+)<\/code><\/td><td class="num">(\d+) of 5/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(order.slice(0, 2)).toEqual(['bonus.icons.shown:2', 'basic.register.format:2']);
    expect(histogram([0, 5, 87, 92, 100, 100], 100, 10).map((b) => b.n)).toEqual([2, 0, 0, 0, 0, 0, 0, 0, 1, 3]);
    expect(histogram([3], 3, 10)).toHaveLength(3);
    expect(out).toMatch(/<svg class="hist"/);
  });

  it('folder names are encoded in links and escaped in text', () => {
    expect(reportHref('a b/<x>')).toBe('a%20b/%3Cx%3E/report.html');
    expect(reportHref('./sub', 'a.b')).toBe('sub/report.html#check-a.b');
    const r: GradeResult = hostile();
    const out = renderClassIndex([{ result: r, folder: `"><script>x</script>` }]);
    expect(count(out, /<script/gi)).toBe(1);
    expect(out).toContain('href="%22%3E%3Cscript%3Ex%3C/script%3E/report.html"'); // "/" separates folders
    expect(renderClassIndex([])).toContain('No submissions.');
  });

  it(`escapes: every EVIL string is shown as text`, () => {
    const out = renderHtml(hostile());
    for (const s of [EVIL.script, EVIL.img, EVIL.quote]) expect(out).toContain(s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
  });
});
