// Whether a window of observation was starved: the pure decision over what
// the monitor measured (monitor.ts). A check that failed in a starved window
// is run again by the runner (grade.ts); the limits are explained, with the
// measurements behind them, in docs/GRADING.md ("Load").

/** What one window of observation measured. */
export interface WindowLoad {
  /** Wall time of the window, ms. */
  wallMs: number;
  /** The grader's event loop within the window: its longest delay, and the sum of its delays, ms. */
  loopMaxMs: number;
  loopTotalMs: number;
  /**
   * Its longest delay within the window's last stretch (LOOP_TAIL_MS), where
   * the deadline of a verdict that failed by waiting lies. Only a delay over
   * a deadline can turn a reply that came in time into a late one (the timer
   * runs before the reply is read); one earlier only makes the grader wait
   * longer. Without it, the whole window's.
   */
  loopTailMs?: number;
  /**
   * The client's processes (none for a JavaScript client in-process):
   * run-queue wait of their main threads, CPU time, time seen stopped, ms;
   * and the wait within the last `ms` of the window (all of it, if shorter),
   * for each limit a check may have been waiting out when it ended.
   */
  client?: { waitMs: number; cpuMs: number; stoppedMs: number; recent?: { ms: number; waitMs: number }[] };
  /** Stall time from /proc/pressure within the window, ms, where the kernel has it. */
  pressure?: { cpuSomeMs: number; memorySomeMs: number; memoryFullMs: number };
  /** The machine's CPUs. */
  cores: number;
}

/** The verdict on a window, and why, in words a report can show. */
export interface Starvation {
  starved: boolean;
  why?: string;
}

/** Where a window counts as starved (docs/GRADING.md, "Load", says how they were chosen). */
export interface StarvationLimits {
  /** One delay of the grader's event loop. */
  loopMs: number;
  /**
   * The client's processes waited this long for a CPU, and at least half of
   * a limit, within the last stretch of the window as long as that limit:
   * with half a limit lost, the client may have missed the limit for it.
   */
  clientWaitMs: number;
  /** The client was seen stopped this long. */
  stoppedMs: number;
  /** Share of the window in which every task of the machine stalled on memory. */
  memoryFullShare: number;
  /**
   * Share of the machine's CPU the client used itself, above which its own
   * waits (and the grader's) are its own doing: a client that burns the CPU
   * does not get its failures excused.
   */
  selfShare: number;
}

/** The stretch at a window's end in which a delay of the grader's counts (see WindowLoad.loopTailMs). */
export const LOOP_TAIL_MS = 2000;

export const STARVATION_LIMITS: StarvationLimits = { loopMs: 250, clientWaitMs: 250, stoppedMs: 250, memoryFullShare: 0.1, selfShare: 0.5 };

const ms = (n: number): string => `${Math.round(n)} ms`;

/** The window with the grader's delays counted anywhere in it, not only at its end. */
export function wholeWindow(w: WindowLoad): WindowLoad {
  return { ...w, loopTailMs: undefined };
}

/** Judge one window: starved when the grader or the client could not run for long enough to change a verdict. */
export function judgeWindow(w: WindowLoad, limits: StarvationLimits = STARVATION_LIMITS): Starvation {
  const why: string[] = [];
  const c = w.client;
  if (c && c.stoppedMs >= limits.stoppedMs) why.push(`the client was stopped for ${ms(c.stoppedMs)}`);
  const memory = w.pressure?.memoryFullMs ?? 0;
  if (w.wallMs > 0 && memory >= limits.memoryFullShare * w.wallMs) why.push(`the machine stalled on memory for ${ms(memory)} of ${ms(w.wallMs)}`);
  const selfMade = c !== undefined && w.wallMs > 0 && c.cpuMs >= limits.selfShare * w.cores * w.wallMs;
  if (!selfMade) {
    const held = w.loopTailMs ?? w.loopMaxMs;
    if (held >= limits.loopMs) why.push(`the grader's event loop was held up for ${ms(held)}${w.loopTailMs !== undefined ? ' as the check ended' : ''}`);
    // Without stretches of its own, the window is one.
    for (const r of c?.recent ?? (c ? [{ ms: w.wallMs, waitMs: c.waitMs }] : [])) {
      if (r.waitMs < Math.max(limits.clientWaitMs, r.ms / 2)) continue;
      why.push(`the client waited ${ms(r.waitMs)} for a CPU${r.ms < w.wallMs ? ` in the last ${ms(r.ms)}` : ''}`);
      break;
    }
  }
  return why.length ? { starved: true, why: why.join('; ') } : { starved: false };
}

/**
 * Whether a window says the machine cannot carry the class's load (the
 * adaptive limiter's signal): the grader held for a second, or the client
 * short of CPU or memory. A shorter hold of the grader is its own burst of
 * work (starting and ending runs) and is cause enough to run a verdict again,
 * not to slow the whole class; a stopped client is that client's.
 */
export function overloaded(w: WindowLoad, limits: StarvationLimits = STARVATION_LIMITS): boolean {
  return judgeWindow(wholeWindow(w), { ...limits, loopMs: Math.max(limits.loopMs, 1000), stoppedMs: Infinity }).starved;
}
