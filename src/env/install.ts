// The system packages a run needs (Debian names), which are missing, and
// installing them with apt-get when that is allowed: as root, with apt-get on
// the machine, and not forbidden by CHATGRADE_NO_INSTALL=1. Otherwise the
// user gets the one command that would do it, as Playwright's
// `install --with-deps` does. Deciding is a pure function (planInstall);
// probing and installing are injectable so the decision is tested alone.

import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findXvfb } from './display.js';
import { EnvError, SYSTEM_PYTHON, findPython } from './python.js';

/** A system package chatgrade may need, by its Debian/Ubuntu name. */
export type SystemPackage = 'xvfb' | 'bubblewrap' | 'python3-tk' | 'python3-seccomp';

/** What each package gives the grader, for messages. */
export const PACKAGE_ROLES: Record<SystemPackage, string> = {
  xvfb: 'Xvfb, the virtual display for GUI clients',
  bubblewrap: 'bwrap, the sandbox around student code',
  'python3-tk': 'tkinter for the system Python',
  'python3-seccomp': 'libseccomp for the system Python, which compiles the sandbox\'s seccomp filter',
};

/** True when the environment forbids installing (CHATGRADE_NO_INSTALL set to anything but "" or "0"). */
export function installForbidden(env: NodeJS.ProcessEnv): boolean {
  const v = env.CHATGRADE_NO_INSTALL;
  return v !== undefined && v !== '' && v !== '0';
}

/** What a grading run needs from the machine: Xvfb only without a DISPLAY. */
export function packagesForGrading(env: NodeJS.ProcessEnv = process.env): SystemPackage[] {
  return [...(env.DISPLAY ? [] : ['xvfb' as const]), 'bubblewrap', 'python3-tk', 'python3-seccomp'];
}

/** Facts about this machine that decide whether we may install. */
export interface InstallHost {
  isRoot: boolean;
  hasAptGet: boolean;
}

/** What ensureSystemPackages will do about the missing packages. */
export type InstallPlan =
  | { action: 'none' }
  | { action: 'install'; packages: SystemPackage[]; command: string }
  | { action: 'advise'; packages: SystemPackage[]; command: string; why: string };

/** The shell command that installs `packages` (with sudo when not root). */
export function installCommand(packages: SystemPackage[], isRoot: boolean): string {
  return `${isRoot ? '' : 'sudo '}apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/** Decide: nothing to do, install, or tell the user what to run and why we did not. */
export function planInstall(p: {
  missing: SystemPackage[];
  allowInstall: boolean;
  env: NodeJS.ProcessEnv;
  host: InstallHost;
}): InstallPlan {
  if (p.missing.length === 0) return { action: 'none' };
  const packages = [...new Set(p.missing)];
  const command = installCommand(packages, p.host.isRoot);
  let why: string | undefined;
  if (installForbidden(p.env)) why = 'CHATGRADE_NO_INSTALL is set';
  else if (!p.allowInstall) why = 'installing was not asked for';
  else if (!p.host.hasAptGet) why = 'there is no apt-get here';
  else if (!p.host.isRoot) why = 'not running as root';
  if (why === undefined) return { action: 'install', packages, command };
  if (!p.host.hasAptGet) {
    return { action: 'advise', packages, why, command: `your system's package manager (on Debian or Ubuntu: ${command})` };
  }
  return { action: 'advise', packages, why, command };
}

