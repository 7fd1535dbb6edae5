// The real `chatgrade` process on a pseudo-terminal and under signals:
// NO_COLOR and FORCE_COLOR as no-color.org says, on a terminal too; the live
// class view keeps every message (the raw output replayed in a headless
// terminal, @xterm/headless, to read the screen as a person would); an --out
// that cannot be made fails at once; SIGTERM ends a class run leaving no
// process and a gradebook of every student; a second signal ends it at once.
// The pseudo-terminal is util-linux's `script` (Debian's bsdutils).

import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { Terminal } from '@xterm/headless';
import { afterEach, describe, expect, it } from 'vitest';
import { MARKER_VAR } from '../src/proc/index.js';
import { listProcesses } from '../src/proc/procfs.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const reference = join(root, 'examples/reference-client');
const STATIC = 'structure.main.*,structure.modularity.*';
const ESC_COLOUR = /\u001b\[[0-9;]*m/;

const temps: string[] = [];
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'chatgrade-pty-'));
  temps.push(d);
  return d;
};
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A class folder of copies of the reference client. */
function klass(names: string[]): string {
  const parent = temp();
  for (const n of names) {
    mkdirSync(join(parent, n));
    for (const f of readdirSync(reference).filter((x) => x.endsWith('.py'))) copyFileSync(join(reference, f), join(parent, n, f));
  }
  return parent;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Run `chatgrade ARGS` on a pseudo-terminal of cols x rows; its exit code and every byte it wrote there. */
function onPty(args: string[], env: Record<string, string>, size = { cols: 100, rows: 40 }): Promise<{ code: number | null; raw: string }> {
  const command = `stty cols ${size.cols} rows ${size.rows}; exec ${[process.execPath, join(root, 'bin/chatgrade'), ...args].map(quote).join(' ')}`;
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NO_COLOR' && k !== 'FORCE_COLOR')) as Record<string, string>;
  const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: root, env: { ...base, TERM: 'xterm-256color', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let raw = '';
  child.stdout!.on('data', (c: Buffer) => (raw += c.toString('utf8')));
  return exited(child, 120_000).then((code) => ({ code, raw }));
}

/** The exit code, or a failure naming the wait when it does not come within `within` ms. */
function exited(child: ChildProcess, within: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chatgrade did not exit within ${within} ms`));
    }, within);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 128 : null));
    });
  });
}

/** What a person sees after the run: every line of the headless terminal, scrollback included, trailing spaces cut. */
async function screen(raw: string, cols: number, rows: number): Promise<string[]> {
  const term = new Terminal({ cols, rows, scrollback: 5000, allowProposedApi: true });
  await new Promise<void>((resolve) => term.write(raw.replace(/\r?\n/g, '\r\n'), resolve));
  const b = term.buffer.active;
  const out: string[] = [];
  for (let i = 0; i < b.length; i++) out.push(b.getLine(i)!.translateToString(true));
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

/** Live processes started by the grader process `pid` (their environment carries its marker); zombies are gone already, awaiting only their reaping. */
function leftBy(pid: number): number[] {
  return listProcesses().map((p) => p.pid).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/environ`, 'latin1').includes(`${MARKER_VAR}=${pid}-`) && readFileSync(`/proc/${p}/stat`, 'latin1').split(') ')[1]?.[0] !== 'Z';
    } catch {
      return false;
    }
  });
}

/**
 * The grader's processes still alive once it has exited, waited for up to
 * `within` ms: the last ones are SIGKILLed as the grader exits, and the
 * kernel takes a moment to tear a sandbox down.
 */
async function leftAfter(pid: number, within = 5000): Promise<number[]> {
  const until = performance.now() + within;
  let left = leftBy(pid);
  while (left.length > 0 && performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = leftBy(pid);
  }
  return left;
}

describe('colour on a terminal', () => {
  it('NO_COLOR=1 on a pseudo-terminal prints no colour; FORCE_COLOR=0 neither; with neither, the terminal gets colour', async () => {
    const args = [reference, '--only', 'structure.main.guard'];
    const plain = await onPty(args, { NO_COLOR: '1' });
    expect(plain.code).toBe(0);
    expect(plain.raw).toContain('Total 5/5');
    expect(plain.raw).not.toMatch(ESC_COLOUR);
    expect((await onPty(args, { FORCE_COLOR: '0' })).raw).not.toMatch(ESC_COLOUR);
    const coloured = await onPty(args, {});
    expect(coloured.raw).toMatch(ESC_COLOUR);
  });
});

