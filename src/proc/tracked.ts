// A child process tree we can always take down: the child leads its own
// process group, and carries a unique marker in its environment so that even
// descendants that call setsid() and double-fork away from the group (and so
// from the ppid chain) are found again through /proc/<pid>/environ.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { findTree, processesOf, scanShared } from './procfs.js';

/** The name of the environment variable that marks a tracked tree. */
export const MARKER_VAR = 'CHATGRADE_TRACK';

/** A process-harness fault, with a stable dotted code. */
export class ProcError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProcError';
  }
}

/** How the direct child ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Captured output of one stream: the head, up to the cap. */
export interface CapturedOutput {
  text: string;
  /** Bytes the stream produced in all (may exceed the cap). */
  bytes: number;
  truncated: boolean;
}

/** Options for spawnTracked. */
export interface SpawnOptions {
  cwd?: string;
  /** The full environment (not merged with process.env). Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Per-stream cap on kept output; the head is kept. Default 1 MiB. */
  outputCapBytes?: number;
  /** Called with every output chunk, before capping. */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  /** SIGKILL the process when this one dies, however it dies (setpriv --pdeathsig). */
  dieWithParent?: boolean;
  /** A pipe to the child's stdin (default: none). */
  stdin?: boolean;
  /** Extra descriptors from fd 3 on: a pipe the child writes, Node's IPC channel, or one of ours passed as it is. */
  extraFds?: ('pipe' | 'ipc' | number)[];
  /** Processes of this uid belong to the tree too (a sandbox's own uid: found even without the marker). */
  uid?: number;
}

/** A running (or ended) tracked process tree. */
export interface TrackedProcess {
  readonly pid: number;
  /** The unique "NAME=value" marker every process of the tree inherits. */
  readonly marker: string;
  /** Resolves when the direct child exits (descendants may live on until kill()); its output may still be in flight. */
  readonly exited: Promise<ExitInfo>;
  /**
   * Resolves once the captured output is complete: the child exited and its
   * output pipes reached their end, or kill() finished (a process that
   * escaped the tree may hold the pipes forever; nothing is read after that).
   */
  readonly closed: Promise<void>;
  /** The exit, once known. */
  exitInfo(): ExitInfo | undefined;
  stdout(): CapturedOutput;
  stderr(): CapturedOutput;
  /** Pids of the tree still alive (zombies excluded). */
  alive(): number[];
  /** The underlying child, for the extra descriptors and IPC of SpawnOptions. */
  readonly child: ChildProcess;
  /**
   * SIGTERM everything, SIGKILL whatever is left after `graceMs`, then wait
   * (bounded) until all are gone and the output is read to its end; rejects
   * with 'proc.killFailed' if some survive.
   */
  kill(graceMs?: number): Promise<void>;
}

const live = new Set<Tracked>();
let exitHookInstalled = false;

class Capture {
  private chunks: Buffer[] = [];
  private kept = 0;
  bytes = 0;
  constructor(private readonly cap: number) {}
  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.kept >= this.cap) return;
    const part = chunk.subarray(0, this.cap - this.kept);
    this.chunks.push(part);
    this.kept += part.length;
  }
  result(): CapturedOutput {
    let text = Buffer.concat(this.chunks).toString('utf8');
    const truncated = this.bytes > this.kept;
    if (truncated) text += `\n[... output truncated: ${this.bytes - this.kept} more bytes not kept]\n`;
    return { text, bytes: this.bytes, truncated };
  }
}

function signalAll(pids: number[], pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group may be empty already.
  }
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone between the scan and the signal.
    }
  }
}

/** How long kill() waits for the pipes to end once the tree is gone (only an escaped process can hold them longer). */
const PIPE_END_MS = 500;

class Tracked implements TrackedProcess {
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  readonly closed: Promise<void>;
  private exit: ExitInfo | undefined;
  private endOutput!: () => void;
  private readonly out: Capture;
  private readonly err: Capture;
  private killing: Promise<void> | undefined;

