// One submission's sandbox: the level it gets, a pristine snapshot of its
// folder, a uid of its own, its own X server, and a fresh context per run
// (its own writable copy, HOME and, at the full level, network namespace).
// Everything it starts is tracked and ends with it; its files are removed.

import { randomBytes, randomInt } from 'node:crypto';
import { chmodSync, chownSync, cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findXvfb, startXvfb, type XServer } from '../env/display.js';
import { killAllOfUid, spawnTracked, type TrackedProcess } from '../proc/index.js';
import { sandboxCapabilities, type SandboxCapabilities } from './detect.js';
import { DEFAULT_LIMITS, insidePaths, sandboxCommand, type HostPaths, type InsidePaths, type SandboxLevel, type SandboxLimits } from './plan.js';
import { allocateUid, type UidLease } from './uids.js';
import { closedToOthers, listenNow, xauthority, type Deferred, deferred } from './support.js';

/** What a course asks for: `auto` takes the strongest level the machine allows, `strict` refuses less than full. */
export type SandboxMode = 'auto' | 'strict' | 'off';

/** A sandbox could not be set up: a harness fault, never the student's. */
export class SandboxError extends Error {
  constructor(
    readonly code: 'sandbox.unavailable' | 'sandbox.setupFailed' | 'sandbox.tooLarge',
    message: string,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

/** Options of Sandbox.open(). */
export interface SandboxOptions {
  /** The submission folder (never altered). */
  dir: string;
  mode: SandboxMode;
  limits?: Partial<SandboxLimits>;
  /** The Python that runs clients and static checks, and the installation folders it needs. */
  python: { executable: string; prefixes: string[] };
  /** Start an X server for the submission's windows. */
  display: boolean;
  /** The grader's environment (DISPLAY for `off`). */
  env?: NodeJS.ProcessEnv;
  /** Keep a framebuffer file for screenshots. */
  screenshots?: boolean;
  timeoutScale?: number;
}

/** Largest submission folder copied into a sandbox. */
export const MAX_SUBMISSION_BYTES = 64 * 1024 * 1024;

const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const AGENT_DIR = join(PACKAGE_ROOT, 'agent');
/** dist/sandbox: holds the compiled init.mjs (also when this module runs from src/, as under vitest). */
const INIT_DIR = join(PACKAGE_ROOT, 'dist', 'sandbox');

/** The level `mode` gives on a machine with `caps`, and what it lacks; throws for strict without the full sandbox. */
export function chooseLevel(mode: SandboxMode, caps: SandboxCapabilities): { level: SandboxLevel; notes: string[] } {
  if (mode === 'off') return { level: 'off', notes: ['sandbox off (--sandbox off): the client ran as the grader, with its environment, files and network'] };
  if (caps.bwrap) return { level: 'full', notes: caps.missing };
  if (mode === 'strict') {
    throw new SandboxError('sandbox.unavailable', `--sandbox strict needs the full sandbox, which this machine does not give: ${caps.missing.join('; ')}`);
  }
  return { level: 'fallback', notes: caps.missing };
}

function folderBytes(dir: string, limit: number): number {
  let total = 0;
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const st = lstatSync(join(d, name));
      total += st.isFile() ? st.size : 0;
      if (total > limit) return;
      if (st.isDirectory()) walk(join(d, name));
    }
  };
  walk(dir);
  return total;
}

function chownTree(path: string, uid: number): void {
  chownSync(path, uid, uid);
  if (!lstatSync(path).isDirectory()) return;
  for (const name of readdirSync(path)) {
    const child = join(path, name);
    if (lstatSync(child).isSymbolicLink()) continue;
    chownTree(child, uid);
  }
}

export class Sandbox {
  private runs = 0;

  private constructor(
    readonly level: SandboxLevel,
    /** What this level does not give, for reports and `grade doctor`. */
    readonly notes: string[],
    private readonly caps: SandboxCapabilities,
    private readonly opts: SandboxOptions,
    private readonly root: string,
    private readonly x: XServer | undefined,
    /** The DISPLAY clients get. */
    readonly display: string | undefined,
    /** The framebuffer file, when screenshots were asked for. */
    readonly framebuffer: string | undefined,
    private readonly limits: SandboxLimits,
  ) {}

