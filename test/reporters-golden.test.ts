// Golden files: every reporter's exact output for fixed results (a full grade,
// lost checks, a harness error, skipped checks, a hostile client, several
// peers with a screenshot, a class), held to the files in test/golden/. The
// other reporter tests state properties (valid XML, escaping, widths); these
// pin every byte, so any change to what a TA, a student or a CI system reads
// shows as a diff. After an intended change, review the diff and rewrite the
// files with `npx vitest run test/reporters-golden.test.ts -u`.

import { describe, expect, it } from 'vitest';
import { renderClassIndex, renderHtml } from '../src/reporters/html/index.js';
import {
  CLASS_REPORTERS, REPORTERS, progressLine, renderClassSummary, renderGradescopeFailure, type ReporterName,
} from '../src/reporters/index.js';
import type { CheckResult, GradeResult } from '../src/results.js';
import { hostile, peers } from './fixtures/html/results.js';
import { parseRoster } from '../src/roster.js';
import { classResults, doesNotStart, fixture, hostileResult, review, unicodeClass } from './helpers/results.js';

const golden = (name: string): string => `./golden/${name}`;

const RESULTS: Record<string, () => GradeResult> = {
  'full-marks': () => fixture('full-marks'),
  failures: () => fixture('failures'),
  'harness-error': () => fixture('harness-error'),
  skipped: () => fixture('skipped'),
  hostile: () => hostileResult(),
  'js-client': jsClient,
  'run-errors': runErrors,
  edges,
  review,
  'does-not-start': doesNotStart,
};

/**
 * Lost checks at the edges of what reports show: every kind of value in what
 * the grader understood, screenshots that must not be embedded, a transcript
 * longer than any report keeps, several connections and peers.
 */
function edges(): GradeResult {
  const r = fixture('failures');
  r.submission = { dir: '/srv/submissions/edge', name: 'edge' };
  const failed = r.checks.filter((c) => c.status === 'failed');
  const [a, b, c, d] = failed as [CheckResult, CheckResult, CheckResult, CheckResult];
  a.seen = {
    online: ['ana', 'bo'],
    phrases: ['two words', 'three more words'],
    conversations: [{ id: 'c-1', members: ['ana', 'bo'], lines: ['hello there', ''] }],
    count: 3, flag: true, nothing: null, empty: '', none: [], blank: {},
    long: 'x'.repeat(600),
    many: Array.from({ length: 120 }, (_, i) => `u${i}`),
    wide: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`key${i}`, `value ${i}`])),
    deep: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } },
  };
  a.screenshot = { png: 'not a png', width: 10, height: 10, t: 5 };
  b.screenshot = { png: 'iVBORw0KGgoAAAANSUhEUg==', width: 0, height: 10, t: 5 };
  c.screenshot = { png: 'iVBORw0KGgoAAAANSUhEUg==', width: 10, height: 0, t: 5 };
  c.transcript = Array.from({ length: 1005 }, (_, i) => ({ t: i, dir: i % 2 ? 's>c' : 'c>s', text: `L${i}`, ...(i % 3 ? { peer: `p${i % 4}` } : {}), conn: 1 + (i % 2) }));
  d.transcript = [];
  d.seen = { online: [] };
  return r;
}

/** A JavaScript client graded in its own process, describing its GUI through the explicit probe. */
function jsClient(): GradeResult {
  const r = fixture('failures');
  r.submission = { dir: '/srv/submissions/lin', name: 'lin' };
  r.environment = { node: 'v20.20.0', platform: 'linux', sandbox: 'full', probe: 'explicit', clientMode: 'process (ws)' };
  return r;
}

/** A grade stopped by faults of ours: two run-level errors on top of a check not measured, and logs cut short. */
function runErrors(): GradeResult {
  const r = fixture('harness-error');
  r.submission = { dir: '/srv/submissions/eve', name: 'eve' };
  r.errors = [
    { code: 'env.displayLost', message: 'the X server went away during the session run' },
    { code: 'sandbox.setup', message: 'bwrap: setting up uid map: Permission denied' },
  ];
  for (const l of r.logs) l.truncated = true;
  return r;
}

const EXT: Record<ReporterName, string> = { terminal: 'txt', json: 'json', junit: 'xml', gradescope: 'json', html: 'html' };

describe('every reporter, byte for byte', () => {
  for (const [name, reporter] of Object.entries(REPORTERS) as [ReporterName, (typeof REPORTERS)[ReporterName]][]) {
    if (name === 'html') continue; // below, on results made for it
    for (const [fixtureName, make] of Object.entries(RESULTS)) {
      it(`${name}: ${fixtureName}`, async () => {
        await expect(reporter.render(make(), {})).toMatchFileSnapshot(golden(`${name}/${fixtureName}.${EXT[name]}`));
      });
    }
  }

  for (const [fixtureName, make] of Object.entries(RESULTS)) {
    it(`json: ${fixtureName} with every key and the checks in reverse order comes out the same`, async () => {
      const r = reversed(make()) as GradeResult;
      expect(Object.keys(r)[0]).not.toBe('schemaVersion');
      await expect(REPORTERS.json.render(r, {})).toMatchFileSnapshot(golden(`json/${fixtureName}.json`));
    });
  }

  it('terminal: colour, verbose, 60 columns, 2 transcript lines', async () => {
    const out = REPORTERS.terminal.render(fixture('failures'), { color: true, verbose: true, width: 60, transcriptLines: 2 });
    await expect(out).toMatchFileSnapshot(golden('terminal/failures-verbose-colour-60.txt'));
  });

  it('terminal: a hostile client at 120 columns, verbose', async () => {
    await expect(REPORTERS.terminal.render(hostileResult(), { verbose: true, width: 120 })).toMatchFileSnapshot(golden('terminal/hostile-verbose-120.txt'));
  });

  it('gradescope: hidden by default, and a grading that could not run', async () => {
    await expect(REPORTERS.gradescope.render(fixture('failures'), { visibility: 'hidden' })).toMatchFileSnapshot(golden('gradescope/failures-hidden.json'));
    const failure = renderGradescopeFailure({
      errors: [{ code: 'env.noTkinter', message: 'no Python with tkinter was found' }],
      grader: { name: 'chatgrade', version: '0.1.0' },
      submission: { dir: '/autograder/submission', name: 'submission' },
      durationMs: 120,
      notes: ['apt-get install -y python3-tk'],
    });
    await expect(failure).toMatchFileSnapshot(golden('gradescope/environment-failure.json'));
  });

  for (const [fixtureName, make] of Object.entries({ ...RESULTS, peers, 'hostile-page': hostile })) {
    it(`html: ${fixtureName}`, async () => {
      await expect(renderHtml(make())).toMatchFileSnapshot(golden(`html/${fixtureName}.html`));
    });
  }
});

