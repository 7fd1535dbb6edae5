// Hostile submissions, graded as one class through the real CLI in a child
// process (so a grader that dies, or is killed, shows): the reference client,
// one fixture per attack class (test/fixtures/hostile/), the reference again.
// The grader is started as a job runner might start it, with descriptors of
// its own open (a log, a folder of the TA's, a pipe). Each fixture carries
// the test's marker and the canaries planted around the grader are random,
// so nothing here can pass by accident on a machine where other graders
// run. What each fixture does and what its honest score is:
// test/fixtures/hostile/README.md.

import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rubric } from '../src/packs/chat/rubric.js';
import type { CheckResult, GradeResult } from '../src/results.js';
import { DEFAULT_LIMITS, X_SERVER_MiB } from '../src/sandbox/index.js';
// Plain ESM, shared with scripts/bench-hostile.mjs.
import { FIXTURES, buildFixture, buildReference } from './fixtures/hostile/build.mjs';
import { strayLives, strays, watchGrader } from './fixtures/hostile/watch.mjs';

interface Stray {
  pid: number;
  uid: number;
  argv: string;
}

const MARKER = `hostile${randomBytes(6).toString('hex')}`;
const canary = (): string => `chatgrade-canary-${randomBytes(8).toString('hex')}`;
const CANARIES = { env: canary(), home: canary(), outParent: canary(), sibling: canary() };
const GRADER_MAX_RSS_MIB = 300;
const STRAY_LIFETIME_MS = 65_000;

let root: string;
let out: string;
let classDir: string;
let listener: Server;
let attempts = 0;
/** The job runner's descriptors the grader is started with: a log, a folder holding a canary, a named pipe. */
const given = { log: '', logBefore: '', fifo: '', fifoFd: -1 };
const grading = {
  exit: { code: null as number | null, signal: null as string | null },
  stdout: '',
  stderr: '',
  peakMiB: 0,
  xPeakMiB: 0,
  straysAtExit: [] as Stray[],
  straysLater: [] as Stray[],
  reportsAtExit: new Map<string, string>(),
  reportsLater: new Map<string, string>(),
  classBefore: new Map<string, string>(),
  classAfter: new Map<string, string>(),
};

/** sha256 of every file under dir, by relative path (a link by its target, a pipe by its kind: neither is followed or opened). */
function hashes(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const st = lstatSync(path);
      if (st.isDirectory()) walk(path, `${rel}${name}/`);
      else if (st.isSymbolicLink()) out.set(`${rel}${name}`, `link ${readlinkSync(path)}`);
      else if (!st.isFile()) out.set(`${rel}${name}`, 'not a regular file');
      else out.set(`${rel}${name}`, createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  walk(dir, '');
  return out;
}

function everyFile(dir: string): string[] {
  return [...hashes(dir).keys()].map((rel) => join(dir, rel));
}

/** What a job runner left in the named pipe: anything means a client wrote to it. */
function drained(fd: number): string {
  const buf = Buffer.alloc(4096);
  try {
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, null)).toString('utf8');
  } catch {
    return ''; // EAGAIN: empty
  }
}

function report(name: string): GradeResult {
  return JSON.parse(readFileSync(join(out, name, 'report.json'), 'utf8')) as GradeResult;
}

function stderrOf(r: GradeResult): string {
  return r.logs.map((l) => l.stderr).join('\n');
}

