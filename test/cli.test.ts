import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import { MARKER_VAR } from '../src/proc/index.js';
import { listProcesses } from '../src/proc/procfs.js';
import { findXvfb, startXvfb } from '../src/env/display.js';

const reference = fileURLToPath(new URL('../examples/reference-client', import.meta.url));
const temps: string[] = [];
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'chatgrade-cli-'));
  temps.push(d);
  return d;
};
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function cli(args: string[], opts: { interrupted?: Promise<void>; onStderr?: (text: string) => void } = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(args, {
    stdout: (t) => (out += t),
    stderr: (t) => {
      err += t;
      opts.onStderr?.(t);
    },
    isTTY: false,
    env: { ...process.env, NO_COLOR: '1' },
    interrupted: opts.interrupted ?? new Promise(() => {}),
  });
  return { code, out, err };
}

/** A copy of the reference client, optionally with a grade.json. */
function copyReference(gradeJson?: unknown): string {
  const d = join(temp(), 'student');
  mkdirSync(d);
  for (const f of readdirSync(reference).filter((f) => f.endsWith('.py'))) copyFileSync(join(reference, f), join(d, f));
  if (gradeJson !== undefined) writeFileSync(join(d, 'grade.json'), JSON.stringify(gradeJson));
  return d;
}

describe('grade (CLI)', () => {
  it('--list prints every check id with its points', async () => {
    const r = await cli(['--list']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/basic\.register\.sent\s+6/);
    expect(r.out).toMatch(/bonus\.robust\.server_crash\s+2/);
  });

  it('exits 2 with a clear message for a missing or wrong folder', async () => {
    expect(await cli([])).toMatchObject({ code: 2, err: expect.stringContaining('name a submission folder') });
    expect(await cli(['/no/such/dir'])).toMatchObject({ code: 2, err: expect.stringContaining('is not a folder') });
    expect(await cli([temp()])).toMatchObject({ code: 2, err: expect.stringContaining('no main.py') });
  });

  it('exits 2 for an unknown reporter, an empty selection, a bad option value', async () => {
    expect(await cli([reference, '--reporter', 'pdf'])).toMatchObject({ code: 2, err: expect.stringContaining('unknown reporter pdf') });
    expect(await cli([reference, '--only', 'nothing.*'])).toMatchObject({ code: 2, err: expect.stringContaining('"nothing.*" matches no check id') });
    expect(await cli([reference, '--jobs', 'many'])).toMatchObject({ code: 2, err: expect.stringContaining('--jobs must be an integer') });
  });

  it('validates a course config and names what is wrong', async () => {
    const f = join(temp(), 'course.json');
    writeFileSync(f, JSON.stringify({ checks: { 'conv.nope': 3 } }));
    expect(await cli([reference, '--config', f])).toMatchObject({ code: 2, err: expect.stringContaining('check "conv.nope"') });
    writeFileSync(f, JSON.stringify({ lines: { 'conv.send': -1 }, color: 'red' }));
    const r = await cli([reference, '--config', f]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('lines.conv.send');
    expect(r.err).toContain('color');
    writeFileSync(f, '{ not json');
    expect(await cli([reference, '--config', f])).toMatchObject({ code: 2, err: expect.stringContaining('not valid JSON') });
  });

  it("a grade.json that touches points is the student's visible failure, with the fix; the grade is complete", async () => {
    const d = copyReference({ checks: { 'basic.register.sent': 0 } });
    const out = temp();
    const r = await cli([d, '--only', 'structure.main.*', '--reporter', 'terminal,json,gradescope', '--out', out]);
    expect(r.code).toBe(0);
    const said = r.out.replace(/\s+/g, ' ');
    expect(said).toContain('Not graded: grade.json is not valid: grade.json is not a valid config: (top level): Unrecognized key: "checks"');
    expect(said).toContain('may set only "entry" and "ui"');
    expect(r.out).toMatch(/Fix {10}Make grade\.json valid JSON/);
    expect(r.out).not.toContain('INCOMPLETE');
    const gs = JSON.parse(readFileSync(join(out, 'student', 'results.json'), 'utf8'));
    expect(gs.visibility).toBe('visible');
    expect(gs.output).toContain('**Fix:** Make grade\\.json valid JSON');
  });

  it('a client that never starts: one banner naming the syntax error and its line, the checks it cost under it, no card or screenshot each', async () => {
    const d = copyReference();
    const main = readFileSync(join(d, 'main.py'), 'utf8').split('\n');
    main[11] = 'def broken(:';
    writeFileSync(join(d, 'main.py'), main.join('\n'));
    const out = temp();
    const r = await cli([d, '--only', 'basic.register.*,structure.modularity.*', '--reporter', 'terminal,json,junit,gradescope,html', '--out', out]);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(join(out, 'student', 'report.json'), 'utf8'));
    expect(j.errors).toEqual([]);
    expect(j.problems).toEqual([{
      code: 'submission.syntaxError',
      message: expect.stringMatching(/^Does not start: SyntaxError in main\.py line 12: /),
      fix: expect.stringContaining('Correct line 12 of main.py'),
      checks: ['basic.register.format', 'basic.register.sent'],
    }]);
    expect(j.checks.filter((c: { screenshot?: unknown }) => c.screenshot)).toEqual([]);
    expect(r.out.match(/Does not start: SyntaxError in main\.py line 12/g)).toHaveLength(1);
    expect(r.out).toMatch(/FAIL basic\.register\.sent \(not run: see above\)/);
    const page = readFileSync(join(out, 'student', 'report.html'), 'utf8');
    expect(page.match(/class="banner fail problem"/g)).toHaveLength(1);
    expect(page).not.toContain('id="check-basic.register.sent"');
    expect(readFileSync(join(out, 'student', 'junit.xml'), 'utf8')).toContain('message="not run: Does not start: SyntaxError in main.py line 12');
    // An entry file that grade.json names and that is not there: the same, for every check.
    const e = copyReference({ entry: 'client.py' });
    const m = await cli([e, '--only', 'structure.main.*', '--reporter', 'json', '--out', out]);
    expect(m.code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'student', 'report.json'), 'utf8')).problems[0]).toMatchObject({ code: 'submission.noEntry', message: 'Does not start: client.py is missing (grade.json names it as the entry)' });
  });

  it('writes JSON, JUnit and Gradescope reports and exits 0; --fail-under gives 1', async () => {
    const out = temp();
    const d = copyReference({ entry: 'main.py' });
    const r = await cli([d, '--only', 'structure.main.*,structure.modularity.*', '--reporter', 'terminal,json,junit,gradescope', '--out', out, '--seed', 'abc']);
    expect(r.err).not.toContain('chatgrade:');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Seed        abc');
    const json = JSON.parse(readFileSync(join(out, 'student', 'report.json'), 'utf8'));
    expect(json).toMatchObject({ schemaVersion: 2, seed: 'abc', score: { points: 10, max: 10 } });
    expect(json.checks.filter((c: { status: string }) => c.status === 'passed').map((c: { id: string }) => c.id)).toEqual([
      'structure.main.guard',
      'structure.modularity.net_loads',
      'structure.modularity.net_owns_sockets',
    ]);
    expect(readFileSync(join(out, 'student', 'junit.xml'), 'utf8')).toContain('<testsuites');
    expect(JSON.parse(readFileSync(join(out, 'student', 'results.json'), 'utf8'))).toMatchObject({ score: 10 });
    const low = await cli([d, '--only', 'structure.main.*', '--reporter', 'json', '--out', out, '--fail-under', '50']);
    expect(low.code).toBe(1);
    expect(low.err).toContain('under --fail-under 50');
  });

  it('grades every submission in a folder of submissions, each its own report', async () => {
    const parent = temp();
    for (const name of ['ann', 'ben']) {
      const d = join(parent, name);
      mkdirSync(d);
      for (const f of ['main.py', 'net.py', 'gui.py']) copyFileSync(join(reference, f), join(d, f));
    }
    // ben's GUI module imports socket: he loses exactly that check.
    writeFileSync(join(parent, 'ben', 'gui.py'), `import socket\n${readFileSync(join(reference, 'gui.py'), 'utf8')}`);
    mkdirSync(join(parent, 'notes'));
    const out = temp();
    const r = await cli([parent, '--only', 'structure.modularity.*', '--reporter', 'json', '--out', out, '--seed', 'folder']);
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['ann', 'ben']);
    const report = (name: string) => JSON.parse(readFileSync(join(out, name, 'report.json'), 'utf8'));
    const summary = (name: string) => {
      const j = report(name);
      return { name: j.submission.name, dir: j.submission.dir, seed: j.seed, points: j.score.points, max: j.score.max, lost: j.checks.filter((c: { status: string }) => c.status === 'failed').map((c: { id: string }) => c.id) };
    };
    expect(summary('ann')).toEqual({ name: 'ann', dir: join(parent, 'ann'), seed: 'folder', points: 5, max: 5, lost: [] });
    expect(summary('ben')).toEqual({ name: 'ben', dir: join(parent, 'ben'), seed: 'folder', points: 3, max: 5, lost: ['structure.modularity.net_owns_sockets'] });
    expect(report('ben').checks.find((c: { id: string }) => c.id === 'structure.modularity.net_owns_sockets').actual).toMatch(/^gui\.py:1: import socket/);
  });

  it('re-weights through the course config', async () => {
    const f = join(temp(), 'course.json');
    writeFileSync(f, JSON.stringify({ lines: { 'structure.modularity': 20 }, checks: { 'structure.main.guard': 1 } }));
    const out = temp();
    const r = await cli([reference, '--config', f, '--only', 'structure.main.*,structure.modularity.*', '--reporter', 'json', '--out', out]);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(join(out, 'reference-client', 'report.json'), 'utf8'));
    const max = Object.fromEntries(j.checks.filter((c: { status: string }) => c.status !== 'skipped').map((c: { id: string; max: number }) => [c.id, c.max]));
    expect(max).toEqual({ 'structure.main.guard': 1, 'structure.modularity.net_loads': 12, 'structure.modularity.net_owns_sockets': 8 });
    expect([j.score.points, j.score.max]).toEqual([21, 21]);
  });

  it('exits 2 when a check could not be measured, after writing its reports', async () => {
    // --timeout-scale 0.00001 leaves a check no time at all: it meets its deadline, a harness error, not the student's failure.
    const out = temp();
    const r = await cli([reference, '--only', 'structure.modularity.net_owns_sockets', '--timeout-scale', '0.00001', '--reporter', 'terminal,json', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('chatgrade: reference-client: some checks could not be measured (harness errors above); this grade is incomplete');
    expect(r.out).toContain('NOT MEASURED structure.modularity.net_owns_sockets');
    const j = JSON.parse(readFileSync(join(out, 'reference-client', 'report.json'), 'utf8'));
    expect(j.checks.find((c: { id: string }) => c.id === 'structure.modularity.net_owns_sockets')).toMatchObject({ status: 'error', points: 0, error: { code: 'grader.deadline' } });
    expect(j.errors).toEqual([]);
  });

  it('a client that cannot be started at all: a run-level harness error in every report, exit 2', async () => {
    const f = join(temp(), 'course.json');
    writeFileSync(f, JSON.stringify({ command: ['/nonexistent/chatgrade-client', '--port', '{port}'] }));
    const out = temp();
    const r = await cli([reference, '--config', f, '--only', 'basic.register.*', '--reporter', 'terminal,json,junit,gradescope', '--out', out]);
    expect(r.code).toBe(2);
    const j = JSON.parse(readFileSync(join(out, 'reference-client', 'report.json'), 'utf8'));
    // Whichever layer notices first: the launcher (no sandbox) or the sandbox's init.
    expect(j.errors).toHaveLength(1);
    const { code, message } = j.errors[0] as { code: string; message: string };
    expect(['client.spawnFailed', 'sandbox.setupFailed']).toContain(code);
    expect(message).toMatch(/^the session run could not start: .*\/nonexistent\/chatgrade-client/);
    expect(j.checks.filter((c: { status: string }) => c.status === 'error').map((c: { id: string; error: { code: string } }) => [c.id, c.error.code])).toEqual([
      ['basic.register.format', code],
      ['basic.register.sent', code],
    ]);
    expect(r.err).toContain(`chatgrade: reference-client: ${message} [${code}]`);
    expect(r.out).toContain(code);
    expect(r.out).toContain('INCOMPLETE');
    expect(readFileSync(join(out, 'reference-client', 'junit.xml'), 'utf8')).toContain(code);
    expect(JSON.parse(readFileSync(join(out, 'reference-client', 'results.json'), 'utf8')).output).toContain(code);
  });

  it('--headed shows the client on the user\'s own display, names each check as it starts, and slows each action down', async () => {
    expect(await cli([reference, '--slow-mo', '100'])).toMatchObject({ code: 2, err: expect.stringContaining('--slow-mo goes with --headed') });
    // The "user's display": an Xvfb of the test's own, as a desktop's X server would be.
    const x = await startXvfb(findXvfb()!, { within: 10_000 });
    let err = '';
    try {
      const out = temp();
      const r = await run(['--headed', '--slow-mo', '50', reference, '--only', 'basic.register.*,conv.invite.sent', '--reporter', 'terminal,json', '--out', out], {
        stdout: () => undefined,
        stderr: (t) => (err += t),
        isTTY: false,
        env: { ...process.env, NO_COLOR: '1', DISPLAY: x.display },
        interrupted: new Promise(() => {}),
      });
      expect(r).toBe(0);
      expect(err).toContain('> basic.register.sent: REGISTER <user> is the first line after connecting');
      expect(err).toMatch(/> conv\.invite\.sent: [^\n]+\n {2}PASS conv\.invite\.sent\n/);
      const j = JSON.parse(readFileSync(join(out, 'reference-client', 'report.json'), 'utf8'));
      expect(j.environment.display).toBe(x.display);
      expect(j.score.points).toBe(j.score.max);
    } finally {
      await x.proc.kill(500);
    }
  });

  it('Ctrl-C during grading stops every client and exits 130, writing no report', async () => {
    const out = temp();
    // Ctrl-C as soon as the client's first line shows in the --verbose wire log: a client is running then.
    let press!: () => void;
    const interrupted = new Promise<void>((r) => (press = r));
    const r = await cli([reference, '--only', 'basic.register.sent', '--verbose', '--reporter', 'json', '--out', out], { interrupted, onStderr: (t) => t.includes(' C> ') && press() });
    const alive = trackedByThisProcess();
    expect(r.code).toBe(130);
    expect(r.err).toMatch(/ C> REGISTER /);
    expect(r.err.endsWith('chatgrade: interrupted; every client process was stopped (0 of 1 graded)\n')).toBe(true);
    expect(alive).toEqual([]);
    expect(readdirSync(out)).toEqual([]);
  });
});

/** Pids of live processes started (through spawnTracked) by this test process. */
function trackedByThisProcess(): number[] {
  return listProcesses()
    .map((p) => p.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`${MARKER_VAR}=${process.pid}-`);
      } catch {
        return false;
      }
    });
}
