// The starvation monitor: while a class is graded it measures whether the
// grader or a client could run. The grader's event loop is timed by a
// ticking timer (a late tick is a delay). Each run's processes (the trees of
// what its sandbox spawned) are found by a scan of /proc every half second
// that reads only new and followed processes, and their run-queue wait
// (/proc/<pid>/schedstat), CPU time and stopped state are kept as a series
// (a thread that waits without ever getting the CPU adds nothing to its
// schedstat until it runs, so a process seen runnable twice with no CPU time
// between counts as waiting all along);
// /proc/pressure likewise for the machine. A window of observation (one
// check) reads those series at its two ends; judge.ts decides.

import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { readSchedstat, readStat } from '../proc/procfs.js';
import { judgeWindow, LOOP_TAIL_MS, type WindowLoad } from './judge.js';
import { readPressure } from './machine.js';
import { Series } from './series.js';

/** How often the loop is timed, and how often /proc is scanned (ms). */
const TICK_MS = 20;
const SCAN_MS = 500;
/** Loop delays under this are noise, not kept. */
const NOISE_MS = 10;
/** Loop delays are kept this long (a window is at most a check's deadline). */
const KEEP_MS = 10 * 60_000;
/** /proc's clock ticks (USER_HZ is 100 on every Linux Node runs on). */
const MS_PER_TICK = 10;

/** What the runner needs of a monitor (tests give a scripted one). */
export interface LoadWatch {
  /** A set of process trees for one run: follow(pid) adds the tree under pid. */
  group(): ProcessGroup;
  /** A window of observation over a run's processes. */
  open(group?: ProcessGroup): LoadWindow;
  /** Resolves true once the machine is calm for a second, false after `within` ms of waiting. */
  calm(within: number): Promise<boolean>;
}

/** One run's processes. */
export interface ProcessGroup {
  follow(pid: number): void;
  /** Stop following (the run is over). */
  dispose(): void;
}

/**
 * An open window; close() measures it. `fresh`: read the processes now, for
 * a verdict that needs the exact end. `recent`: stretches at its end (ms) to
 * measure the client's wait in, each counted from when the client settled
 * (its start-up over); `startup`: one more, over its start-up too.
 */
export interface LoadWindow {
  readonly openedAt: number;
  close(opts?: { fresh?: boolean; recent?: readonly number[]; startup?: number }): WindowLoad;
}

interface Cached {
  ppid: number;
  comm: string;
  group: Group | undefined;
  wait: number;
  cpu: number;
  /** Its main thread's CPU time (ns) at the last read, and when that read was. */
  ran: number;
  readAt: number;
  /** When it was first seen idle (its start-up over). */
  settled?: number;
}

/** What one read of a group's processes saw: one stopped, one runnable that got no CPU since the read before. */
interface Seen {
  stopped: boolean;
  queued: boolean;
}

/** Cumulative counters of one group (ms): run-queue wait, CPU, stopped, queued without running. */
class Group implements ProcessGroup {
  readonly roots = new Set<number>();
  readonly series = new Series(4);
  /** Counters of members that are gone, kept so the sums never go back. */
  gone = { wait: 0, cpu: 0 };
  stopped = 0;
  queued = 0;
  sampled = 0;
  /** Since when every process of it has been seen idle at least once (each one's start-up, CPU-bound, over); undefined while one has not. */
  settledAt: number | undefined;
  disposed = false;

  constructor(private readonly monitor: LoadMonitor) {}

  follow(pid: number): void {
    this.roots.add(pid);
    this.monitor.adopt(pid, this);
  }

  dispose(): void {
    this.disposed = true;
    this.monitor.drop(this);
  }
}

