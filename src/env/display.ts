// An X display for GUI clients: the user's DISPLAY when set, otherwise one
// private Xvfb shared by every client of the run and torn down when the last
// user releases it (or, at the latest, when this process exits: it is a
// tracked process).

import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { spawnTracked, type TrackedProcess } from '../proc/index.js';
import { EnvError } from './python.js';

/** A display in use; call release() exactly once when done. */
export interface DisplayLease {
  /** Value for DISPLAY, e.g. ":0" or ":99". */
  display: string;
  source: 'env' | 'xvfb';
  /** The Xvfb executable and pid, when we started one. */
  xvfb?: { path: string; pid: number };
  release(): Promise<void>;
}

/** Options for acquireDisplay. */
export interface AcquireDisplayOptions {
  /** Where DISPLAY is looked up; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Xvfb executable; default Xvfb on PATH, then /usr/bin/Xvfb. */
  xvfbPath?: string;
  /** Limit for Xvfb to report its display, ms. Default 10000. */
  within?: number;
  /** Screen geometry. Default "1280x1024x24". */
  screen?: string;
}

interface SharedXvfb {
  path: string;
  users: number;
  ready: Promise<XServer>;
}

let shared: SharedXvfb | undefined;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Xvfb executable that would be used, or undefined when there is none. */
export function findXvfb(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, 'Xvfb'))) return join(dir, 'Xvfb');
  }
  return isExecutable('/usr/bin/Xvfb') ? '/usr/bin/Xvfb' : undefined;
}

/** Options of startXvfb(). */
export interface XvfbOptions {
  /** Screen geometry. Default "1280x1024x24". */
  screen?: string;
  /** Limit for Xvfb to report its display, ms. Default 10000. */
  within?: number;
  /** An X authority file: only clients holding its cookie may connect. */
  auth?: string;
  /** A folder where Xvfb keeps its framebuffer as a file (for screenshots). */
  fbdir?: string;
  /**
   * The command line that starts Xvfb with these arguments (a sandbox's:
   * its cgroup, its own uid, a memory cap); it must tie Xvfb to our life.
   * Default: Xvfb itself, under setpriv --pdeathsig.
   */
  wrap?: (command: string[]) => { cmd: string; args: string[] };
}

/** A private X server we started. */
export interface XServer {
  display: string;
  /** Its Unix socket, e.g. /tmp/.X11-unix/X7. */
  socket: string;
  proc: TrackedProcess;
}

/**
 * Start an Xvfb that picks its own free display (-displayfd), listens on no
 * TCP port, and dies with this process even if we are killed outright.
 */
export async function startXvfb(path: string, opts: XvfbOptions = {}): Promise<XServer> {
  const within = opts.within ?? 10_000;
  let out = '';
  let onLine: (() => void) | undefined;
  // No GLX: Tk draws without it, and Mesa alone would take 50 MB and a third of the start-up.
  const args = ['-displayfd', '1', '-screen', '0', opts.screen ?? '1280x1024x24', '-nolisten', 'tcp', '-nocursor', '-extension', 'GLX'];
  if (opts.auth) args.push('-auth', opts.auth);
  if (opts.fbdir) args.push('-fbdir', opts.fbdir);
  const { cmd, args: argv } = opts.wrap ? opts.wrap([path, ...args]) : { cmd: path, args };
  const proc = await spawnTracked(cmd, argv, {
    outputCapBytes: 64 * 1024,
    dieWithParent: !opts.wrap,
    onOutput: (stream, chunk) => {
      if (stream !== 'stdout') return;
      out += chunk.toString('latin1');
      if (out.includes('\n')) onLine?.();
    },
  }).catch((e: Error) => {
    throw new EnvError('env.noDisplay', `cannot start ${path}: ${e.message}. Install xvfb (apt-get install xvfb) or set DISPLAY.`);
  });
  let timer: NodeJS.Timeout | undefined;
  const outcome = await new Promise<'line' | 'exit' | 'timeout'>((resolve) => {
    onLine = () => resolve('line');
    if (out.includes('\n')) resolve('line');
    void proc.exited.then(() => resolve('exit'));
    timer = setTimeout(() => resolve('timeout'), within);
  });
  clearTimeout(timer);
  const num = out.trim().split('\n')[0] ?? '';
  if (outcome === 'line' && /^\d+$/.test(num)) return { display: `:${num}`, socket: `/tmp/.X11-unix/X${num}`, proc };
  await proc.kill(500).catch(() => undefined);
  const why = outcome === 'timeout' ? `did not report a display within ${within} ms` : 'exited before reporting a display';
  const err = proc.stderr().text.trim().split('\n').slice(-3).join(' | ');
  throw new EnvError('env.noDisplay', `${path} ${why}${err ? `: ${err}` : ''}`);
}

/**
 * DISPLAY when set, else a private Xvfb shared by all current users.
 * Rejects with 'env.noDisplay' when neither is available.
 */
export async function acquireDisplay(opts: AcquireDisplayOptions = {}): Promise<DisplayLease> {
  const env = opts.env ?? process.env;
  if (env.DISPLAY) {
    return { display: env.DISPLAY, source: 'env', release: async () => undefined };
  }
  const path = opts.xvfbPath ?? findXvfb(env);
  if (!path || !isExecutable(path)) {
    throw new EnvError(
      'env.noDisplay',
      `DISPLAY is not set and Xvfb was not found${path ? ` at ${path}` : ''}. Install xvfb (apt-get install xvfb) or set DISPLAY.`,
    );
  }
  if (!shared || shared.path !== path) {
    const entry: SharedXvfb = {
      path,
      users: 0,
      ready: startXvfb(path, { screen: opts.screen ?? '1280x1024x24', within: opts.within ?? 10_000 }),
    };
    shared = entry;
    entry.ready.catch(() => {
      if (shared === entry) shared = undefined;
    });
  }
  const entry = shared;
  entry.users++;
  let started: XServer;
  try {
    started = await entry.ready;
  } catch (e) {
    entry.users--;
    throw e;
  }
  let released = false;
  return {
    display: started.display,
    source: 'xvfb',
    xvfb: { path, pid: started.proc.pid },
    release: async () => {
      if (released) return;
      released = true;
      entry.users--;
      if (entry.users > 0) return;
      if (shared === entry) shared = undefined;
      await started.proc.kill(1000);
    },
  };
}