describe('the live class view', () => {
  it('keeps every message: progress lines and each submission\'s error line stay on screen, and no frame is left behind', async () => {
    const c = klass(['ann', 'ben', 'cat']);
    const course = join(temp(), 'course.json');
    // A command that cannot start: each submission's grade stops on a harness fault, printed as it finishes.
    writeFileSync(course, JSON.stringify({ command: ['/nonexistent/chatgrade-client', '{port}'] }));
    const out = temp();
    const { code, raw } = await onPty([c, '--config', course, '--only', 'basic.register.sent', '--jobs', '1', '--reporter', 'json', '--out', out], { NO_COLOR: '1' }, { cols: 100, rows: 12 });
    expect(code).toBe(2);
    const lines = await screen(raw, 100, 12);
    for (const n of ['ann', 'ben', 'cat']) {
      expect(lines.filter((l) => l.startsWith(`chatgrade: ${n}: the session run could not start`))).toHaveLength(1);
      expect(lines.filter((l) => new RegExp(`^\\[\\d/3\\] ${n} 0/\\d+ \\+0 \\(.*INCOMPLETE\\)$`).test(l))).toHaveLength(1);
    }
    expect(lines.filter((l) => /^grading \d\/3|⋯/.test(l))).toEqual([]);
    // Wrapped at spaces, never inside a word: every row of the error message ends a word.
    const from = lines.findIndex((l) => l.startsWith('chatgrade: ann:'));
    const rows = lines.slice(from, lines.findIndex((l, i) => i > from && /^(\[\d\/3\]|chatgrade: )/.test(l)));
    const fault = JSON.parse(readFileSync(join(out, 'ann', 'report.json'), 'utf8')).errors[0] as { code: string; message: string };
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.join(' ')).toBe(`chatgrade: ann: ${fault.message} [${fault.code}]`);
    expect(lines.some((l) => /^Submission +Total/.test(l))).toBe(true);
  });
});

describe('stopping', () => {
  it('an --out that cannot be made (/proc/x) fails at once with exit 2', async () => {
    const child = spawn(process.execPath, [join(root, 'bin/chatgrade'), reference, '--reporter', 'json', '--out', '/proc/x'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c));
    expect(await exited(child, 20_000)).toBe(2);
    expect(err).toContain('--out /proc/x cannot be written');
  });

  it('SIGTERM ends a class run: no process left, and a gradebook that lists every student; a second signal ends it at once', async () => {
    const c = klass(['a', 'b', 'c', 'd']);
    const out = temp();
    const child = spawn(process.execPath, [join(root, 'bin/chatgrade'), c, '--only', STATIC, '--jobs', '1', '--reporter', 'csv', '--out', out], { cwd: root, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    const first = new Promise<void>((resolve) => child.stderr!.on('data', (d: Buffer) => {
      err += d;
      if (/^\[1\/4\]/m.test(err)) resolve();
    }));
    await first;
    child.kill('SIGTERM');
    expect(await exited(child, 60_000)).toBe(130);
    expect(await leftAfter(child.pid!)).toEqual([]);
    const rows = (parse(readFileSync(join(out, 'grades.csv'), 'utf8'), { columns: true }) as Record<string, string>[]).filter((r) => r.submission !== 'Points Possible' && r.submission !== '');
    expect(rows.map((r) => r.submission)).toEqual(['a', 'b', 'c', 'd']);
    expect(rows.filter((r) => r.status === 'graded').length).toBeGreaterThanOrEqual(1);
    expect(rows.filter((r) => r.status !== 'graded').every((r) => r.status === 'not graded')).toBe(true);

    // A check that runs the client: the clean stop then has a client to stop, so it cannot end before the second signal is taken.
    const again = spawn(process.execPath, [join(root, 'bin/chatgrade'), c, '--only', 'basic.register.*', '--jobs', '1', '--reporter', 'csv', '--out', temp()], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let said = '';
    again.stderr!.on('data', (d: Buffer) => (said += d));
    await new Promise<void>((resolve) => again.stderr!.on('data', () => /^\[1\/4\]/m.test(said) && resolve()));
    // Two signals that cannot merge (two kinds) and that both land before the
    // first one's clean stop can make progress: the process is held stopped while
    // they are sent, so the second is never late because the clean stop was quick.
    process.kill(again.pid!, 'SIGSTOP');
    again.kill('SIGINT');
    again.kill('SIGTERM');
    process.kill(again.pid!, 'SIGCONT');
    expect(await exited(again, 30_000)).toBe(130);
    expect(said).toMatch(/SIG(INT|TERM): stopping \(again to stop at once\)/);
    expect(said).toContain('stopped at once');
  }, 120_000);
});
