// A class through the CLI: the gradebook, distinct folders for equal names,
// a broken submission that does not stop the others, shards that merge into
// the same gradebook, --repeat, Ctrl-C, GitHub output, and a results.json
// for Gradescope when the environment fails. Static checks only, so fast.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { run, type Io } from '../src/cli/main.js';
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

const csv = (file: string): Record<string, string>[] => parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];

describe('a class through the CLI', () => {
  it('writes a gradebook row per submission; a broken grade.json is that submission\'s error and the class goes on', async () => {
    const c = klass({
      ann: 'reference',
      ben: { 'main.py': 'import socket\nsocket.create_connection(("127.0.0.1", 9))\n', 'net.py': '' },
      cat: 'reference',
    });
    writeFileSync(join(c, 'cat', 'grade.json'), '{ "checks": {} }');
    const out = temp();
    const r = await cli([c, '--only', STATIC, '--reporter', 'csv', '--reporter', 'json', '--out', out, '--seed', 's1']);
    expect(r.code).toBe(2); // cat's grade is incomplete
    const rows = csv(join(out, 'grades.csv'));
    expect(rows.map((x) => [x.submission, x.total, x.status])).toEqual([
      ['ann', '10', 'graded'],
      ['ben', '3', 'graded'],
      ['cat', '0', 'incomplete'],
    ]);
    expect(rows[1]!['structure.main']).toBe('0');
    expect(rows.every((x) => x.seed === 's1')).toBe(true);
    const doc = JSON.parse(readFileSync(join(out, 'class.json'), 'utf8'));
    expect(doc.results.map((x: { submission: { name: string } }) => x.submission.name)).toEqual(['ann', 'ben', 'cat']);
    expect(doc.results[2].errors[0]).toMatchObject({ code: 'config.invalid' });
    expect(r.err).toMatch(/cat: .*grade\.json is not a valid config/);
    // The summary table, sorted by name, counts the incomplete grade.
    expect(r.out).toMatch(/ann\s+10\/10[\s\S]*ben\s+3\/10[\s\S]*cat\s+0\/10/);
    expect(r.out).toContain('1 incomplete');
    // Plain progress lines, one per submission.
    expect(r.err.match(/^\[\d\/3\] /gm)).toHaveLength(3);
  });

  it('gives two submissions with the same folder name distinct report folders', async () => {
    const a = klass({ alice: 'reference' });
    const b = klass({ alice: { 'main.py': 'print("hi")\n' } });
    const out = temp();
    const r = await cli([a, b, '--only', STATIC, '--reporter', 'json,csv', '--out', out]);
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['alice', 'alice-2', 'class.json', 'grades.csv']);
    const one = JSON.parse(readFileSync(join(out, 'alice', 'report.json'), 'utf8'));
    const two = JSON.parse(readFileSync(join(out, 'alice-2', 'report.json'), 'utf8'));
    expect([one.score.points, two.score.points]).toEqual([10, 5]);
    expect(csv(join(out, 'grades.csv')).map((x) => x.submission)).toEqual(['alice', 'alice-2']);
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

  it('Ctrl-C stops the class and writes the gradebook of what was finished; exit 130', async () => {
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
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.length).toBeLessThan(4);
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
    expect(await cli([c, '--only', 'conv.sned.*'])).toMatchObject({ code: 2, err: expect.stringContaining('"conv.sned.*" matches no check id') });
    expect(await cli([c, '--exclude', 'nope'])).toMatchObject({ code: 2, err: expect.stringContaining('--exclude "nope" matches no check id') });
    const file = join(temp(), 'file');
    writeFileSync(file, '');
    expect(await cli([c, '--reporter', 'json', '--out', file])).toMatchObject({ code: 2, err: expect.stringContaining('is a file, not a folder') });
  });
});