const ROSTER = parseRoster([
  'Name,SID,Email',
  'Li Lei,李雷,lilei@example.edu',
  'Wang Fang,s0002,wang.fang@example.edu',
  '"Müller, Zoë",s0003,Zoë Müller@example.edu',
  'Ana Maria,s0004,ana maria@example.edu',
  'Nobody Yet,s0005,nobody@example.edu',
].join('\n'), {}, 'roster.csv');

describe('every class reporter, byte for byte', () => {
  it('csv: a class named in Chinese, with accents and spaces, with a roster and students not graded', async () => {
    const context = { roster: ROSTER, notGraded: [{ dir: '/srv/class/stray', name: 'stray' }, { dir: '/srv/class/wang.fang', name: 'wang.fang' }] };
    const outputs = CLASS_REPORTERS.csv.render(unicodeClass(), {}, context);
    for (const o of outputs) if (o.to === 'file') await expect(o.text).toMatchFileSnapshot(golden(`class/unicode-${o.file}`));
    const [annotations, summary] = CLASS_REPORTERS.github.render([...unicodeClass(), doesNotStart(), sameName()], {}, context);
    await expect(annotations!.text).toMatchFileSnapshot(golden('class/unicode-github-annotations.txt'));
    await expect(summary!.text).toMatchFileSnapshot(golden('class/unicode-github-summary.md'));
    await expect(renderClassSummary([...unicodeClass(), doesNotStart(), sameName(), fixture('failures')], {})).toMatchFileSnapshot(golden('class/unicode-summary.txt'));
    const entries = [...unicodeClass(), doesNotStart()].map((result) => ({ result, folder: result.submission.folder ?? result.submission.name }));
    await expect(renderClassIndex(entries, { notGraded: context.notGraded })).toMatchFileSnapshot(golden('class/unicode-index.html'));
  });

  it('csv: grades.csv and class.json', async () => {
    const outputs = CLASS_REPORTERS.csv.render([...classResults(), runErrors(), sameName()], {});
    expect(outputs.map((o) => o.to)).toEqual(['file', 'file']);
    for (const o of outputs) if (o.to === 'file') await expect(o.text).toMatchFileSnapshot(golden(`class/${o.file}`));
  });

  it('csv: the same files from results whose keys and checks come in reverse order', async () => {
    const outputs = CLASS_REPORTERS.csv.render([...classResults(), runErrors(), sameName()].reverse().map((r) => reversed(r) as GradeResult), {});
    for (const o of outputs) if (o.to === 'file') await expect(o.text).toMatchFileSnapshot(golden(`class/${o.file}`));
  });

  it('github: annotations and the step summary', async () => {
    const [annotations, summary] = CLASS_REPORTERS.github.render([...classResults(), hostileResult(), jsClient(), runErrors()], {});
    expect([annotations?.to, summary?.to]).toEqual(['stdout', 'step-summary']);
    await expect(annotations!.text).toMatchFileSnapshot(golden('class/github-annotations.txt'));
    await expect(summary!.text).toMatchFileSnapshot(golden('class/github-summary.md'));
  });

  it('the terminal: progress lines and the summary table, plain and in colour', async () => {
    const results = [...classResults(), hostileResult(), jsClient(), runErrors(), sameName()];
    const progress = [...results, review(), doesNotStart()].map((r, i) => progressLine(i + 1, results.length + 2, r)).join('\n');
    await expect(progress).toMatchFileSnapshot(golden('class/progress.txt'));
    await expect(renderClassSummary(results, {})).toMatchFileSnapshot(golden('class/summary.txt'));
    await expect(renderClassSummary(results, { color: true, width: 50 })).toMatchFileSnapshot(golden('class/summary-colour-50.txt'));
  });

  it('html: the class index', async () => {
    const entries = [...classResults(), hostileResult(), peers()].map((result, i) => ({ result, folder: `${i}-${result.submission.name}` }));
    await expect(renderClassIndex(entries)).toMatchFileSnapshot(golden('class/index.html'));
  });
});

/** A second "ada", from another folder (two students whose folders share a name). */
function sameName(): GradeResult {
  const r = fixture('failures');
  r.submission = { dir: '/srv/class/section-b/ada', name: 'ada' };
  return r;
}

/** A deep copy with every object's keys in reverse order, and the result's checks and unmeasured ids too. */
function reversed(value: unknown, path = ''): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => reversed(v, `${path}[]`));
    return path === '.checks' || path === '.score.unmeasured' ? items.reverse() : items;
  }
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v, `${path}.${k}`)]));
}
