// One submission's sandbox: the level it gets, a pristine snapshot of its
// folder (copied once, bounded, refusing what is not a file, folder or
// link), a cgroup holding all of it, a seccomp filter, a uid for our helpers
// beside it, and a fresh context per run (run.ts: its own uid, copy, HOME,
// network and X server). Everything it starts is tracked and ends with it;
// its files and cgroup are removed.

import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findXvfb } from '../env/display.js';
import { killAllOfUid } from '../proc/index.js';
import { cgroupSupport, SubmissionCgroup } from './cgroups.js';
import { copySubmission } from './copy.js';
import type { SandboxContext, SandboxMode, SandboxOptions } from './context.js';
import { sandboxCapabilities, type SandboxCapabilities } from './detect.js';
import { DEFAULT_LIMITS, type SandboxLevel } from './plan.js';
import { SandboxRun } from './run.js';
import { seccompFilter } from './seccomp.js';
import { allocateUid, type UidLease } from './uids.js';
import { closedToOthers, SandboxError } from './support.js';
import { XServers } from './xserver.js';

export { SandboxError };

/**
 * A submission's CPU weight against its neighbours (the grader, other
 * submissions, each other process of the machine), on cgroup v2's scale:
 * two ordinary processes' worth, its client and its X server at their
 * busiest, however many processes it starts.
 */
export const SUBMISSION_CPU_WEIGHT = 200;

/** Largest submission folder copied into a sandbox, in bytes and in entries (files, folders, links). */
export const MAX_SUBMISSION_BYTES = 64 * 1024 * 1024;
export const MAX_SUBMISSION_ENTRIES = 5_000;

/** The level `mode` gives on a machine with `caps`, and what it lacks; throws for strict without the full sandbox. */
export function chooseLevel(mode: SandboxMode, caps: SandboxCapabilities): { level: SandboxLevel; notes: string[] } {
  if (mode === 'off') return { level: 'off', notes: ['sandbox off (--sandbox off): the client ran as the grader, with its environment, files and network'] };
  if (caps.bwrap) return { level: 'full', notes: caps.missing };
  if (mode === 'strict') {
    throw new SandboxError('sandbox.unavailable', `--sandbox strict needs the full sandbox, which this machine does not give: ${caps.missing.join('; ')}`);
  }
  return { level: 'fallback', notes: caps.missing };
}

export class Sandbox {
  private runs = 0;

  private constructor(
    readonly level: SandboxLevel,
    private readonly setupNotes: string[],
    private readonly ctx: SandboxContext,
    private readonly helper: UidLease | undefined,
  ) {}

  /** What this level does not give, for reports and `grade doctor`; and, once graded, whether the kernel killed a process of the submission for its memory. */
  get notes(): string[] {
    const killed = this.ctx.cgroup?.oomKills() ?? 0;
    const oom = killed ? [`the submission ran out of memory (totalMemoryMiB ${this.ctx.limits.totalMemoryMiB}): the kernel killed ${killed} of its processes`] : [];
    return [...this.setupNotes, ...oom];
  }