  constructor(
    readonly child: ChildProcess,
    readonly marker: string,
    cap: number,
    onOutput: SpawnOptions['onOutput'],
    private readonly uid: number | undefined,
  ) {
    this.pid = child.pid!;
    this.out = new Capture(cap);
    this.err = new Capture(cap);
    child.stdout!.on('data', (c: Buffer) => {
      this.out.push(c);
      onOutput?.('stdout', c);
    });
    child.stderr!.on('data', (c: Buffer) => {
      this.err.push(c);
      onOutput?.('stderr', c);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    // 'close' comes after 'exit', once every stdio stream has ended: only then is the output all read.
    this.closed = new Promise((resolve) => {
      this.endOutput = resolve;
      child.once('close', () => resolve());
    });
  }

  exitInfo(): ExitInfo | undefined {
    return this.exit;
  }
  stdout(): CapturedOutput {
    return this.out.result();
  }
  stderr(): CapturedOutput {
    return this.err.result();
  }

  alive(): number[] {
    return findTree(this.pid, this.pid, this.marker, this.uid);
  }

  /**
   * The tree's live pids from the next shared scan of /proc (paced for the
   * whole grader, see scanShared); what it finds is acted on at once, as a
   * pid seen gone may be reused.
   */
  private async aliveSoon(): Promise<number[]> {
    return findTree(this.pid, this.pid, this.marker, this.uid, await scanShared());
  }

  kill(graceMs = 2000): Promise<void> {
    this.killing ??= this.doKill(graceMs);
    return this.killing;
  }

  private async doKill(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    let pids = await this.aliveSoon();
    if (pids.length) signalAll(pids, this.pid, 'SIGTERM');
    // Rescan while waiting: a dying parent may fork, or orphans may appear.
    while (pids.length && Date.now() < deadline) {
      pids = await this.aliveSoon();
      if (pids.length) signalAll(pids, this.pid, 'SIGTERM');
    }
    const killDeadline = Date.now() + 3000;
    while (pids.length && Date.now() < killDeadline) {
      signalAll(pids, this.pid, 'SIGKILL');
      pids = await this.aliveSoon();
    }
    // Node must also have reaped the direct child, so `exited` is settled.
    if (!this.exit) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.exited,
        new Promise((r) => (timer = setTimeout(r, Math.max(0, killDeadline - Date.now())))),
      ]);
      clearTimeout(timer);
    }
    // The tree is gone, so the pipes end now, unless a process that escaped it holds them.
    let pipeTimer: NodeJS.Timeout | undefined;
    await Promise.race([this.closed, new Promise((r) => (pipeTimer = setTimeout(r, PIPE_END_MS)))]);
    clearTimeout(pipeTimer);
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
    this.endOutput();
    live.delete(this);
    if (pids.length) {
      throw new ProcError('proc.killFailed', `processes ${pids.join(', ')} of tree ${this.pid} survived SIGKILL`);
    }
  }

  /** Synchronous last resort at process exit: SIGKILL everything we can find. */
  killSync(): void {
    signalAll(this.alive(), this.pid, 'SIGKILL');
  }
}

/**
 * Start `cmd args` as the leader of a new process group, marked so that its
 * whole tree can be found and killed later. Rejects with 'proc.spawnFailed'
 * when the program cannot be started (not found, not executable...).
 */
export function spawnTracked(cmd: string, args: readonly string[], opts: SpawnOptions = {}): Promise<TrackedProcess> {
  const marker = `${MARKER_VAR}=${process.pid}-${randomBytes(8).toString('hex')}`;
  const env = { ...(opts.env ?? process.env), [MARKER_VAR]: marker.slice(MARKER_VAR.length + 1) };
  const setpriv = opts.dieWithParent ? setprivPath() : undefined;
  // PR_SET_PDEATHSIG survives exec: the program itself then dies with us.
  const [file, argv] = setpriv ? [setpriv, ['--pdeathsig=KILL', '--', cmd, ...args]] : [cmd, [...args]];
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(file, argv, { cwd: opts.cwd, env, detached: true, stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', ...(opts.extraFds ?? [])] });
    } catch (e) {
      reject(new ProcError('proc.spawnFailed', `cannot start ${cmd}: ${(e as Error).message}`));
      return;
    }
    child.on('error', (e) => {
      if (child.pid === undefined) reject(new ProcError('proc.spawnFailed', `cannot start ${cmd}: ${e.message}`));
    });
    child.once('spawn', () => {
      const t = new Tracked(child, marker, opts.outputCapBytes ?? 1 << 20, opts.onOutput, opts.uid);
      live.add(t);
      installExitHook();
      resolve(t);
    });
  });
}

let setprivFound: string | null | undefined;

/** util-linux's setpriv, when installed (it is on every Debian and Ubuntu). */
function setprivPath(): string | undefined {
  if (setprivFound === undefined) setprivFound = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null;
  return setprivFound ?? undefined;
}

/** SIGKILL every process of `uid` (a sandbox's own uid) and wait, bounded, until none is left. */
export async function killAllOfUid(uid: number, within = 3000): Promise<void> {
  const deadline = Date.now() + within;
  for (let pids = processesOf(uid, await scanShared()); pids.length && Date.now() <= deadline; ) {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    pids = processesOf(uid, await scanShared());
  }
}

/** Kill every tracked tree still alive (for the CLI's SIGINT handler). */
export async function killAllTracked(graceMs = 1000): Promise<void> {
  await Promise.allSettled([...live].map((t) => t.kill(graceMs)));
}

/** SIGKILL every tracked tree at once, synchronously (safe inside process 'exit'). */
export function killAllTrackedSync(): void {
  for (const t of live) t.killSync();
  live.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Nothing we started may outlive us, however we end.
  process.on('exit', killAllTrackedSync);
}
