// A class through the CLI: the gradebook, distinct folders for equal names,
// a broken submission that does not stop the others, shards that merge into
// the same gradebook, --repeat, Ctrl-C, GitHub output, and a results.json
// for Gradescope when the environment fails. Static checks only, so fast.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/io.js';
import { run } from '../src/cli/main.js';
import { chat } from '../src/packs/chat/index.js';

const STATIC = 'structure.main.*,structure.modularity.*';
const temps: string[] = [];
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'chatgrade-class-'));
  temps.push(d);
  return d;
};
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function cli(args: string[], extra: Partial<Io> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(args, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    isTTY: false,
    env: { ...process.env, NO_COLOR: '1' },
    interrupted: new Promise(() => {}),
    ...extra,
  });
  return { code, out, err };
}

/** A class folder: `name` -> files (a copy of the reference unless given). */
function klass(members: Record<string, Record<string, string> | 'reference'>, parent = temp()): string {
  for (const [name, files] of Object.entries(members)) {
    const d = join(parent, name);
    mkdirSync(d, { recursive: true });
    if (files === 'reference') for (const f of readdirSync(chat.reference).filter((f) => f.endsWith('.py'))) copyFileSync(join(chat.reference, f), join(d, f));
    else for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
  }
  return parent;
}

/** grades.csv's rows, without the "Points Possible" row under the header. */
const csv = (file: string): Record<string, string>[] =>
  (parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[]).filter((r) => Object.values(r)[0] !== 'Points Possible');

