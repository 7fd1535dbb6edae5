// At most N things at once: the client runs of a whole class share one
// Limiter, so `--jobs` bounds the machine's load whatever the class size.

/** A counting semaphore. */
export class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(readonly size: number) {}

  /** Run fn when a slot is free; the slot is freed when fn settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
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