export class LoadMonitor implements LoadWatch {
  private readonly cores = Math.max(1, cpus().length);
  private readonly lags: { at: number; late: number }[] = [];
  private lastTick = performance.now();
  private lastScan = 0;
  private lastMachine = 0;
  private readonly cache = new Map<number, Cached>();
  private readonly groups = new Set<Group>();
  private readonly machine = new Series(3);
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.tick(), TICK_MS).unref();
    this.sampleMachine(performance.now());
  }

  group(): ProcessGroup {
    const g = new Group(this);
    this.groups.add(g);
    return g;
  }

  /** Stop timing and scanning. */
  stop(): void {
    clearInterval(this.timer);
  }

  open(group?: ProcessGroup): LoadWindow {
    const openedAt = performance.now();
    const g = group instanceof Group ? group : undefined;
    return {
      openedAt,
      close: (opts = {}) => {
        const now = performance.now();
        if (opts.fresh) {
          this.sampleMachine(now);
          if (g && !g.disposed) this.sampleGroup(g, now, this.scanMembers(g));
        }
        return this.measure(openedAt, now, g, opts);
      },
    };
  }

  async calm(within: number): Promise<boolean> {
    const end = performance.now() + within;
    for (;;) {
      const w = this.open();
      await delay(1000, undefined, { ref: false });
      const load = w.close({ fresh: true });
      if (isCalm(load)) return true;
      if (performance.now() >= end) return false;
    }
  }

  /** @internal A group follows a tree: its root is a member at once if already seen. */
  adopt(pid: number, g: Group): void {
    const c = this.cache.get(pid);
    if (c) c.group = g;
    this.scan(performance.now());
  }

  /** @internal */
  drop(g: Group): void {
    this.groups.delete(g);
    for (const c of this.cache.values()) if (c.group === g) c.group = undefined;
  }

  private tick(): void {
    const now = performance.now();
    const late = now - this.lastTick - TICK_MS;
    this.lastTick = now;
    if (late > NOISE_MS) this.lags.push({ at: now, late });
    // Forget old delays in one go, now and then.
    if (this.lags.length > 1000 && this.lags[0]!.at < now - KEEP_MS) this.lags.splice(0, this.firstLagAfter(now - KEEP_MS));
    if (now - this.lastMachine >= SCAN_MS) this.sampleMachine(now);
    if (this.groups.size && now - this.lastScan >= SCAN_MS) this.scan(now);
  }

  private sampleMachine(now: number): void {
    this.lastMachine = now;
    const p = readPressure();
    if (p) this.machine.push(now, [p.cpuSome / 1000, p.memorySome / 1000, p.memoryFull / 1000]);
  }

  /** Find new processes (one stat read each), place them in their parent's group, then sample every group. */
  private scan(now: number): void {
    this.lastScan = now;
    let names: string[];
    try {
      names = readdirSync('/proc');
    } catch {
      return;
    }
    const alive = new Set<number>();
    for (const name of names) {
      const c = name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(name);
      alive.add(pid);
      if (this.cache.has(pid)) continue;
      const info = readStat(pid);
      if (info) this.cache.set(pid, { ppid: info.ppid, comm: info.comm, group: undefined, wait: 0, cpu: 0, ran: -1, readAt: now });
    }
    for (const [pid, c] of this.cache) {
      if (alive.has(pid)) continue;
      if (c.group) c.group.gone = { wait: c.group.gone.wait + c.wait, cpu: c.group.gone.cpu + c.cpu };
      this.cache.delete(pid);
    }
    // Parents before children is not guaranteed (pids wrap): place until nothing moves.
    for (let moved = true; moved; ) {
      moved = false;
      for (const c of this.cache.values()) {
        const g = this.cache.get(c.ppid)?.group;
        if (!c.group && g) {
          c.group = g;
          moved = true;
        }
      }
    }
    for (const g of this.groups) {
      for (const root of g.roots) {
        const c = this.cache.get(root);
        if (c) c.group = g;
      }
      this.sampleGroup(g, now, this.scanMembers(g));
    }
  }

  /** Read every member of g now. */
  private scanMembers(g: Group): Seen {
    const seen = { stopped: false, queued: false };
    const now = performance.now();
    let settledAt: number | undefined = -Infinity;
    for (const [pid, c] of this.cache) {
      // The sandbox's own wrappers only wait for their child: their counters say nothing.
      if (c.group !== g || c.comm === 'bwrap') continue;
      const info = readStat(pid);
      const sched = readSchedstat(pid);
      if (!info || !sched) continue;
      // Idle: over a read interval of at least half a scan, it neither ran nor waited to run for a tenth of it.
      const busy = (sched.cpuNs - c.ran) / 1e6 + (sched.waitNs / 1e6 - c.wait);
      if (c.ran >= 0 && now - c.readAt >= SCAN_MS / 2 && busy < (now - c.readAt) / 10) c.settled ??= now;
      if (info.state === 'T' || info.state === 't') seen.stopped = true;
      if (info.state === 'R' && sched.cpuNs === c.ran) seen.queued = true;
      c.ppid = info.ppid;
      c.cpu = info.cpuTicks * MS_PER_TICK;
      c.wait = sched.waitNs / 1e6;
      c.ran = sched.cpuNs;
      c.readAt = now;
      settledAt = c.settled === undefined || settledAt === undefined ? undefined : Math.max(settledAt, c.settled);
    }
    g.settledAt = settledAt === -Infinity ? undefined : settledAt;
    return seen;
  }

  private sampleGroup(g: Group, now: number, seen: Seen): void {
    let wait = g.gone.wait;
    let cpu = g.gone.cpu;
    for (const c of this.cache.values()) {
      if (c.group !== g) continue;
      wait += c.wait;
      cpu += c.cpu;
    }
    // What a read sees is taken to have held since the read before.
    const since = g.sampled ? Math.min(now - g.sampled, 2 * SCAN_MS) : 0;
    g.sampled = now;
    if (seen.stopped) g.stopped += since;
    if (seen.queued) g.queued += since;
    g.series.push(now, [wait, cpu, g.stopped, g.queued]);
  }

  /** Index of the first loop delay whose tick came after t (the delays are in time order). */
  private firstLagAfter(t: number): number {
    let lo = 0;
    let hi = this.lags.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.lags[mid]!.at <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private measure(from: number, to: number, g: Group | undefined, opts: { recent?: readonly number[]; startup?: number }): WindowLoad {
    let loopMaxMs = 0;
    let loopTotalMs = 0;
    let loopTailMs = 0;
    const tail = Math.max(from, to - LOOP_TAIL_MS);
    // A tick now overdue means the loop is held up at this very moment.
    const pending = { at: to, late: to - this.lastTick - TICK_MS };
    // A delay ends when its tick comes: only those that came after the window opened can lie in it.
    for (const l of [...this.lags.slice(this.firstLagAfter(from)), ...(pending.late > NOISE_MS ? [pending] : [])]) {
      const overlap = Math.min(l.at, to) - Math.max(l.at - l.late, from);
      if (overlap <= 0) continue;
      loopMaxMs = Math.max(loopMaxMs, overlap);
      loopTotalMs += overlap;
      loopTailMs = Math.max(loopTailMs, Math.min(l.at, to) - Math.max(l.at - l.late, tail));
    }
    const load: WindowLoad = { wallMs: to - from, loopMaxMs, loopTotalMs, loopTailMs, cores: this.cores };
    const m = this.machine.between(from, to);
    if (m) load.pressure = { cpuSomeMs: m[0]!, memorySomeMs: m[1]!, memoryFullMs: m[2]! };
    const c = g?.series.between(from, to);
    // The scheduler's account of the wait, or what the reads saw of it while it lasted.
    const waited = (d: number[]) => Math.max(d[0]!, d[3]!);
    if (c && g) {
      // Each stretch is the window's last `ms`, or all of a shorter window; the client's start-up only in the start-up's own.
      const within = (ms: number, since: number) => ({ ms, waitMs: since < to ? waited(g.series.between(Math.max(from, to - ms, since), to)!) : 0 });
      const tails = [...(opts.recent ?? []).map((ms) => within(ms, g.settledAt ?? Infinity)), ...(opts.startup ? [within(opts.startup, -Infinity)] : [])];
      load.client = { waitMs: waited(c), cpuMs: c[1]!, stoppedMs: c[2]!, ...(tails.length ? { recent: tails } : {}) };
    }
    return load;
  }
}

/**
 * Calm enough to run a check again: the grader's loop kept time and nothing
 * stalled on memory for the second, and the window was not starved. The
 * CPU's contention is left to the adaptive limiter: on a busy machine it is
 * never low, and waiting for it would only delay the attempt.
 */
export function isCalm(w: WindowLoad): boolean {
  const share = (ms: number | undefined) => (w.wallMs > 0 ? (ms ?? 0) / w.wallMs : 0);
  return w.loopMaxMs < 100 && share(w.pressure?.memoryFullMs) < 0.05 && !judgeWindow(w).starved;
}
