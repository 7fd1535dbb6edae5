// One run's context inside a submission's sandbox: a uid of its own, its own
// X server, its sockets, a folder for secrets only its uid may read, and
// (below the full level) a host copy of the submission. At the full level
// every process starts from the snapshot in a fresh HOME of its own. Our
// helpers beside the client (companions) run outside its reach: in its
// network and files, but not its processes, as another uid.

import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, chownSync, closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { killAllOfUid, spawnTracked, type TrackedProcess } from '../proc/index.js';
import { childrenOf } from '../proc/procfs.js';
import { copySubmission } from './copy.js';
import { insidePaths, observerCommand, sandboxCommand, SUBMISSION_OOM_SCORE_ADJ, type Entry, type HostPaths, type InsidePaths, type SandboxLevel } from './plan.js';
import type { SandboxContext } from './context.js';
import { listenNow, SandboxError, type Deferred, deferred } from './support.js';
import { allocateUid, type UidLease } from './uids.js';
import type { RunDisplay } from './xserver.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const AGENT_DIR = join(PACKAGE_ROOT, 'agent');
/** dist/sandbox: holds the compiled init.mjs (also when this module runs from src/, as under vitest). */
const INIT_DIR = join(PACKAGE_ROOT, 'dist', 'sandbox');

/** How long a companion may take to finish once told to stop (SIGTERM), before it is killed. */
const COMPANION_DRAIN_MS = 2000;