function onPath(name: string, env: NodeJS.ProcessEnv): boolean {
  for (const dir of [...(env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

/** Whether a package's program is usable here (not whether dpkg lists it). */
export async function isPresent(pkg: SystemPackage, env: NodeJS.ProcessEnv): Promise<boolean> {
  switch (pkg) {
    case 'xvfb':
      return findXvfb(env) !== undefined;
    case 'bubblewrap':
      return onPath('bwrap', env);
    case 'python3-seccomp':
      // The filter is compiled by the system Python, whatever Python runs the clients.
      return new Promise((resolve) => spawn(SYSTEM_PYTHON, ['-I', '-c', 'import seccomp'], { stdio: 'ignore' }).once('exit', (code) => resolve(code === 0)).once('error', () => resolve(false)));
    case 'python3-tk':
      // Any Python with tkinter will do; python3-tk is only the fallback.
      return findPython({ env }).then(
        () => true,
        () => false,
      );
  }
}

/** Runs apt-get; replaced in tests. */
export type Installer = (packages: SystemPackage[]) => Promise<void>;

/** Options for ensureSystemPackages. */
export interface EnsureOptions {
  need: SystemPackage[];
  /** The caller's consent (the grade command and `doctor --fix` give it); CHATGRADE_NO_INSTALL still overrides. */
  allowInstall: boolean;
  /** One line per event, without a newline. */
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Test seams. */
  probe?: (pkg: SystemPackage, env: NodeJS.ProcessEnv) => Promise<boolean>;
  host?: InstallHost;
  installer?: Installer;
}

/** What was found, installed, and still missing (with the command that would install it). */
export interface EnsureResult {
  present: SystemPackage[];
  installed: SystemPackage[];
  missing: SystemPackage[];
  /** Set when something is still missing. */
  command?: string;
}

/** This machine: root? apt-get? */
export function currentHost(env: NodeJS.ProcessEnv = process.env): InstallHost {
  return { isRoot: process.getuid?.() === 0, hasAptGet: onPath('apt-get', env) };
}

/**
 * Make sure `need` is installed: install what is missing when allowed
 * (saying so in one line), else log the command that would. Resolves in both
 * cases; rejects with env.installFailed when an install was tried and failed.
 */
export async function ensureSystemPackages(opts: EnsureOptions): Promise<EnsureResult> {
  const env = opts.env ?? process.env;
  const probe = opts.probe ?? isPresent;
  const need = [...new Set(opts.need)];
  const found = await Promise.all(need.map(async (p) => [p, await probe(p, env)] as const));
  const present = found.filter(([, ok]) => ok).map(([p]) => p);
  const missing = found.filter(([, ok]) => !ok).map(([p]) => p);
  const host = opts.host ?? currentHost(env);
  const plan = planInstall({ missing, allowInstall: opts.allowInstall, env, host });
  if (plan.action === 'none') return { present, installed: [], missing: [] };
  const roles = plan.packages.map((p) => `${p} (${PACKAGE_ROLES[p]})`).join(', ');
  if (plan.action === 'advise') {
    opts.log(`chatgrade: missing ${roles}; ${plan.why}, so install with: ${plan.command}`);
    return { present, installed: [], missing, command: plan.command };
  }
  opts.log(`chatgrade: installing ${plan.packages.join(' ')} with apt-get (missing here; CHATGRADE_NO_INSTALL=1 prevents this)`);
  await (opts.installer ?? aptGetInstall)(plan.packages);
  const still: SystemPackage[] = [];
  for (const p of plan.packages) if (!(await probe(p, env))) still.push(p);
  if (still.length) {
    throw new EnvError('env.installFailed', `apt-get installed ${plan.packages.join(' ')}, but ${still.join(', ')} still cannot be found (check PATH)`);
  }
  return { present, installed: plan.packages, missing: [] };
}

/** Result of one bounded command: exit code (null when killed) and the tail of its output. */
export interface Ran {
  code: number | null;
  timedOut: boolean;
  tail: string;
}

const TAIL_BYTES = 16 * 1024;

/** Run a command with a time limit, keeping the last TAIL_BYTES of stdout+stderr. */
export function runBounded(cmd: string, args: string[], within: number, env: NodeJS.ProcessEnv, cwd?: string): Promise<Ran> {
  return new Promise((resolve) => {
    let tail = Buffer.alloc(0);
    let timedOut = false;
    const timers: NodeJS.Timeout[] = [];
    const done = (code: number | null, text?: string): void => {
      for (const t of timers) clearTimeout(t);
      resolve({ code, timedOut, tail: text ?? tail.toString('utf8') });
    };
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void => {
      tail = Buffer.concat([tail, chunk]);
      if (tail.length > TAIL_BYTES) tail = tail.subarray(tail.length - TAIL_BYTES);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    timers.push(
      setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
        // apt-get may be mid-dpkg: a moment to stop cleanly, then the hard stop,
        // and a last deadline in case a grandchild keeps the pipes open.
        timers.push(setTimeout(() => child.kill('SIGKILL'), 5000), setTimeout(() => done(null), 10_000));
      }, within),
    );
    child.on('error', (e) => done(null, e.message));
    child.on('close', (code) => done(code));
  });
}

const lastLines = (text: string, n: number): string => text.trim().split('\n').slice(-n).join('\n');

/** `apt-get update` then `apt-get install`, each bounded; env.installFailed when the install fails. */
export async function aptGetInstall(
  packages: SystemPackage[],
  opts: { env?: NodeJS.ProcessEnv; updateMs?: number; installMs?: number } = {},
): Promise<void> {
  const limits = { updateMs: opts.updateMs ?? 180_000, installMs: opts.installMs ?? 600_000 };
  const env = { ...(opts.env ?? process.env), DEBIAN_FRONTEND: 'noninteractive' };
  // A fresh image has no package lists. A failed update is not yet fatal: the
  // lists (or the .deb cache) may still be good enough for the install.
  const update = await runBounded('apt-get', ['update', '-qq'], limits.updateMs, env);
  // Another apt may hold the dpkg lock for a while: wait for it, bounded.
  const args = ['install', '-y', '-qq', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=120', ...packages];
  const install = await runBounded('apt-get', args, limits.installMs, env);
  if (install.code === 0) return;
  const failed = (what: string, r: Ran, within: number): string =>
    `${what} ${r.timedOut ? `did not finish within ${within < 1000 ? `${within} ms` : `${Math.round(within / 1000)} s`}` : `failed (exit ${r.code ?? 'by a signal'})`}:\n${lastLines(r.tail, 12)}`;
  const parts = [failed(`apt-get ${args.join(' ')}`, install, limits.installMs)];
  if (update.code !== 0) parts.unshift(failed('apt-get update', update, limits.updateMs));
  throw new EnvError('env.installFailed', parts.join('\n'));
}
