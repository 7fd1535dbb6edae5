// Reporters over a whole class: the gradebook (grades.csv, class.json), the
// terminal's progress line and summary table, and GitHub Actions output.

import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import {
  CLASS_REPORTERS, classSummaryLines, gradebookRows, githubAnnotations, githubSummary, progressLine, renderClassJson,
  renderClassSafely, renderGradebook, type ClassReporter,
} from '../src/reporters/index.js';
import { canonicalResult } from '../src/reporters/json.js';
import type { GradeResult } from '../src/results.js';
import { parseRoster } from '../src/roster.js';
import { checkOf, classResults, ESC, fixture, hostileResult } from './helpers/results.js';

const named = (r: GradeResult, name: string): GradeResult => ({ ...r, submission: { dir: `/srv/class/${name}`, name } });

describe('grades.csv', () => {
  it('a row per submission, sorted, after the maximum points: name, path, totals, each line, status, review, seed (RFC 4180)', () => {
    const csv = renderGradebook(classResults());
    const records = csv.split('\r\n');
    expect(records.at(-1)).toBe('');
    const lines = fixture('full-marks').rubric.lines.map((l) => l.id);
    expect(records[0]).toBe(['submission', 'path', 'total', 'bonus', ...lines, 'status', 'review', 'seed', 'sandbox', 'probe'].join(','));
    const full = fixture('full-marks');
    expect(records[1]).toBe(`Points Possible,,100,20,${lines.map((id) => full.score.lines.find((l) => l.id === id)!.max).join(',')},,,,,`);
    expect(records.slice(2, -1).map((r) => r.split(',')[0])).toEqual(['ada', 'bob', 'carol', 'dave']);
    expect(records[2]).toBe(`ada,/srv/class/ada,100,20,${lines.map((id) => full.score.lines.find((l) => l.id === id)!.points).join(',')},graded,,${full.seed},,`);
    expect(records[3]).toMatch(/^bob,\/srv\/class\/bob,87,8,5,5,5,5,6,7,7,/);
    expect(csv).not.toContain('\n\n');
  });

  it('leaves blank what was not measured: the total of an incomplete grade, a line with a check not measured, a line not run', () => {
    const rows = gradebookRows(classResults());
    const col = (name: string) => rows[0]!.indexOf(name);
    const carol = rows.find((r) => r[0] === 'carol')!;
    expect([carol[col('total')], carol[col('bonus')], carol[col('conv.join')], carol[col('conv.send')], carol[col('status')]]).toEqual(['', '20', '', '10', 'incomplete']);
    const dave = rows.find((r) => r[0] === 'dave')!;
    expect([dave[col('total')], dave[col('structure.main')], dave[col('bonus.icons')]]).toEqual(['93', '', '']);
  });

  it('lists the submissions not graded, and with a roster its students: ids on every row, who handed in nothing, and folders no student matches', () => {
    const roster = parseRoster('SID,Name,Email\n1001,Ada L.,ada@x.edu\n1002,Bob K.,bob@x.edu\n1003,Cy N.,cy@x.edu\n', {}, 'roster.csv');
    const rows = gradebookRows([named(fixture('full-marks'), 'ada'), named(fixture('failures'), 'zed')], { roster, notGraded: [{ dir: '/srv/class/bob', name: 'bob' }] });
    expect(rows[0]!.slice(0, 5)).toEqual(['SID', 'Name', 'Email', 'submission', 'path']);
    expect(rows.slice(2).map((r) => [...r.slice(0, 4), r[r.length - 5]])).toEqual([
      ['1001', 'Ada L.', 'ada@x.edu', 'ada', 'graded'],
      ['1002', 'Bob K.', 'bob@x.edu', 'bob', 'not graded'],
      ['1003', 'Cy N.', 'cy@x.edu', '', 'no submission'],
      ['', '', '', 'zed', 'graded'],
    ]);
  });

  it('quotes what needs quoting and defuses spreadsheet formulas', () => {
    const csv = renderGradebook([named(fixture('full-marks'), 'smith, "jo"'), named(fixture('full-marks'), '=HYPERLINK("x")')]);
    const rows = csv.split('\r\n');
    expect(rows[2]!.startsWith(`"'=HYPERLINK(""x"")","/srv/class/=HYPERLINK(""x"")",100,20,`)).toBe(true);
    expect(rows[3]!.startsWith('"smith, ""jo""","/srv/class/smith, ""jo""",100,20,')).toBe(true);
  });

  it('states the sandbox and probe of each row, the checks to review, and cleans client-made names', () => {
    const r = hostileResult(`eve${ESC}[2J`);
    checkOf(r, 'bonus.icons.shown').review = 'no image widget was recognised';
    checkOf(r, 'basic.online_users.no_self').review = 'no online list was recognised';
    const csv = renderGradebook([r]);
    expect(csv).not.toContain(ESC);
    expect(csv.split('\r\n')[2]).toMatch(/^eve\\x1b\[2J,\/srv\/submissions\/eve\\x1b\[2J,87,8,.*,graded,basic\.online_users\.no_self bonus\.icons\.shown,7f3a9c21,fallback,tk-agent$/);
  });
});

describe('class.json', () => {
  it('holds every result, sorted by submission, in report.json form', () => {
    const doc = JSON.parse(renderClassJson(classResults())) as { schemaVersion: number; results: GradeResult[] };
    expect(doc.schemaVersion).toBe(2);
    expect(doc.results.map((r) => r.submission.name)).toEqual(['ada', 'bob', 'carol', 'dave']);
    const bob = classResults().find((r) => r.submission.name === 'bob')!;
    expect(doc.results[1]).toEqual(JSON.parse(JSON.stringify(canonicalResult(bob))));
    expect(JSON.parse(renderClassJson([]))).toEqual({ schemaVersion: 2, results: [] });
  });
});

describe('terminal: progress and summary', () => {
  it('progress lines: count, name, total, bonus, failed and incomplete', () => {
    const [ada, carol, bob] = classResults();
    expect(progressLine(12, 40, bob!)).toBe('[12/40] bob 87/100 +8 (6 failed)');
    expect(progressLine(3, 40, ada!)).toBe('[ 3/40] ada 100/100 +20');
    expect(progressLine(4, 40, carol!)).toBe('[ 4/40] carol 92/100 +20 (1 failed, 1 not measured: INCOMPLETE)');
    const crashed = { ...ada!, errors: [{ code: 'submission.invalidConfig', message: 'grade.json is not JSON' }] };
    expect(progressLine(1, 1, crashed)).toBe('[1/1] ada 100/100 +20 (1 harness error: INCOMPLETE)');
  });

  it('summary table: sorted, aligned in columns even with wide names, incomplete counted', () => {
    const results = [...classResults(), named(fixture('failures'), '王小明'), named(fixture('full-marks'), 'zoë 🎉')];
    results[5]!.environment = { ...results[5]!.environment, sandbox: 'full', probe: 'explicit' };
    const lines = classSummaryLines(results, { width: 60 });
    expect(lines[0]).toMatch(/^Submission +Total +Bonus +Failed +Errors +Review$/);
    const rows = lines.slice(1, 7);
    expect(rows.map((l) => l.split(/\s{2,}/)[0])).toEqual(['ada', 'bob', 'carol', 'dave', 'zoë 🎉', '王小明']);
    const ends = rows.map((l) => stringWidth(l.replace(/ !$/, '')));
    expect(new Set(ends).size).toBe(1);
    expect(ends[0]).toBe(stringWidth(lines[0]!));
    // 60 columns leave no room for the word: the mark is "!" and the footer says so.
    expect(rows[2]).toMatch(/^carol +92\/100 +20\/20 +1 +1 +0 !$/);
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(60);
    expect(lines.slice(8).join(' ')).toContain("6 submissions; 1 incomplete (marked \"!\") (a harness fault, not the student's: re-run it before publishing).");
    expect(classSummaryLines(results, { width: 80 })[3]).toMatch(/^carol +92\/100 +20\/20 +1 +1 +0 INCOMPLETE$/);
    expect(lines.at(-1)).toBe('Sandbox: full (1) · GUI probe: explicit (1)');
  });

  it('long names are cut to the width, colour only when asked', () => {
    const lines = classSummaryLines([named(fixture('full-marks'), 'x'.repeat(200))], { width: 50 });
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(50);
    expect(lines[1]).toContain('…');
    expect(lines.join('\n')).not.toContain(ESC);
    expect(classSummaryLines(classResults(), { color: true }).join('\n')).toContain(ESC);
  });
});

describe('github', () => {
  it('an ::error per lost check and a ::warning per unmeasured check, escaped per workflow-command rules', () => {
    const r = hostileResult('eve, 100%: ok');
    const out = githubAnnotations([r, named(fixture('harness-error'), 'carol')]);
    const lines = out.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('::error ')).length).toBe(6 + 1);
    expect(lines.filter((l) => l.startsWith('::warning ')).length).toBe(1);
    expect(lines.every((l) => l.startsWith('::'))).toBe(true);
    expect(out).not.toContain(ESC);
    expect(out).not.toContain('\r');
    const reg = lines.find((l) => l.includes('basic.register.format'))!;
    expect(reg.startsWith('::error title=eve%2C 100%25%3A ok%3A basic.register.format lost 4 pts::REGISTER well formed. ')).toBe(true);
    expect(reg).toContain('%0AActual: REGISTER A]]>B]]>C \\x1b[1mbold');
    expect(lines.find((l) => l.startsWith('::warning '))).toMatch(/^::warning title=carol%3A conv\.join\.sent not measured \(5 pts\)::Could not be measured, not the student's fault: probe\.timeout: /);
    expect(githubAnnotations([fixture('full-marks')])).toBe('');
  });

  it('the step summary: a sorted table with grade, sandbox and probe, then details per submission', () => {
    const pipe = named(hostileResult(), 'a|b <i>');
    const md = githubSummary([...classResults(), pipe]);
    expect(md.startsWith('## chatgrade: Chat client\n')).toBe(true);
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Submission'));
    expect(rows.map((l) => l.split(' | ')[0])).toEqual(['| ada', '| a\\|b \\<i\\>', '| bob', '| carol', '| dave']);
    expect(rows[1]).toBe('| a\\|b \\<i\\> | 87/100 | 8/20 | 6 | 0 | 0 | graded | fallback | tk\\-agent |');
    expect(rows[3]).toContain('| **incomplete** |');
    expect(md).toContain('**1 of 5 grades are incomplete**');
    expect(md).toContain('<summary>a|b &lt;i&gt;: 6 lost, 0 not measured</summary>');
    expect(md).not.toContain('<i>');
    expect(md).not.toContain(ESC);
  });

  it('stays under GitHub\'s summary limit for a large class', () => {
    const many = Array.from({ length: 400 }, (_, i) => {
      const r = named(hostileResult(), `s${String(i).padStart(3, '0')}`);
      r.checks.find((c) => c.id === 'basic.register.format')!.actual = 'x'.repeat(3000);
      return r;
    });
    const md = githubSummary(many);
    expect(md.length).toBeLessThan(1024 * 1024);
    expect(md).toContain('more submissions left out');
    expect(md.split('\n').filter((l) => /^\| s\d{3} /.test(l))).toHaveLength(400);
  });
});

describe('class registry and renderClassSafely', () => {
  it('csv writes grades.csv and class.json; github writes stdout and the step summary', () => {
    const csv = renderClassSafely('csv', classResults());
    expect(csv.ok && csv.outputs.map((o) => (o.to === 'file' ? o.file : o.to))).toEqual(['grades.csv', 'class.json']);
    const gh = renderClassSafely('github', classResults());
    expect(gh.ok && gh.outputs.map((o) => o.to)).toEqual(['stdout', 'step-summary']);
    expect(Object.keys(CLASS_REPORTERS).sort()).toEqual(['csv', 'github']);
  });

  it('a broken or unknown class reporter is an error value, not a crash', () => {
    const broken: Record<string, ClassReporter> = {
      boom: { description: 'throws', render: () => { throw new Error('kaput'); } },
      odd: { description: 'returns text', render: () => 'text' as never },
    };
    expect(renderClassSafely('boom', [], {}, broken)).toMatchObject({ ok: false, error: { code: 'reporter.failed', message: 'reporter "boom" failed: kaput' } });
    expect(renderClassSafely('odd', [], {}, broken)).toMatchObject({ ok: false, error: { code: 'reporter.failed' } });
    expect(renderClassSafely('junit', [])).toMatchObject({ ok: false, error: { code: 'reporter.unknown' } });
    expect(renderClassSafely('csv', [{ ...fixture('full-marks'), score: undefined } as unknown as GradeResult]).ok).toBe(false);
  });
});
