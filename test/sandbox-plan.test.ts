// The sandbox's command lines as data (src/sandbox/plan.ts), checked without
// starting a sandbox: the order of the chain, where the process limit is set,
// what a private /tmp may hide, the sized tmpfs mounts, the seccomp filter,
// the helpers' own chain; and the entry step itself, run by bash alone.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, sandboxCommand, type PlanInput, type SandboxCapabilities } from '../src/sandbox/index.js';
import { entryArgs, insidePaths, observerCommand } from '../src/sandbox/plan.js';
import { clearStaleKeymaps } from '../src/sandbox/xserver.js';

const caps = (over: Partial<SandboxCapabilities> = {}): SandboxCapabilities => ({ bwrap: '/usr/bin/bwrap', setpriv: '/usr/bin/setpriv', prlimit: '/usr/bin/prlimit', bash: '/usr/bin/bash', nsenter: '/usr/bin/nsenter', root: true, missing: [], ...over });
const HOST = { home: '/tmp/sb/run-1/home', snapshot: '/tmp/sb/snapshot', sockets: '/tmp/sb/run-1/sockets', secrets: '/tmp/sb/run-1/secrets', agentDir: '/opt/cg/agent', readOnly: [] };
const ENTRY = { cgroupProcs: ['/cg/m/student/cgroup.procs', '/cg/p/student/cgroup.procs'], keepFds: [3, 4], oomScoreAdj: 500 };

function plan(over: Partial<PlanInput> = {}): string[] {
  const input: PlanInput = { level: 'full', caps: caps(), uid: 61_000, limits: DEFAULT_LIMITS, host: HOST, env: { PATH: '/usr/bin' }, command: ['python3', 'main.py'], ...over };
  const p = sandboxCommand(input);
  return [p.cmd, ...p.args];
}

/** Index of `flag` followed by `value` in args. */
const at = (args: string[], flag: string, value: string): number => args.findIndex((a, i) => a === flag && args[i + 1] === value);