  static async open(opts: SandboxOptions): Promise<Sandbox> {
    const caps = await sandboxCapabilities({ env: opts.env });
    const { level, notes } = chooseLevel(opts.mode, caps);
    const limits = { ...DEFAULT_LIMITS, ...opts.limits };
    if (level !== 'off' && folderBytes(opts.dir, MAX_SUBMISSION_BYTES) > MAX_SUBMISSION_BYTES) {
      throw new SandboxError('sandbox.tooLarge', `the submission folder holds more than ${MAX_SUBMISSION_BYTES / 1024 / 1024} MiB: is it a submission?`);
    }
    // Without a mount namespace the run's own uid sees the Python where it is: under a private
    // folder (pyenv in /root) every run would fail to start, each check an error. Say it once.
    const closed = level === 'fallback' && caps.root && caps.setpriv ? closedToOthers([dirname(opts.python.executable), ...opts.python.prefixes]) : undefined;
    if (closed) {
      throw new SandboxError('sandbox.setupFailed', `the sandbox runs each client as a uid of its own, which cannot use the Python in ${closed.path} (${closed.blocker} is private to its owner): use a Python every user can read, e.g. apt-get install python3-tk for /usr/bin/python3`);
    }
    const root = mkdtempSync(join(tmpdir(), 'chatgrade-sandbox-'));
    chmodSync(root, 0o711);
    let x: XServer | undefined;
    try {
      if (level !== 'off') {
        // The pristine copy every run starts from: the original is never touched again.
        cpSync(opts.dir, join(root, 'snapshot'), { recursive: true, verbatimSymlinks: true, filter: (src) => !src.endsWith('__pycache__') });
        chmodSync(join(root, 'snapshot'), 0o700);
      }
      let display = opts.env?.DISPLAY;
      let framebuffer: string | undefined;
      if (opts.display && (level !== 'off' || !display || opts.screenshots)) {
        const xvfb = findXvfb(opts.env);
        if (!xvfb) throw new SandboxError('sandbox.setupFailed', 'Xvfb was not found: every sandboxed submission gets an X server of its own (apt-get install xvfb)');
        const auth = level === 'off' ? undefined : join(root, 'xauth');
        if (auth) writeFileSync(auth, xauthority(randomBytes(16)), { mode: 0o600 });
        const fbdir = opts.screenshots ? join(root, 'fb') : undefined;
        if (fbdir) mkdirSync(fbdir, { mode: 0o700 });
        x = await startXvfb(xvfb, { within: 10_000 * (opts.timeoutScale ?? 1), ...(auth ? { auth } : {}), ...(fbdir ? { fbdir } : {}) });
        display = x.display;
        framebuffer = fbdir ? join(fbdir, 'Xvfb_screen0') : undefined;
      }
      return new Sandbox(level, notes, caps, opts, root, x, display, framebuffer, limits);
    } catch (err) {
      await x?.proc.kill(500).catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
      if (err instanceof SandboxError) throw err;
      throw new SandboxError('sandbox.setupFailed', `could not set up the sandbox: ${(err as Error).message}`);
    }
  }

  /**
   * A fresh context for one run: its own copy of the submission and HOME,
   * and a uid of its own (so ending one run can never touch another's
   * processes, and each run's process limit is its own).
   */
  async newRun(): Promise<SandboxRun> {
    let uid: UidLease | undefined;
    if (this.level !== 'off' && this.caps.root && this.caps.setpriv) {
      uid = allocateUid();
      // A grader that died may have left processes under this uid.
      await killAllOfUid(uid.uid);
    }
    const dir = join(this.root, `run-${++this.runs}`);
    mkdirSync(dir, { mode: 0o711 });
    const home = join(dir, 'home');
    const sockets = join(dir, 'sockets');
    mkdirSync(sockets, { mode: 0o755 });
    if (this.level === 'off') {
      mkdirSync(home, { mode: 0o700 });
    } else {
      mkdirSync(home, { mode: 0o700 });
      cpSync(join(this.root, 'snapshot'), join(home, 'submission'), { recursive: true, verbatimSymlinks: true });
      mkdirSync(join(home, 'tmp'), { mode: 0o700 });
    }
    const x11 = this.x && this.level !== 'off' ? { socket: this.x.socket, xauthority: join(home, '.Xauthority') } : undefined;
    if (x11) cpSync(join(this.root, 'xauth'), x11.xauthority);
    if (uid) chownTree(home, uid.uid);
    const host: HostPaths = {
      home,
      sockets,
      agentDir: AGENT_DIR,
      readOnly: [...this.opts.python.prefixes, INIT_DIR, dirname(dirname(process.execPath))],
      ...(x11 ? { x11 } : {}),
    };
    return new SandboxRun(this, host, dir, uid);
  }

