// At most N things at once: the client runs of a whole class share one
// Limiter, so `--jobs` bounds the machine's load whatever the class size.
// An adaptive limiter also follows what the machine can carry: each window of
// observation the runner closes is reported, a starved one halves the slots
// and a run of calm ones gives one back (additive increase, multiplicative
// decrease, as TCP does with its window), never above `size`.

/** How an adaptive Limiter moves: its floor, and the calm windows per slot before it grows by one. */
export interface Adapt {
  min: number;
  calmPerSlot: number;
}

/** How a class's limiter adapts: down to one run at once; one slot back per two calm windows per slot. */
export const ADAPT: Adapt = { min: 1, calmPerSlot: 2 };

/** A counting semaphore, in arrival order; adaptive when `adapt` is given. */
export class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  private current: number;
  /** When the slots were last cut: windows opened before it saw the old load. */
  private cutAt = -Infinity;
  private calm = 0;

  constructor(
    readonly size: number,
    private readonly adapt?: Adapt,
  ) {
    this.current = size;
  }

  /** The slots now: `size`, or fewer after starved windows. */
  get limit(): number {
    return this.current;
  }

  /** Run fn when a slot is free; the slot is freed when fn settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active < this.current && this.queue.length === 0) this.active++;
    // The slot is handed over by whoever frees it (pump), already counted.
    else await new Promise<void>((r) => this.queue.push(r));
    try {
      return await fn();
    } finally {
      this.active--;
      this.pump();
    }
  }

  /**
   * A window of observation closed (openedAt and now on performance.now()'s
   * clock). Starved: halve the slots, once for all the windows that were
   * open at the time. Calm: after `calmPerSlot` calm windows per slot, one
   * slot more.
   */
  report(starved: boolean, openedAt: number, now = performance.now()): void {
    if (!this.adapt || openedAt < this.cutAt) return;
    if (starved) {
      this.current = Math.max(this.adapt.min, Math.floor(this.current / 2));
      this.cutAt = now;
      this.calm = 0;
      return;
    }
    if (++this.calm < this.current * this.adapt.calmPerSlot) return;
    this.calm = 0;
    if (this.current < this.size) this.current++;
    this.pump();
  }

  private pump(): void {
    while (this.queue.length && this.active < this.current) {
      this.active++;
      this.queue.shift()!();
    }
  }
}

/**
 * Facts the runs of one submission share, so a run need not wait out a limit
 * to learn what another run already saw (e.g. "the client never connects to
 * the port it is given").
 */
export class SharedFacts {
  private readonly facts = new Map<string, unknown>();
  private readonly waiters = new Map<string, ((v: unknown) => void)[]>();

  get<T>(key: string): T | undefined {
    return this.facts.get(key) as T | undefined;
  }

  set(key: string, value: unknown): void {
    if (this.facts.has(key)) return;
    this.facts.set(key, value);
    for (const w of this.waiters.get(key) ?? []) w(value);
    this.waiters.delete(key);
  }

  /** Resolves when `key` is set (at once if it is). */
  when<T>(key: string): Promise<T> {
    if (this.facts.has(key)) return Promise.resolve(this.facts.get(key) as T);
    return new Promise((resolve) => {
      const list = this.waiters.get(key) ?? [];
      list.push(resolve as (v: unknown) => void);
      this.waiters.set(key, list);
    });
  }
}