describe('sandboxCommand', () => {
  it('binds a Python installed under /tmp after the private /tmp, so that it is not hidden', () => {
    const args = plan({ host: { ...HOST, readOnly: ['/tmp/pythons/3.11'] } });
    expect(at(args, '--tmpfs', '/tmp')).toBeGreaterThan(0);
    expect(at(args, '--ro-bind', '/tmp/pythons/3.11')).toBeGreaterThan(at(args, '--tmpfs', '/tmp'));
  });

  it('sets the process limit for a uid of its own, or where the sandbox counts its own processes', () => {
    expect(plan()).toContain(`--nproc=${DEFAULT_LIMITS.processes}`);
    expect(plan({ uid: undefined, caps: caps({ root: false, nprocPerSandbox: true }) })).toContain(`--nproc=${DEFAULT_LIMITS.processes}`);
    // Counted per uid, the limit would be shared with the grader's own processes: not set.
    expect(plan({ uid: undefined, caps: caps({ root: false, nprocPerSandbox: false }) }).some((a) => a.startsWith('--nproc'))).toBe(false);
    expect(plan({ level: 'fallback', uid: undefined, caps: caps({ bwrap: undefined, root: false, nprocPerSandbox: true }) }).some((a) => a.startsWith('--nproc'))).toBe(false);
  });

  it('full: entry (cgroup, descriptors, OOM bias) -> bwrap (seccomp) -> setpriv -> prlimit -> the copy into HOME -> the command', () => {
    const args = plan({ entry: ENTRY, seccompFd: 4 });
    expect(args.slice(0, 2)).toEqual(['/usr/bin/bash', '-c']);
    expect(args.slice(3, 9)).toEqual(['chatgrade-entry', '3 4', '500', ...ENTRY.cgroupProcs, '--']);
    const order = ['/usr/bin/bwrap', '/usr/bin/setpriv', '/usr/bin/prlimit', 'chatgrade-copy', 'python3'].map((a) => args.indexOf(a));
    expect(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1]!))).toBe(true);
    expect(args[at(args, '--seccomp', '4')]).toBe('--seccomp');
    expect(at(args, '--seccomp', '4')).toBeLessThan(args.indexOf('/usr/bin/setpriv'));
    // The copy step: from the read-only snapshot into the new HOME, then the command in it.
    expect(at(args, '--ro-bind', HOST.snapshot)).toBeGreaterThan(0);
    expect(args.slice(args.indexOf('chatgrade-copy') + 1, args.indexOf('chatgrade-copy') + 3)).toEqual(['/run/chatgrade-snapshot', '/home/student/submission']);
  });

  it('full: /tmp and HOME are tmpfs mounts of the course\'s size; HOME starts empty but for the X cookie', () => {
    const args = plan({ limits: { ...DEFAULT_LIMITS, tmpfsMiB: 64 }, host: { ...HOST, x11: { socket: '/tmp/.X11-unix/X7', xauthority: '/tmp/sb/run-1/xauthority' } } });
    const size = String(64 * 1024 * 1024);
    for (const dir of ['/tmp', '/home/student']) {
      const i = at(args, '--tmpfs', dir);
      expect(args.slice(i - 4, i), dir).toEqual(['--size', size, '--perms', '1777']);
    }
    expect(at(args, '--ro-bind', '/tmp/sb/run-1/xauthority')).toBeGreaterThan(at(args, '--tmpfs', '/home/student'));
    expect(args[at(args, '--ro-bind', '/tmp/sb/run-1/xauthority') + 2]).toBe('/home/student/.Xauthority');
    expect(args).not.toContain(HOST.home);
  });

  it('a secrets folder is bound where the process finds it, and nowhere at level off', () => {
    const a = plan();
    expect(a[at(a, '--bind', HOST.secrets) + 2]).toBe('/run/chatgrade-secret');
    expect(insidePaths('full', HOST).secrets).toBe('/run/chatgrade-secret');
    expect(insidePaths('fallback', HOST).secrets).toBe(HOST.secrets);
  });

  it('fallback: entry -> setpriv (own uid, dies with us) -> prlimit -> command, in the run\'s host copy', () => {
    const p = sandboxCommand({ level: 'fallback', caps: caps({ bwrap: undefined }), uid: 61_000, limits: DEFAULT_LIMITS, host: HOST, env: { PATH: '/usr/bin' }, command: ['python3', 'main.py'], entry: ENTRY });
    const all = [p.cmd, ...p.args];
    expect(all[0]).toBe('/usr/bin/bash');
    expect(all.slice(all.indexOf('/usr/bin/setpriv'))).toEqual(expect.arrayContaining(['--reuid=61000', '--pdeathsig=KILL']));
    expect(all).not.toContain('chatgrade-copy');
    expect(p.cwd).toBe('/tmp/sb/run-1/home/submission');
  });

  it('off: no entry step, no uid, no limits', () => {
    const p = sandboxCommand({ level: 'off', caps: caps(), uid: undefined, limits: DEFAULT_LIMITS, host: HOST, env: { PATH: '/usr/bin' }, command: ['python3', 'main.py'], entry: ENTRY });
    expect([p.cmd, ...p.args]).toEqual(['/usr/bin/setpriv', '--pdeathsig=KILL', '--', 'python3', 'main.py']);
  });
});