describe('a class through the CLI', () => {
  it('writes a gradebook row per submission; a broken grade.json is the student\'s visible failure, with the fix, and the class goes on', async () => {
    const c = klass({
      ann: 'reference',
      ben: { 'main.py': 'import socket\nsocket.create_connection(("127.0.0.1", 9))\n', 'net.py': '' },
      cat: 'reference',
    });
    writeFileSync(join(c, 'cat', 'grade.json'), '{"entry":"main.py",}');
    const out = temp();
    const r = await cli([c, '--only', STATIC, '--reporter', 'csv', '--reporter', 'json', '--reporter', 'github', '--out', out, '--seed', 's1']);
    expect(r.code).toBe(0); // every grade is complete: cat's problem is cat's
    const rows = csv(join(out, 'grades.csv'));
    expect(rows.map((x) => [x.submission, x.total, x.status])).toEqual([
      ['ann', '10', 'graded'],
      ['ben', '3', 'graded'],
      ['cat', '0', 'graded'],
    ]);
    expect(rows[1]!['structure.main']).toBe('0');
    expect(rows.every((x) => x.seed === 's1')).toBe(true);
    const cat = JSON.parse(readFileSync(join(out, 'cat', 'report.json'), 'utf8'));
    expect(cat.errors).toEqual([]);
    expect(cat.problems).toEqual([{
      code: 'submission.invalidConfig',
      message: expect.stringMatching(/^Not graded: grade\.json is not valid: grade\.json is not valid JSON \(at byte \d+\)/),
      fix: expect.stringContaining('Make grade.json valid JSON'),
      checks: ['structure.main.guard', 'structure.modularity.net_loads', 'structure.modularity.net_owns_sockets'],
    }]);
    expect(cat.checks.filter((x: { status: string }) => x.status === 'failed')).toHaveLength(3);
    // Said once, for its cause: one annotation for cat, not one per check.
    const annotations = r.out.split('\n').filter((l) => l.startsWith('::') && l.includes('cat'));
    expect(annotations).toHaveLength(1);
    expect(annotations[0]).toMatch(/^::error title=cat%3A Not graded%3A grade.json is not valid.*Fix: Make grade.json valid JSON.*It cost 3 checks/);
    expect(r.err).not.toMatch(/harness|re-run|INCOMPLETE/i);
    // The summary table, sorted by name; no grade is incomplete.
    expect(r.out).toMatch(/ann\s+10\/10[\s\S]*ben\s+3\/10[\s\S]*cat\s+0\/10/);
    expect(r.out).toContain('all grades complete');
    // Plain progress lines, one per submission.
    expect(r.err.match(/^\[\d\/3\] /gm)).toHaveLength(3);
  });

  it('keeps names in Chinese, with accents and with spaces exactly and distinctly, with a roster\'s ids, in every class output', async () => {
    const c = klass({ 李雷: 'reference', 王芳: { 'main.py': '' }, 'Zoë Müller': 'reference', 'ana maria': 'reference' });
    const roster = join(temp(), 'roster.csv');
    writeFileSync(roster, 'Full Name,SID,Email\nLi Lei,s001,李雷@example.edu\nWang Fang,s002,王芳@example.edu\nZoë Müller,s003,zoe@example.edu\nAna Maria,s004,ana@example.edu\nNo Show,s005,noshow@example.edu\n');
    const out = temp();
    const r = await cli([c, '--only', STATIC, '--reporter', 'csv,html,json', '--roster', roster, '--out', out, '--seed', 'u']);
    expect(r.code).toBe(0);
    const rows = csv(join(out, 'grades.csv'));
    expect(rows.map((x) => [x.SID, x['Full Name'], x.submission, x.path, x.status])).toEqual([
      ['s001', 'Li Lei', '李雷', join(c, '李雷'), 'graded'],
      ['s002', 'Wang Fang', '王芳', join(c, '王芳'), 'graded'],
      ['s003', 'Zoë Müller', 'Zoë Müller', join(c, 'Zoë Müller'), 'graded'],
      ['s004', 'Ana Maria', 'ana maria', join(c, 'ana maria'), 'graded'],
      ['s005', 'No Show', '', '', 'no submission'],
    ]);
    const doc = JSON.parse(readFileSync(join(out, 'class.json'), 'utf8'));
    expect(doc.results.map((x: { submission: { name: string; folder?: string } }) => [x.submission.name, x.submission.folder])).toEqual([
      ['Zoë Müller', 'Zoe_Muller'], ['ana maria', 'ana_maria'], ['李雷', 'LiLei'], ['王芳', 'WangFang'],
    ]);
    expect(readdirSync(out).sort()).toEqual(['LiLei', 'WangFang', 'Zoe_Muller', 'ana_maria', 'class.json', 'grades.csv', 'index.html']);
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    for (const name of ['李雷', '王芳', 'Zoë Müller', 'ana maria']) expect(index).toContain(`>${name}</a>`);
    expect(index).toContain('href="Zoe_Muller/report.html"');
    for (const name of ['李雷', '王芳', 'Zoë Müller', 'ana maria']) expect(r.out).toMatch(new RegExp(`^${name} +\\d+/10`, 'm'));
  });

  it('gives two submissions with the same folder name distinct report folders, and tells them apart by path', async () => {
    const a = klass({ alice: 'reference' });
    const b = klass({ alice: { 'main.py': 'print("hi")\n' } });
    const out = temp();
    const r = await cli([a, b, '--only', STATIC, '--reporter', 'json,csv', '--out', out]);
    expect(r.code).toBe(0);
    const folders = readdirSync(out).filter((f) => f.startsWith('alice')).sort();
    expect(folders).toHaveLength(2);
    for (const f of folders) expect(f).toMatch(/^alice-[0-9a-f]{6}$/);
    const reports = folders.map((f) => JSON.parse(readFileSync(join(out, f, 'report.json'), 'utf8')));
    expect(reports.map((j) => j.submission.name)).toEqual(['alice', 'alice']);
    expect(reports.map((j) => j.score.points).sort()).toEqual([10, 5]);
    expect(csv(join(out, 'grades.csv')).map((x) => [x.submission, x.path]).sort()).toEqual([['alice', join(a, 'alice')], ['alice', join(b, 'alice')]].sort());
    // The summary table names each by the end of its path.
    expect(r.out).toContain(`${a.split('/').pop()}/alice`);
    expect(r.out).toContain(`${b.split('/').pop()}/alice`);
  });

  it('splits a class into disjoint shards that merge into the gradebook of the whole class', async () => {
    const c = klass({ a1: 'reference', b2: { 'main.py': '' }, c3: 'reference', d4: { 'main.py': '', 'net.py': 'import socket\n' }, e5: 'reference' });
    const whole = temp();
    expect((await cli([c, '--only', STATIC, '--reporter', 'csv', '--out', whole, '--seed', 'k'])).code).toBe(0);
    const shards = [temp(), temp()];
    for (const [i, out] of shards.entries()) {
      expect((await cli([c, '--only', STATIC, '--reporter', 'csv', '--out', out, '--seed', 'k', '--shard', `${i + 1}/2`])).code).toBe(0);
    }
    const names = shards.map((s) => csv(join(s, 'grades.csv')).map((x) => x.submission));
    expect(names).toEqual([['a1', 'c3', 'e5'], ['b2', 'd4']]);
    const merged = temp();
    const m = await cli(['merge', ...shards, '--out', merged, '--reporter', 'csv']);
    expect(m.code).toBe(0);
    expect(readFileSync(join(merged, 'grades.csv'), 'utf8')).toBe(readFileSync(join(whole, 'grades.csv'), 'utf8'));
    expect(await cli(['merge', temp(), '--out', merged])).toMatchObject({ code: 2, err: expect.stringContaining('has no class.json') });
    expect(await cli([c, '--shard', '3/2'])).toMatchObject({ code: 2, err: expect.stringContaining('--shard must be i/n') });
  });

  it('--repeat grades again with other seeds and reports verdicts that varied (none for a deterministic client)', async () => {
    const c = klass({ ann: 'reference' });
    const r = await cli([c, '--only', STATIC, '--repeat', '3', '--seed', 'r']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('every verdict was the same in all 3 gradings (seeds r, r-1, r-2)');
  });

  it('Ctrl-C stops the class and writes the gradebook of every student, those not graded marked; --rerun-incomplete grades them and merges; exit 130 then 0', async () => {
    const c = klass({ a: 'reference', b: 'reference', c: 'reference', d: 'reference' });
    const out = temp();
    let stop!: () => void;
    const interrupted = new Promise<void>((resolve) => (stop = resolve));
    let finished = 0;
    const r = await cli([c, '--only', STATIC, '--reporter', 'csv', '--out', out, '--jobs', '1'], {
      interrupted,
      stderr: (t) => {
        // Stop as soon as the first submission is reported.
        if (/^\[1\/4\]/m.test(t) && ++finished === 1) stop();
      },
    });
    expect(r.code).toBe(130);
    const rows = csv(join(out, 'grades.csv'));
    expect(rows.map((x) => x.submission)).toEqual(['a', 'b', 'c', 'd'].filter((n) => rows.some((x) => x.submission === n)));
    expect(rows).toHaveLength(4);
    const graded = rows.filter((x) => x.status === 'graded');
    expect(graded.length).toBeGreaterThanOrEqual(1);
    expect(graded.length).toBeLessThan(4);
    for (const x of rows.filter((y) => y.status !== 'graded')) expect([x.status, x.total]).toEqual(['not graded', '']);
    const again = await cli(['--rerun-incomplete', out, '--only', STATIC]);
    expect(again.code).toBe(0);
    expect(again.err.match(/^\[\d\/\d\] /gm)).toHaveLength(4 - graded.length);
    expect(csv(join(out, 'grades.csv')).map((x) => [x.submission, x.total, x.status])).toEqual(['a', 'b', 'c', 'd'].map((n) => [n, '10', 'graded']));
    expect(await cli(['--rerun-incomplete', out])).toMatchObject({ code: 0, err: expect.stringContaining('nothing to grade again') });
  });

  it('--bail stops the class once that many checks have failed: the rest not graded, exit 1', async () => {
    const c = klass({ a1: { 'main.py': '' }, b2: 'reference', c3: 'reference' });
    const out = temp();
    const r = await cli([c, '--only', STATIC, '--reporter', 'csv', '--out', out, '--jobs', '1', '--bail', '1']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('--bail 1: ');
    const rows = csv(join(out, 'grades.csv'));
    expect(rows[0]).toMatchObject({ submission: 'a1', status: 'graded' });
    expect(rows.some((x) => x.status === 'not graded')).toBe(true);
  });

  it('--reporter github prints annotations for lost checks and appends a summary to $GITHUB_STEP_SUMMARY', async () => {
    const c = klass({ ann: 'reference', ben: { 'main.py': '' } });
    const summary = join(temp(), 'summary.md');
    const r = await cli([c, '--only', STATIC, '--reporter', 'github'], { env: { ...process.env, NO_COLOR: '1', GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^::error .*ben.*structure\.modularity\.net_loads/m);
    expect(r.out).not.toMatch(/^::error .*ann/m);
    expect(readFileSync(summary, 'utf8')).toMatch(/ann[\s\S]*ben/);
  });

  it('writes a score-0 results.json for Gradescope when the environment fails (no Python with tkinter)', async () => {
    const c = klass({ ann: 'reference' });
    const out = temp();
    const env = { PATH: '/usr/bin:/bin', NO_COLOR: '1', CHATGRADE_NO_INSTALL: '1', CHATGRADE_PYTHON: '/no/such/python' };
    const r = await cli([c, '--reporter', 'gradescope', '--out', out], { env });
    expect(r.code).toBe(2);
    expect(r.err).toContain('env.noPython');
    const results = JSON.parse(readFileSync(join(out, 'ann', 'results.json'), 'utf8'));
    expect(results.score).toBe(0);
    expect(results.output).toContain('env.noPython');
    expect(existsSync(join(out, 'ann', 'report.json'))).toBe(false);
  });

  it('refuses, before grading, a glob that matches nothing and an --out that cannot be written', async () => {
    const c = klass({ ann: 'reference' });
    expect(await cli([c, '--only', 'conv.sned.*'])).toMatchObject({ code: 2, err: expect.stringContaining('"conv.sned.*" (did you mean "conv.send.*"?) matches no check id') });
    expect(await cli([c, '--exclude', 'nope'])).toMatchObject({ code: 2, err: expect.stringContaining('--exclude "nope" matches no check id') });
    expect(await cli([c, '--reporter', 'htlm'])).toMatchObject({ code: 2, err: expect.stringContaining('unknown reporter htlm (did you mean "html"?)') });
    const file = join(temp(), 'file');
    writeFileSync(file, '');
    expect(await cli([c, '--reporter', 'json', '--out', file])).toMatchObject({ code: 2, err: expect.stringContaining('is a file, not a folder') });
    // Node's own recursive mkdir never returns on /proc/x; ours fails at once.
    expect(await cli([c, '--reporter', 'json', '--out', '/proc/x'])).toMatchObject({ code: 2, err: expect.stringContaining('--out /proc/x cannot be written') });
  });
});