/** Options of SandboxRun.spawn(). */
export interface SpawnInSandbox {
  /** Variables the command needs on top of the sandbox's own (PATH, LANG, HOME, DISPLAY...). */
  env?: Record<string, string>;
  /**
   * Values the process reads once from a file only its uid may read, named
   * by `<NAME>_FILE` in its environment, instead of an environment variable
   * any process of its uid could read in /proc (the probe token).
   */
  secrets?: Record<string, string>;
  outputCapBytes?: number;
  /** A pipe on fd 3 for a report that is not the child's stdout (static checks). */
  reportFd?: boolean;
  /** Text written to the child's stdin, which is then closed. */
  stdin?: string;
  /**
   * Helpers of ours that share the command's network (e.g. a multicast
   * bridge), started first with no stdio, beside the sandbox and out of its
   * processes' reach; `ready` is awaited before the command itself starts.
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

  private constructor(
    private readonly ctx: SandboxContext,
    private readonly host: HostPaths,
    private readonly dir: string,
    private readonly uid: UidLease | undefined,
    private readonly x: RunDisplay | undefined,
  ) {}

  /** @internal Sandbox.newRun() makes runs. */
  static async open(ctx: SandboxContext, dir: string, opts: { display: boolean }): Promise<SandboxRun> {
    let uid: UidLease | undefined;
    let x: RunDisplay | undefined;
    try {
      if (ctx.level !== 'off' && ctx.caps.root && ctx.caps.setpriv) {
        uid = allocateUid();
        // A grader that died may have left processes under this uid.
        await killAllOfUid(uid.uid);
      }
      mkdirSync(dir, { mode: 0o711 });
      const home = join(dir, 'home');
      const sockets = join(dir, 'sockets');
      const secrets = join(dir, 'secrets');
      mkdirSync(sockets, { mode: 0o755 });
      mkdirSync(secrets, { mode: 0o700 });
      if (uid) chownSync(secrets, uid.uid, uid.uid);
      if (ctx.level === 'fallback') {
        // No mount namespace: the run's copy and HOME are host folders of its uid.
        mkdirSync(home, { mode: 0o700 });
        await copySubmission(ctx.snapshot!, join(home, 'submission'), { maxBytes: Infinity, maxEntries: Infinity, ...(uid ? { uid: uid.uid } : {}) });
        mkdirSync(join(home, 'tmp'), { mode: 0o700 });
        if (uid) for (const p of [home, join(home, 'tmp')]) chownSync(p, uid.uid, uid.uid);
      } else if (ctx.level === 'off') {
        mkdirSync(home, { mode: 0o700 });
      }
      if (opts.display && ctx.xservers) x = await ctx.xservers.take(dir, uid?.uid);
      const x11 = x?.xauthority && ctx.level !== 'off' ? { socket: x.socket, xauthority: x.xauthority } : opts.display ? usersX11(ctx, dir, uid?.uid) : undefined;
      const host: HostPaths = {
        home,
        ...(ctx.level === 'full' ? { snapshot: ctx.snapshot! } : {}),
        sockets,
        ...(ctx.level !== 'off' ? { secrets } : {}),
        agentDir: AGENT_DIR,
        readOnly: [...ctx.opts.python.prefixes, INIT_DIR, dirname(dirname(process.execPath))],
        ...(x11 ? { x11 } : {}),
      };
      return new SandboxRun(ctx, host, dir, uid, x);
    } catch (err) {
      if (x) ctx.xservers?.release(x);
      if (uid) {
        await killAllOfUid(uid.uid);
        uid.release();
      }
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  get level(): SandboxLevel {
    return this.ctx.level;
  }

  /** Paths as the run's processes see them (at level off, the submission folder itself). */
  get inside(): InsidePaths {
    const paths = insidePaths(this.level, this.host);
    return this.level === 'off' ? { ...paths, workdir: this.ctx.opts.dir } : paths;
  }

  /**
   * The submission as the grader reads it for this run: the pristine
   * snapshot (full level: each process copies it), the run's copy
   * (fallback), the original (off).
   */
  get workdir(): string {
    if (this.level === 'off') return this.ctx.opts.dir;
    return this.level === 'full' ? this.ctx.snapshot! : join(this.host.home, 'submission');
  }

  /** The run's DISPLAY, when it may open windows. */
  get display(): string | undefined {
    return this.x?.display ?? this.ctx.userDisplay?.display ?? this.ctx.sharedDisplay;
  }

  /** The run's framebuffer file, when screenshots were asked for: its own screen, no other run's. */
  get framebuffer(): string | undefined {
    return this.x?.framebuffer;
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
   * A Unix socket of ours that companions connect to, at the path given as
   * `inside` (they see the sandbox's files).
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
    const full = this.level === 'full';
    const pending = full ? this.listens.splice(0) : [];
    const companions = opts.companions ?? [];
    // At the full level one init process opens the listeners in the sandbox's network, and holds
    // the command until the companions (started from outside, into that network) are ready.
    const viaInit = full && (pending.length > 0 || companions.length > 0);
    if (!full) {
      for (const c of companions) await this.startCompanion(c, undefined);
      await opts.ready?.();
    }
    const spec = { listen: pending.map(({ host, port }) => ({ host, port })), hold: companions.length > 0, command };
    const wrapped = viaInit ? [process.execPath, join(INIT_DIR, 'init.mjs'), JSON.stringify(spec)] : command;
    const proc = await this.start(wrapped, opts, viaInit);
    opts.onStart?.(proc.pid);
    if (viaInit) await this.initHandshake(proc, pending, companions, opts.ready);
    return proc;
  }

  /** The entry step of what this run starts: the submission's cgroup (companions none), and only the descriptors meant for it. */
  private entry(keepFds: number[], cgroup: boolean): Entry {
    return { cgroupProcs: cgroup ? (this.ctx.cgroup?.procs.student ?? []) : [], keepFds };
  }

  /** Spawn through the sandbox's command line; `ipc` means init.mjs runs first and talks over IPC on fd 3. */
  private async start(command: string[], opts: SpawnInSandbox, ipc: boolean): Promise<TrackedProcess> {
    const { ctx } = this;
    const inside = this.inside;
    const own: Record<string, string> = ctx.level === 'off'
      ? { ...(ctx.env as Record<string, string>) }
      : { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', HOME: inside.home, TMPDIR: ctx.level === 'full' ? '/tmp' : join(inside.home, 'tmp') };
    if (this.display) own.DISPLAY = this.display;
    if (inside.xauthority) own.XAUTHORITY = inside.xauthority;
    const secrets = this.writeSecrets(opts.secrets ?? {});
    // init.mjs talks to us over Node's IPC channel on fd 3; it removes these before starting anything else.
    const channel: Record<string, string> = ipc ? { NODE_CHANNEL_FD: '3', NODE_CHANNEL_SERIALIZATION_MODE: 'json' } : {};
    const extra: ('pipe' | 'ipc' | number)[] = ipc ? ['ipc'] : opts.reportFd ? ['pipe'] : [];
    const filter = ctx.level === 'full' && ctx.seccomp ? openSync(ctx.seccomp, 'r') : undefined;
    const seccompFd = filter === undefined ? undefined : 3 + extra.length;
    if (filter !== undefined) extra.push(filter);
    const plan = sandboxCommand({
      level: ctx.level,
      caps: ctx.caps,
      uid: this.uid?.uid,
      limits: ctx.limits,
      host: this.host,
      env: { ...own, ...opts.env, ...secrets, ...channel },
      command,
      entry: { ...this.entry(extra.map((_, i) => 3 + i), true), oomScoreAdj: SUBMISSION_OOM_SCORE_ADJ },
      ...(seccompFd !== undefined ? { seccompFd } : {}),
    });
    try {
      const proc = await spawnTracked(plan.cmd, plan.args, {
        cwd: ctx.level === 'off' ? this.workdir : plan.cwd,
        env: plan.env,
        outputCapBytes: opts.outputCapBytes,
        stdin: opts.stdin !== undefined,
        extraFds: extra,
        ...(this.uid ? { uid: this.uid.uid } : {}),
      });
      if (opts.stdin !== undefined) {
        // A child that is gone already (it will be judged by its exit) must not crash us with EPERM.
        proc.child.stdin!.on('error', () => undefined);
        proc.child.stdin!.end(opts.stdin);
      }
      return proc;
    } catch (err) {
      throw new SandboxError('sandbox.setupFailed', `could not start the sandbox: ${(err as Error).message}`);
    } finally {
      if (filter !== undefined) closeSync(filter);
    }
  }

  /** Each secret in a file of the run's uid alone; at level off, plain variables. */
  private writeSecrets(secrets: Record<string, string>): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(secrets)) {
      if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`bad secret name ${name}`);
      if (!this.host.secrets || !this.inside.secrets) {
        env[name] = value;
        continue;
      }
      const file = join(this.host.secrets, name.toLowerCase());
      writeFileSync(file, value, { mode: 0o400 });
      if (this.uid) chownSync(file, this.uid.uid, this.uid.uid);
      env[`${name}_FILE`] = join(this.inside.secrets, name.toLowerCase());
    }
    return env;
  }

  /**
   * A companion, as the submission's helper uid: at the full level in the
   * sandbox's mount and network namespaces (entered from outside, through
   * the sandbox's first process `enter`), never in its PID namespace, so
   * that no process of the submission can see, signal or trace it. It stays
   * in the grader's cgroup: it observes for us, and a submission that keeps
   * its own CPU share busy must not delay what it reports.
   */
  private async startCompanion(command: string[], enter: number | undefined): Promise<void> {
    const { cmd, args } = observerCommand({ caps: this.ctx.caps, uid: this.ctx.helperUid, entry: this.entry([], false), ...(enter !== undefined ? { enter } : {}), command });
    const proc = await spawnTracked(cmd, args, { outputCapBytes: 16 * 1024, env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' }, cwd: '/' });
    this.companions.push(proc);
  }

  /** Receive the listeners from init.mjs; start the companions and let it start the command once `ready` holds; bounded. */
  private async initHandshake(proc: TrackedProcess, pending: typeof this.listens, companions: string[][], ready: (() => Promise<void>) | undefined): Promise<void> {
    const within = 10_000 * this.ctx.timeoutScale;
    const outcome = await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(`the sandbox did not start within ${within} ms`), within);
      proc.child.on('message', (msg: { type?: string; index?: number }, handle: unknown) => {
        if (msg?.type === 'listening' && typeof msg.index === 'number' && handle) pending[msg.index]?.server.resolve(handle as Server);
        if (msg?.type === 'holding') {
          void (async () => {
            // bubblewrap (the process we started) has one child: the sandbox's first process, in its namespaces.
            const first = childrenOf(proc.pid)[0];
            if (first === undefined) throw new Error('the sandbox has no first process to share its network with');
            for (const c of companions) await this.startCompanion(c, first);
            await ready?.();
          })().then(
            () => proc.child.connected && proc.child.send({ type: 'go' }),
            (e: Error) => resolve(`the sandbox's helpers did not get ready: ${e.message}`),
          );
        }
        if (msg?.type === 'started') {
          clearTimeout(timer);
          resolve(undefined);
        }
      });
      void proc.exited.then(async () => {
        // Its exit may be seen before its last message is read: read the channel to its end first (bounded).
        if (proc.child.connected) await Promise.race([once(proc.child, 'disconnect'), delay(1000, undefined, { ref: false })]);
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

  /** Kill the run's helpers, X server and whatever still runs under its uid; give the uid back; remove the run's files. */
  async dispose(): Promise<void> {
    // Told first and given time to finish what they hold (a bridge relays what the client sent last).
    await Promise.all(this.companions.map((c) => c.kill(COMPANION_DRAIN_MS).catch(() => undefined)));
    for (const srv of this.unixServers) srv.close();
    if (this.uid) {
      await killAllOfUid(this.uid.uid);
      this.uid.release();
    }
    // Its X server stops in the background; the submission waits for it before it ends.
    if (this.x) this.ctx.xservers?.release(this.x);
    // Off the event loop: a run's tree takes tens of ms to remove on a busy machine, and other runs are being timed.
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** `--headed`: the user's X socket and a copy of their cookie, owned by the run's uid. */
function usersX11(ctx: SandboxContext, dir: string, uid: number | undefined): { socket: string; xauthority: string } | undefined {
  const user = ctx.userDisplay;
  if (!user || ctx.level === 'off') return undefined;
  const xauthority = join(dir, 'xauthority');
  writeFileSync(xauthority, user.cookie, { mode: 0o600 });
  if (uid !== undefined) chownSync(xauthority, uid, uid);
  return { socket: user.socket, xauthority };
}