describe('observerCommand (a helper of ours beside the sandbox)', () => {
  const command = ['/usr/bin/Xvfb', '-displayfd', '1'];

  it('its X server: entry (the helpers\' cgroup) -> setpriv (the helper uid, dies with us) -> prlimit (address space) -> Xvfb', () => {
    const { cmd, args: a } = observerCommand({ caps: caps(), uid: 61_004, entry: { cgroupProcs: ['/cg/helpers/cgroup.procs'], keepFds: [] }, addressSpaceMiB: 256, command });
    expect([cmd, ...a.slice(2)]).toEqual(['/usr/bin/bash', 'chatgrade-entry', '', '', '/cg/helpers/cgroup.procs', '--',
      '/usr/bin/setpriv', '--reuid=61004', '--regid=61004', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--pdeathsig=KILL', '--',
      '/usr/bin/prlimit', `--as=${256 * 1024 * 1024}`, '--core=0', '--', ...command]);
  });

  it('an X server that is not root gets a keymap folder of its own (a stale /tmp/server-N.xkm of another uid would stop it)', () => {
    const { args: a } = observerCommand({ caps: caps({ unshare: '/usr/bin/unshare' }), uid: 61_004, entry: { cgroupProcs: [], keepFds: [] }, xkbDir: '/run/x/xkb', command });
    const i = a.indexOf('/usr/bin/unshare');
    expect(a.slice(i, i + 4)).toEqual(['/usr/bin/unshare', '--mount', '--', '/bin/sh']);
    expect(a[i + 6]).toBe('chatgrade-xkb');
    expect(a[i + 7]).toBe('/run/x/xkb');
    expect(i).toBeLessThan(a.indexOf('/usr/bin/setpriv'));
  });

  it('a companion: enters the sandbox\'s files and network through its first process, never its PID namespace', () => {
    const { args: a } = observerCommand({ caps: caps(), uid: 61_004, entry: { cgroupProcs: [], keepFds: [] }, enter: 4321, command: ['python3', 'bridge.py'] });
    const ns = a.slice(a.indexOf('/usr/bin/nsenter'), a.indexOf('/usr/bin/setpriv'));
    expect(ns).toEqual(['/usr/bin/nsenter', '--target=4321', '--mount', '--net', '--root', '--wd=/', '--']);
    expect(ns.join(' ')).not.toMatch(/--pid/);
    // Without root, the sandbox's user namespace is entered too (the grader owns it), keeping our uid.
    const { args: b } = observerCommand({ caps: caps({ root: false }), uid: undefined, entry: { cgroupProcs: [], keepFds: [] }, enter: 4321, command: ['python3'] });
    expect(b).toEqual(expect.arrayContaining(['--user', '--preserve-credentials']));
    expect(b.some((x) => x.startsWith('--reuid'))).toBe(false);
  });
});

describe('the entry step, run by bash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatgrade-entry-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Run `command` through the entry step with extra descriptors at 3, 4 and 19; its stdout. */
  function run(keepFds: number[], procs: string[], command: string[]): Promise<string> {
    const files = [3, 4, 19].map((n) => openSync(join(dir, `fd${n}`), 'w'));
    const stdio = ['ignore', 'pipe', 'pipe', files[0]!, files[1]!, ...Array<'ignore'>(14).fill('ignore'), files[2]!] as const;
    const child = spawn(entryArgs('/usr/bin/bash', { cgroupProcs: procs, keepFds, oomScoreAdj: 600 }, command)[0]!, entryArgs('/usr/bin/bash', { cgroupProcs: procs, keepFds, oomScoreAdj: 600 }, command).slice(1), { stdio: [...stdio] });
    for (const f of files) closeSync(f);
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c));
    return new Promise((resolve) => child.once('close', () => resolve(out)));
  }

  it('closes every descriptor but stdio and those kept, joins the cgroup files with the pid the command runs as, raises the OOM bias', async () => {
    const procs = [join(dir, 'a.procs'), join(dir, 'b.procs')];
    for (const p of procs) writeFileSync(p, '');
    // `[ -e ]` is the shell's own: it opens no descriptor that could pass for an inherited one.
    const out = await run([4], procs, ['/bin/sh', '-c', 'echo $$; for n in 0 1 2 3 4 5 19; do [ -e /proc/self/fd/$n ] && printf "%s " $n; done; echo; cat /proc/self/oom_score_adj']);
    const [pid, fds, oom] = out.trim().split('\n');
    expect(fds!.trim()).toBe('0 1 2 4');
    for (const p of procs) expect(readFileSync(p, 'utf8').trim()).toBe(pid);
    expect(oom).toBe('600');
  });
});

describe('clearStaleKeymaps (an X server without a keymap folder of its own)', () => {
  it("removes the compiled keymap of a display nobody holds, and keeps a live server's", () => {
    const tmp = mkdtempSync(join(tmpdir(), 'chatgrade-xkm-'));
    for (const n of [3, 4, 5]) writeFileSync(join(tmp, `server-${n}.xkm`), 'xkm');
    writeFileSync(join(tmp, '.X3-lock'), `${String(process.pid).padStart(10)}\n`);
    writeFileSync(join(tmp, '.X4-lock'), '2147483646\n');
    writeFileSync(join(tmp, 'server-notes.txt'), 'not a keymap');
    clearStaleKeymaps(tmp);
    expect(['server-3.xkm', 'server-4.xkm', 'server-5.xkm', 'server-notes.txt'].map((f) => existsSync(join(tmp, f)))).toEqual([true, false, false, true]);
    rmSync(tmp, { recursive: true, force: true });
  });
});