const byStatus = (r: GradeResult, status: CheckResult['status']): string[] => r.checks.filter((c) => c.status === status).map((c) => c.id);
const fullMarks = (r: GradeResult): unknown => ({ points: r.score.points, max: r.score.max, bonus: r.score.bonus, bonusMax: r.score.bonusMax, lost: r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.status} ${c.actual ?? c.error?.message ?? ''}`) });
const FULL = { points: 100, max: 100, bonus: 20, bonusMax: 20, lost: [] };
const FULL_PEER = { points: 100, max: 100, bonus: 10, bonusMax: 10, lost: [] };
/** Fixtures refused before anything runs: they are graded as errors (the class exits 2 for them alone). */
/** Refused before anything runs: the grade is incomplete (an error), since nothing of the client was seen. */
const REFUSED: Record<string, { code: string; message: RegExp }> = {
  'h-many-files': { code: 'submission.tooManyFiles', message: /more than \d+ files and folders/ },
};
/** A grade.json that is not a regular file is the student's visible problem, like one that is not JSON. */
const NOT_GRADED: Record<string, RegExp> = {
  'h-fifo': /^Not graded: grade\.json is not valid: grade\.json is a named pipe, not a regular file/,
  'h-symlink': /^Not graded: grade\.json is not valid: grade\.json is a symbolic link/,
};

/** The machine's own addresses other than loopback: the network fixture tries them too. */
function otherAddresses(): string[] {
  return Object.values(networkInterfaces()).flat().filter((a) => a && a.family === 'IPv4' && !a.internal).map((a) => a!.address);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), `${MARKER}-`));
  listener = createServer((s) => {
    attempts++;
    s.destroy();
  });
  await new Promise<void>((r) => listener.listen(0, '0.0.0.0', r));
  const home = join(root, 'home');
  mkdirSync(home);
  writeFileSync(join(home, '.netrc'), `machine example.org password ${CANARIES.home}\n`);
  const settings = { marker: MARKER, port: (listener.address() as { port: number }).port, hosts: ['127.0.0.1', ...otherAddresses()], secret: join(home, '.netrc') };

  classDir = join(root, 'class');
  buildReference(join(classDir, 'a-reference'));
  writeFileSync(join(classDir, 'a-reference', 'notes.txt'), `${CANARIES.sibling}\n`);
  for (const name of FIXTURES as string[]) buildFixture(name, join(classDir, `h-${name}`), settings);
  buildReference(join(classDir, 'z-reference'));
  const outParent = join(root, 'reports');
  mkdirSync(outParent);
  writeFileSync(join(outParent, 'grades-secret.csv'), `alice,${CANARIES.outParent}\n`);
  out = join(outParent, 'out');
  grading.classBefore = hashes(classDir);

  // A job runner's descriptors, not close-on-exec in the grader: its log, the TA's HOME, a pipe. From 19 up:
  // Node marks the first few it inherits close-on-exec itself (libuv), and a job runner's are past them.
  given.log = join(root, 'runner.log');
  given.logBefore = 'job 42 started\n';
  writeFileSync(given.log, given.logBefore);
  given.fifo = join(root, 'runner.fifo');
  execFileSync('mkfifo', [given.fifo]);
  const logFd = openSync(given.log, 'a');
  const homeFd = openSync(home, 'r');
  given.fifoFd = openSync(given.fifo, constants.O_RDWR | constants.O_NONBLOCK);
  const stdio = ['ignore', 'pipe', 'pipe', ...Array<'ignore'>(16).fill('ignore'), logFd, homeFd, given.fifoFd] as const;
  const child = spawn(process.execPath, ['bin/chatgrade', classDir, '--out', out, '--reporter', 'terminal,json,junit,gradescope', '--seed', 'hostile', '--jobs', '2'], {
    env: { ...process.env, HOME: home, CHATGRADE_CANARY: CANARIES.env, NO_COLOR: '1' },
    stdio: [...stdio],
  });
  closeSync(logFd);
  closeSync(homeFd);
  const watch = watchGrader(child.pid);
  child.stdout!.on('data', (c: Buffer) => (grading.stdout += c));
  child.stderr!.on('data', (c: Buffer) => (grading.stderr += c));
  grading.exit = await new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const watched = watch.stop();
  grading.peakMiB = watched.peakMiB;
  grading.xPeakMiB = watched.xPeakMiB;
  grading.straysAtExit = strays(MARKER, watched.leases);
  grading.reportsAtExit = hashes(out);
  // Whatever outlived the grader has had its chance once it is gone (each ends by itself within a minute).
  grading.straysLater = await strayLives(MARKER, watched.leases, STRAY_LIFETIME_MS);
  grading.reportsLater = hashes(out);
  grading.classAfter = hashes(classDir);
}, 600_000);

afterAll(async () => {
  if (given.fifoFd >= 0) closeSync(given.fifoFd);
  await new Promise((r) => listener?.close(r));
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('a class with hostile submissions, graded through the CLI', () => {
  it('the grader survives and finishes the class; only the refused submissions are incomplete (exit 2 for them)', () => {
    expect(grading.exit, grading.stderr.slice(-3000)).toEqual({ code: 2, signal: null });
    expect(grading.stdout).toMatch(/z-reference/);
    const incomplete = readdirSync(out).filter((n) => statSync(join(out, n)).isDirectory() && report(n).errors.length > 0);
    expect(incomplete.sort()).toEqual(Object.keys(REFUSED).sort());
  });

  it('the reference before and after the hostile ones both get full marks', () => {
    for (const name of ['a-reference', 'z-reference']) {
      expect(fullMarks(report(name)), name).toEqual(FULL);
      expect(report(name).environment.sandbox).toBe(report('h-escape').environment.sandbox);
    }
  });

  it('no process of any fixture outlives the grader (by marker and by sandbox uid)', () => {
    expect(grading.straysAtExit).toEqual([]);
  });

  it("the grader's peak memory stays under its budget whatever the fixtures send, and every X server under its cap", () => {
    expect(grading.peakMiB).toBeGreaterThan(0);
    expect(grading.peakMiB).toBeLessThan(GRADER_MAX_RSS_MIB);
    expect(grading.xPeakMiB).toBeGreaterThan(0);
    expect(grading.xPeakMiB).toBeLessThan(X_SERVER_MiB);
  });

  it("no client sees the descriptors the grader was started with: the runner's log and pipe are untouched", () => {
    expect(readFileSync(given.log, 'utf8')).toBe(given.logBefore);
    expect(drained(given.fifoFd)).toBe('');
    expect(stderrOf(report('h-fds'))).toMatch(/hostile-fds: 0 descriptors beyond stdio and sockets: none/);
  });

  it('no planted canary (environment, HOME, --out parent, sibling) reaches any report or output', () => {
    const texts = [grading.stdout, grading.stderr, ...everyFile(out).map((f) => readFileSync(f, 'utf8'))];
    for (const [where, value] of Object.entries(CANARIES)) expect(texts.some((t) => t.includes(value)), where).toBe(false);
    expect(stderrOf(report('h-snoop'))).toMatch(/hostile-snoop: read \d+ files/);
  });

  it('report files are unchanged after the grader exits, and the submissions were never altered', () => {
    expect(grading.straysLater).toEqual([]);
    expect(grading.reportsLater).toEqual(grading.reportsAtExit);
    expect(grading.reportsAtExit.size).toBeGreaterThan(FIXTURES.length * 3);
    expect(grading.classAfter).toEqual(grading.classBefore);
  });
});

describe('each attack class', () => {
  const honest = (name: string): void => {
    expect(fullMarks(report(`h-${name}`)), name).toEqual(FULL);
  };

  it('escape: the stray ran, and died with its run', () => {
    expect(stderrOf(report('h-escape'))).toMatch(/hostile-escape: a stray is running/);
    honest('escape');
  });

  it('killer: neither the grader nor its X server could be reached', () => {
    expect(stderrOf(report('h-killer'))).toMatch(/hostile-killer: killed 0 processes at start-up/);
    expect(stderrOf(report('h-killer'))).not.toMatch(/killed the grader/);
    honest('killer');
  });

  it('rewrite: nothing was forged (checked above by hashes), and the client scored as the reference', () => {
    expect(stderrOf(report('h-rewrite'))).not.toMatch(/hostile-rewrite: rewrote/);
    honest('rewrite');
  });

  it('guiless: grade.json cannot choose the command or the explicit probe; no GUI point without a GUI', async () => {
    const r = report('h-guiless');
    expect(r.environment.probe).toBe('tk-agent');
    expect(r.warnings?.join('\n')).toMatch(/grade\.json sets "command"/);
    expect(byStatus(r, 'error')).toEqual([]);
    // Only the checks that ask for something to be absent pass on an empty screen (the 30 points).
    const gui = new Set(rubric.checks.filter((c) => c.observed === 'gui').map((c) => c.id));
    expect(byStatus(r, 'passed').filter((id) => gui.has(id))).toEqual(['basic.online_users.no_self', 'conv.invitation.not_own']);
    // The same folder where the course allows both earns GUI points: the trick is real, and refused above.
    const config = join(root, 'allow-launch.json');
    writeFileSync(config, JSON.stringify({ submissionLaunch: true, explicitProbe: true }));
    const allowed = join(root, 'allowed');
    const code = await new Promise((resolve) => {
      const c = spawn(process.execPath, ['bin/chatgrade', join(classDir, 'h-guiless'), '--out', allowed, '--reporter', 'json', '--config', config, '--only', 'structure.gui.starts,basic.online_users.shown', '--seed', 'hostile', '--jobs', '2'], { stdio: 'ignore' });
      c.once('exit', resolve);
    });
    expect(code).toBe(0);
    const a = JSON.parse(readFileSync(join(allowed, 'h-guiless', 'report.json'), 'utf8')) as GradeResult;
    expect(a.environment.probe).toBe('explicit');
    expect(byStatus(a, 'passed').sort()).toEqual(['basic.online_users.shown', 'structure.gui.starts']);
    expect(byStatus(r, 'failed')).toEqual(expect.arrayContaining(['basic.online_users.shown', 'structure.gui.starts']));
  }, 60_000);

  it('marker: printing the old static-check line and exiting fails structure.main.guard, nothing else', () => {
    const r = report('h-marker');
    const guard = r.checks.find((c) => c.id === 'structure.main.guard')!;
    expect(guard.status).toBe('failed');
    expect(guard.actual).toMatch(/ended the process/);
    expect(r.checks.filter((c) => c.status !== 'passed').map((c) => c.id)).toEqual(['structure.main.guard']);
    expect(r.score.bonus).toBe(20);
  });

  it('memory: a child that wants 2.5 GB gets a MemoryError at the limit', () => {
    const log = stderrOf(report('h-memory'));
    expect(log).toMatch(/hostile-memory: MemoryError after \d+ MiB/);
    expect(log).not.toMatch(/held 2560 MiB/);
    honest('memory');
  });

  it('procs: hundreds of forks stop at the process limit', () => {
    const counts = [...stderrOf(report('h-procs')).matchAll(/hostile-procs: forked (\d+); then (.*)/g)];
    expect(counts.length).toBeGreaterThan(0);
    for (const [, n, error] of counts) {
      expect(Number(n)).toBeLessThan(290);
      expect(error).toMatch(/BlockingIOError|Resource temporarily unavailable/);
    }
    honest('procs');
  });

  it('network: nothing outside the sandbox is reachable, not even the machine\'s own loopback', (ctx) => {
    // Only the full level has a network of its own (docs/SECURITY.md); a container's fallback has the machine's.
    if (report('h-network').environment.sandbox !== 'full') return ctx.skip();
    expect(attempts).toBe(0);
    const log = stderrOf(report('h-network'));
    expect(log).toMatch(/hostile-network: blocked 127\.0\.0\.1/);
    expect(log).not.toMatch(/hostile-network: connected/);
    honest('network');
  });

  it('flood-probe: the channel is dropped at its cap; the GUI checks are the client\'s failures, the rest as honest', () => {
    const r = report('h-flood-probe');
    expect(byStatus(r, 'error')).toEqual([]);
    expect(byStatus(r, 'passed').sort()).toEqual(['basic.register.format', 'basic.register.sent', 'structure.config.host', 'structure.config.port', 'structure.main.guard', 'structure.modularity.net_loads', 'structure.modularity.net_owns_sockets']);
    expect(r.checks.find((c) => c.id === 'structure.gui.starts')?.actual).toMatch(/on the probe channel \(the grader's limit\)/);
    expect(stderrOf(r)).toMatch(/hostile-flood-probe: the grader dropped the probe after \d+ MiB/);
  });

  it('flood-output: stdout and stderr are capped; the client scores as the reference', () => {
    const r = report('h-flood-output');
    expect(r.logs.some((l) => l.truncated)).toBe(true);
    expect(statSync(join(out, 'h-flood-output', 'report.json')).size).toBeLessThan(1024 * 1024);
    honest('flood-output');
  });

  it('flood-wire: extra connections and huge lines are capped; the client scores as the reference', () => {
    expect(stderrOf(report('h-flood-wire'))).toMatch(/hostile-flood-wire: stopped after \d+ connections/);
    honest('flood-wire');
  });

  it('fifo, symlink, many-files: refused by name before anything runs (many-files incomplete, grade.json the student\'s visible problem), contents never quoted; the neighbours keep their verdicts', () => {
    for (const [name, { code, message }] of Object.entries(REFUSED)) {
      const r = report(name);
      expect(r.errors.map((e) => e.code), name).toEqual([code]);
      expect(r.errors[0]!.message, name).toMatch(message);
      expect(r.checks.every((c) => c.status === 'error'), name).toBe(true);
    }
    for (const [name, message] of Object.entries(NOT_GRADED)) {
      const r = report(name);
      expect(r.errors, name).toEqual([]);
      expect(r.problems.map((p) => p.code), name).toEqual(['submission.invalidConfig']);
      expect(r.problems[0]!.message, name).toMatch(message);
      expect(r.checks.every((c) => c.status === 'failed'), name).toBe(true);
    }
    expect(fullMarks(report('a-reference'))).toEqual(FULL);
  });

  it('fds: the client finds no descriptor of the grader\'s beyond its own sockets', () => {
    honest('fds');
  });

  it('fill: /tmp and HOME are sized tmpfs mounts: each fills up at its size, and the client scores as the reference', (ctx) => {
    if (report('h-fill').environment.sandbox !== 'full') return ctx.skip();
    const fills = [...stderrOf(report('h-fill')).matchAll(/hostile-fill: (\/tmp|HOME): wrote (\d+) MiB, then (.*)/g)];
    expect(fills.map((f) => f[1])).toEqual(expect.arrayContaining(['/tmp', 'HOME']));
    for (const [, where, mib, why] of fills) {
      expect(Number(mib), where).toBeLessThanOrEqual(DEFAULT_LIMITS.tmpfsMiB);
      expect(why, where).toMatch(/No space left on device/);
    }
    honest('fill');
  });

  it('xbloat: the X server refuses the client at its cap (BadAlloc) and serves it on; the client scores as the reference', () => {
    const said = /hostile-xbloat: the X server refused a pixmap after (\d+) MiB \(BadAlloc\)/.exec(stderrOf(report('h-xbloat')));
    expect(said, stderrOf(report('h-xbloat')).slice(-500)).not.toBeNull();
    expect(Number(said![1])).toBeLessThan(X_SERVER_MiB);
    honest('xbloat');
  });

  it('bridge-killer: the bridge is out of the peer\'s reach; nothing became a harness error', () => {
    const r = report('h-bridge-killer');
    // At the full level the bridge is outside the peer's PID namespace: not even seen. Below, another uid's.
    const saw = r.environment.sandbox === 'full' ? '0' : '\\d+';
    expect(stderrOf(r)).toMatch(new RegExp(`hostile-bridge-killer: saw ${saw} bridges, killed 0 at start-up`));
    expect(stderrOf(r)).not.toMatch(/killed a bridge/);
    expect(r.errors).toEqual([]);
    expect(fullMarks(r)).toEqual(FULL_PEER);
  });

  it('bridge-hijack: no bridge to take over, so the TTL it lied about is the peer\'s own lost check', () => {
    const r = report('h-bridge-hijack');
    const saw = r.environment.sandbox === 'full' ? '0' : '\\d+';
    expect(stderrOf(r)).toMatch(new RegExp(`hostile-bridge-hijack: saw ${saw} bridges, took none over`));
    expect(byStatus(r, 'error')).toEqual([]);
    expect(r.checks.filter((c) => c.status !== 'passed').map((c) => c.id)).toEqual(['discovery.announce.ttl']);
    expect(r.checks.find((c) => c.id === 'discovery.announce.ttl')?.actual).toMatch(/arrived with TTL 4/);
  });
});