  /** @internal What a run needs from its sandbox. */
  get context(): { level: SandboxLevel; caps: SandboxCapabilities; limits: SandboxLimits; display: string | undefined; original: string; env: NodeJS.ProcessEnv; timeoutScale: number } {
    return {
      level: this.level,
      caps: this.caps,
      limits: this.limits,
      display: this.display,
      original: this.opts.dir,
      env: this.opts.env ?? process.env,
      timeoutScale: this.opts.timeoutScale ?? 1,
    };
  }

  /** Stop the X server and remove every file (each run was disposed of already). */
  async dispose(): Promise<void> {
    await this.x?.proc.kill(500).catch(() => undefined);
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Options of SandboxRun.spawn(). */
export interface SpawnInSandbox {
  /** Variables the command needs on top of the sandbox's own (PATH, LANG, HOME, DISPLAY...). */
  env?: Record<string, string>;
  outputCapBytes?: number;
  /** A pipe on fd 3 for a report that is not the child's stdout (static checks). */
  reportFd?: boolean;
  /** Text written to the child's stdin, which is then closed. */
  stdin?: string;
  /**
   * Helpers of ours that share the command's sandbox and network (e.g. a
   * multicast bridge), started first with no stdio; `ready` is awaited
   * before the command itself starts.
   */
  companions?: string[][];
  ready?: () => Promise<void>;
  /** Told the pid as soon as the process exists (before the sandbox has started the command): for the load monitor. */
  onStart?: (pid: number) => void;
}

/** One run's context inside a submission's sandbox. */
export class SandboxRun {
  private readonly listens: { host: string; port: number; server: Deferred<Server> }[] = [];
  private readonly companions: TrackedProcess[] = [];
  private readonly unixServers: Server[] = [];

  constructor(
    private readonly sandbox: Sandbox,
    private readonly host: HostPaths,
    private readonly dir: string,
    private readonly uid: UidLease | undefined,
  ) {}

  get level(): SandboxLevel {
    return this.sandbox.level;
  }

  /** Paths as the run's processes see them. */
  get inside(): InsidePaths {
    return insidePaths(this.level, this.host);
  }

  /** The run's copy of the submission, as the grader sees it (the original at level off). */
  get workdir(): string {
    return this.level === 'off' ? this.sandbox.context.original : join(this.host.home, 'submission');
  }

  /**
   * A TCP listener the run's processes reach at host:port. At the full
   * level it lives in the run's own network namespace: the port is chosen
   * here and the server arrives when the first process starts (spawn()).
   */
  async listen(host: string, wanted?: number): Promise<{ host: string; port: number; server: Promise<Server> }> {
    if (this.level !== 'full') {
      const server = await listenNow(host, wanted);
      return { host, port: (server.address() as { port: number }).port, server: Promise.resolve(server) };
    }
    let port = wanted ?? 0;
    while (port === 0 || this.listens.some((l) => l.port === port && l.host === host)) port = randomInt(20_000, 60_000);
    const entry = { host, port, server: deferred<Server>() };
    this.listens.push(entry);
    return { host, port, server: entry.server.promise };
  }

  /**
   * A Unix socket of ours the run's processes can connect to (at the path
   * given as `inside`): for helpers started as companions.
   */
  async unixListen(name: string): Promise<{ inside: string; server: Server }> {
    if (!/^[\w.-]+$/.test(name)) throw new Error(`bad socket name ${name}`);
    const path = join(this.host.sockets, name);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
    chmodSync(path, 0o666);
    this.unixServers.push(server);
    return { inside: join(this.inside.sockets, name), server };
  }

  /** Start a command (inside paths) in the run's sandbox. */
  async spawn(command: string[], opts: SpawnInSandbox = {}): Promise<TrackedProcess> {
    const ctx = this.sandbox.context;
    const full = ctx.level === 'full';
    const pending = full ? this.listens.splice(0) : [];
    const companions = opts.companions ?? [];
    // At the full level one init process opens the listeners, starts the companions and then the command, all in one namespace.
    const viaInit = full && (pending.length > 0 || companions.length > 0);
    if (!full) {
      for (const c of companions) this.companions.push(await this.start(c, { outputCapBytes: 16 * 1024 }, []));
      await opts.ready?.();
    }
    const wrapped = viaInit ? [process.execPath, join(INIT_DIR, 'init.mjs'), JSON.stringify({ listen: pending.map(({ host, port }) => ({ host, port })), companions, command })] : command;
    const proc = await this.start(wrapped, opts, viaInit ? pending : undefined);
    opts.onStart?.(proc.pid);
    if (viaInit) await this.initHandshake(proc, pending, opts.ready, ctx.timeoutScale);
    return proc;
  }

  /** Spawn through the sandbox's command line; `ipcFor` set means init.mjs runs first and talks over IPC. */
  private async start(command: string[], opts: SpawnInSandbox, ipcFor: unknown[] | undefined): Promise<TrackedProcess> {
    const ctx = this.sandbox.context;
    const inside = this.inside;
    const own: Record<string, string> = ctx.level === 'off'
      ? { ...(ctx.env as Record<string, string>) }
      : { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', HOME: inside.home, TMPDIR: ctx.level === 'full' ? '/tmp' : join(inside.home, 'tmp') };
    if (ctx.display) own.DISPLAY = ctx.display;
    if (inside.xauthority) own.XAUTHORITY = inside.xauthority;
    // init.mjs talks to us over Node's IPC channel on fd 3; it removes these before starting anything else.
    const ipc: Record<string, string> = ipcFor ? { NODE_CHANNEL_FD: '3', NODE_CHANNEL_SERIALIZATION_MODE: 'json' } : {};
    const plan = sandboxCommand({ level: ctx.level, caps: ctx.caps, uid: this.uid?.uid, limits: ctx.limits, host: this.host, env: { ...own, ...opts.env, ...ipc }, command });
    try {
      const proc = await spawnTracked(plan.cmd, plan.args, {
        cwd: ctx.level === 'full' ? '/' : this.workdir,
        env: plan.env,
        outputCapBytes: opts.outputCapBytes,
        stdin: opts.stdin !== undefined,
        extraFds: ipcFor ? ['ipc'] : opts.reportFd ? ['pipe'] : [],
        ...(this.uid ? { uid: this.uid.uid } : {}),
      });
      if (opts.stdin !== undefined) {
        // A child that is gone already (it will be judged by its exit) must not crash us with EPIPE.
        proc.child.stdin!.on('error', () => undefined);
        proc.child.stdin!.end(opts.stdin);
      }
      return proc;
    } catch (err) {
      throw new SandboxError('sandbox.setupFailed', `could not start the sandbox: ${(err as Error).message}`);
    }
  }

  /** Receive the listeners from init.mjs, let it start the command once `ready` holds; bounded. */
  private async initHandshake(proc: TrackedProcess, pending: typeof this.listens, ready: (() => Promise<void>) | undefined, scale: number): Promise<void> {
    const got = new Set<number>();
    const within = 10_000 * scale;
    const outcome = await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(`the sandbox did not start within ${within} ms`), within);
      proc.child.on('message', (msg: { type?: string; index?: number }, handle: unknown) => {
        if (msg?.type === 'listening' && typeof msg.index === 'number' && handle) {
          pending[msg.index]?.server.resolve(handle as Server);
          got.add(msg.index);
        }
        if (msg?.type === 'companions') {
          void (ready?.() ?? Promise.resolve()).then(
            () => proc.child.connected && proc.child.send({ type: 'go' }),
            (e: Error) => resolve(`the sandbox's helpers did not get ready: ${e.message}`),
          );
        }
        if (msg?.type === 'started') {
          clearTimeout(timer);
          resolve(undefined);
        }
      });
      void proc.exited.then(() => {
        clearTimeout(timer);
        resolve(`the sandbox ended before starting the client: ${proc.stderr().text.trim().split('\n').slice(-3).join(' | ')}`);
      });
    });
    if (outcome) {
      const err = new SandboxError('sandbox.setupFailed', outcome);
      for (const l of pending) l.server.reject(err);
      await proc.kill(200).catch(() => undefined);
      throw err;
    }
  }

  /** Kill whatever still runs under the run's uid, give the uid back, remove the run's files. */
  async dispose(): Promise<void> {
    await Promise.all(this.companions.map((c) => c.kill(200).catch(() => undefined)));
    for (const srv of this.unixServers) srv.close();
    if (this.uid) {
      await killAllOfUid(this.uid.uid);
      this.uid.release();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
