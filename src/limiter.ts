// At most N things at once: the client runs of a whole class share one
// Limiter, so `--jobs` bounds the machine's load whatever the class size.
// An adaptive limiter also follows what the machine can carry: each window of
// observation the runner closes is reported; a starved one halves the slots,
// and calm gives one back at a time (additive increase, multiplicative
// decrease, as TCP does with its window), never above `size`. A change is
// judged only by windows opened once it has taken effect (the runs over the
// new limit have ended), so one burst of load cuts once, not to the floor.

/** How an adaptive Limiter moves: its floor, and how long the machine must be calm before it gets one slot more. */
export interface Adapt {
  min: number;
  growMs: number;
}

/** How a class's limiter adapts: down to one run at once; one slot back per 5 s without a starved window. */
export const ADAPT: Adapt = { min: 1, growMs: 5000 };

/** A counting semaphore, in arrival order; adaptive when `adapt` is given. A run may ask to be alone. */
export class Limiter {
  private active = 0;
  private alone = false;
  private readonly queue: { alone: boolean; go: () => void }[] = [];
  private current: number;
  /** Since when the current limit holds (the runs over it have ended); undefined while they have not. */
  private since: number | undefined = -Infinity;
  private grewAt = -Infinity;

  constructor(
    readonly size: number,
    private readonly adapt?: Adapt,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.current = size;
  }

  /** The slots now: `size`, or fewer after starved windows. */
  get limit(): number {
    return this.current;
  }

  /** Run fn when a slot is free (`alone`: when no other run is going, and none starts meanwhile); the slot is freed when fn settles. */
  async run<T>(fn: () => Promise<T>, opts: { alone?: boolean } = {}): Promise<T> {
    const alone = opts.alone === true;
    if (this.queue.length === 0 && this.fits(alone)) this.take(alone);
    // The slot is handed over by whoever frees it (pump), already counted.
    else await new Promise<void>((go) => this.queue.push({ alone, go }));
    try {
      return await fn();
    } finally {
      this.active--;
      if (alone) this.alone = false;
      if (this.since === undefined && this.active <= this.current) this.since = this.clock();
      this.pump();
    }
  }

  /**
   * A window of observation closed (`openedAt` on the limiter's clock).
   * Starved: halve the slots. Calm: one slot more once `growMs` have passed
   * since the last change. Windows opened before the last change took
   * effect saw the old load and count for neither.
   */
  report(starved: boolean, openedAt: number): void {
    if (!this.adapt || this.since === undefined || openedAt < this.since) return;
    const now = this.clock();
    if (starved) {
      this.current = Math.max(this.adapt.min, Math.floor(this.current / 2));
      this.since = this.active <= this.current ? now : undefined;
      this.grewAt = now;
      return;
    }
    if (this.current >= this.size || now - this.grewAt < this.adapt.growMs) return;
    this.current++;
    this.grewAt = now;
    this.since = now;
    this.pump();
  }

  private fits(alone: boolean): boolean {
    return !this.alone && (alone ? this.active === 0 : this.active < this.current);
  }

  private take(alone: boolean): void {
    this.active++;
    if (alone) this.alone = true;
  }

  private pump(): void {
    while (this.queue.length && this.fits(this.queue[0]!.alone)) {
      const next = this.queue.shift()!;
      this.take(next.alone);
      next.go();
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