  static async open(opts: SandboxOptions): Promise<Sandbox> {
    const caps = await sandboxCapabilities({ env: opts.env });
    const { level, notes: levelNotes } = chooseLevel(opts.mode, caps);
    const notes = [...levelNotes];
    const limits = { ...DEFAULT_LIMITS, ...opts.limits };
    // Without a mount namespace the run's own uid sees the Python where it is: under a private
    // folder (pyenv in /root) every run would fail to start, each check an error. Say it once.
    const closed = level === 'fallback' && caps.root && caps.setpriv ? closedToOthers([dirname(opts.python.executable), ...opts.python.prefixes]) : undefined;
    if (closed) {
      throw new SandboxError('sandbox.setupFailed', `the sandbox runs each client as a uid of its own, which cannot use the Python in ${closed.path} (${closed.blocker} is private to its owner): use a Python every user can read, e.g. apt-get install python3-tk for /usr/bin/python3`);
    }
    const root = mkdtempSync(join(tmpdir(), 'chatgrade-sandbox-'));
    chmodSync(root, 0o711);
    let cgroup: SubmissionCgroup | undefined;
    let helper: UidLease | undefined;
    let xservers: XServers | undefined;
    try {
      if (level !== 'off') {
        const support = cgroupSupport();
        if (support.layout) {
          try {
            cgroup = SubmissionCgroup.create(support.layout, { memoryBytes: limits.totalMemoryMiB * 1024 * 1024, pids: limits.totalProcesses, cpuWeight: SUBMISSION_CPU_WEIGHT });
          } catch (e) {
            notes.push(`no cgroup for this submission (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): per-process limits only`);
          }
        } else {
          notes.push(`no cgroup per submission (${support.missing}): per-process limits only`);
        }
        // Our helpers die with their grader (setpriv --pdeathsig): a uid a dead grader held is free of them.
        if (caps.root && caps.setpriv) helper = allocateUid();
      }
      const userDisplay = opts.display && opts.useDisplay !== undefined ? usersDisplay(opts.useDisplay, opts.env ?? process.env) : undefined;
      const sharedDisplay = level === 'off' && !opts.screenshots ? opts.env?.DISPLAY : undefined;
      if (opts.display && !sharedDisplay && !userDisplay) {
        const xvfb = findXvfb(opts.env);
        if (!xvfb) throw new SandboxError('sandbox.setupFailed', 'Xvfb was not found: every sandboxed run gets an X server of its own (apt-get install xvfb)');
        const entry = { cgroupProcs: cgroup?.procs.xserver ?? [], keepFds: [] };
        xservers = new XServers({ xvfb, root, caps, ...(helper ? { uid: helper.uid } : {}), entry, cookie: level !== 'off', privateKeymaps: level === 'full', screenshots: Boolean(opts.screenshots), within: 10_000 * (opts.timeoutScale ?? 1) });
        // The first run's server starts while the folder is copied.
        xservers.warm();
      }
      let snapshot: string | undefined;
      if (level !== 'off') {
        // The pristine copy every run starts from: the original is never read again. At the full
        // level each process copies it into its own HOME as its uid, through a read-only bind.
        snapshot = join(root, 'snapshot');
        await copySubmission(opts.dir, snapshot, { maxBytes: MAX_SUBMISSION_BYTES, maxEntries: MAX_SUBMISSION_ENTRIES, skip: (n) => n === '__pycache__', modes: level === 'full' ? 'shared' : 'own' });
        if (level !== 'full') chmodSync(snapshot, 0o700);
      }
      const seccomp = level === 'full' ? await seccompFilter() : undefined;
      if (seccomp?.missing) notes.push(seccomp.missing);
      const ctx: SandboxContext = { level, caps, limits, opts, root, snapshot, cgroup, seccomp: seccomp?.file, helperUid: helper?.uid, xservers, sharedDisplay, ...(userDisplay ? { userDisplay } : {}), env: opts.env ?? process.env, timeoutScale: opts.timeoutScale ?? 1 };
      return new Sandbox(level, notes, ctx, helper);
    } catch (err) {
      await xservers?.dispose();
      await cgroup?.remove().catch(() => undefined);
      helper?.release();
      rmSync(root, { recursive: true, force: true });
      if (err instanceof SandboxError || (err as { code?: string }).code?.startsWith('submission.')) throw err;
      throw new SandboxError('sandbox.setupFailed', `could not set up the sandbox: ${(err as Error).message}`);
    }
  }

  /** The display reports name: the user's (`--headed`), the grader's at level off, otherwise a server of each run's own. */
  get display(): string | undefined {
    if (this.ctx.userDisplay) return this.ctx.userDisplay.display;
    if (this.ctx.sharedDisplay) return this.ctx.sharedDisplay;
    return this.ctx.xservers ? 'Xvfb, one per run' : undefined;
  }

  /** The cgroup's version, when the submission has one (for `environment` and tests). */
  get cgroup(): SubmissionCgroup | undefined {
    return this.ctx.cgroup;
  }

  /**
   * A fresh context for one run: its own copy of the submission and HOME, a
   * uid of its own (so ending one run can never touch another's processes,
   * and each run's process limit is its own) and, when `display` (default:
   * whenever the submission's runs may open windows), an X server of its own.
   */
  async newRun(opts: { display?: boolean } = {}): Promise<SandboxRun> {
    return SandboxRun.open(this.ctx, join(this.ctx.root, `run-${++this.runs}`), { display: opts.display ?? true });
  }

  /** Remove every file and the cgroup, with whatever is left in it (each run was disposed of already). */
  async dispose(): Promise<void> {
    await this.ctx.xservers?.dispose();
    await this.ctx.cgroup?.remove();
    if (this.helper) {
      await killAllOfUid(this.helper.uid);
      this.helper.release();
    }
    await rm(this.ctx.root, { recursive: true, force: true });
  }
}

/** The user's local display for `--headed`: `:N` only (its socket is a file a bind can reach), with their X cookie. */
function usersDisplay(display: string, env: NodeJS.ProcessEnv): { display: string; socket: string; cookie: Buffer } {
  const n = /^:(\d+)(?:\.\d+)?$/.exec(display)?.[1];
  if (n === undefined) throw new SandboxError('sandbox.setupFailed', `--headed needs a local X display such as :0, not DISPLAY=${display}`);
  const file = env.XAUTHORITY ?? join(env.HOME ?? '/nonexistent', '.Xauthority');
  return { display, socket: `/tmp/.X11-unix/X${n}`, cookie: existsSync(file) ? readFileSync(file) : Buffer.alloc(0) };
}
