// Messages that reach a channel before anyone listens to it. A client may
// report its first events in the same read as its hello, long before the
// driver that interprets them subscribes; the channel holds them (bounded)
// and hands them to its first subscriber, so no timing loses one.

/** At most this many messages are held for a channel nobody listens to yet. */
export const MAX_HELD = 10_000;
/** ...and at most this many bytes of them (as received). */
export const MAX_HELD_BYTES = 16 * 1024 * 1024;

/** The early messages of one channel, until its first subscriber takes them. */
export class Backlog<T> {
  private held: T[] | undefined = [];
  private bytes = 0;
  private overflowed = false;

  constructor(
    private readonly maxItems = MAX_HELD,
    private readonly maxBytes = MAX_HELD_BYTES,
  ) {}

  /** True until the first subscriber took the backlog. */
  get holding(): boolean {
    return this.held !== undefined;
  }

  /**
   * Keep `msg` (of `size` bytes) while nobody has subscribed. Returns false
   * only the first time a message is refused because the backlog is full,
   * so the caller can report the loss once.
   */
  hold(msg: T, size: number): boolean {
    if (!this.held) return true;
    if (this.held.length >= this.maxItems || this.bytes + size > this.maxBytes) {
      const first = !this.overflowed;
      this.overflowed = true;
      return !first;
    }
    this.held.push(msg);
    this.bytes += size;
    return true;
  }

  /** The held messages, in arrival order, once; holding stops for good. */
  take(): T[] {
    const held = this.held ?? [];
    this.held = undefined;
    this.bytes = 0;
    return held;
  }
}
