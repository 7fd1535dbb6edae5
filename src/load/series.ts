// Cumulative counters sampled over time (a process tree's run-queue wait,
// the machine's stall totals), read back for any window by interpolating
// between the samples around its two ends.

/** Samples of `width` cumulative counters, in time order. */
export class Series {
  private readonly t: number[] = [];
  private readonly v: number[][] = [];

  constructor(
    private readonly width: number,
    /** Samples older than this (ms before the newest) are dropped. */
    private readonly keepMs = 10 * 60_000,
  ) {}

  push(t: number, values: readonly number[]): void {
    if (values.length !== this.width) throw new Error(`a sample of ${values.length} values in a series of ${this.width}`);
    // Counters never go back: a sample that would (a process gone between two reads) keeps the last value.
    const last = this.v.at(-1);
    const next = last ? values.map((x, i) => Math.max(x, last[i]!)) : [...values];
    if (this.t.length && t <= this.t.at(-1)!) {
      this.v[this.v.length - 1] = next;
      return;
    }
    this.t.push(t);
    this.v.push(next);
    while (this.t.length > 2 && this.t[0]! < t - this.keepMs) {
      this.t.shift();
      this.v.shift();
    }
  }

  /** The counters at time t, interpolated; held flat before the first sample and after the last. */
  at(t: number): number[] | undefined {
    const n = this.t.length;
    if (n === 0) return undefined;
    if (t <= this.t[0]!) return [...this.v[0]!];
    if (t >= this.t[n - 1]!) return [...this.v[n - 1]!];
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.t[mid]! < t) lo = mid;
      else hi = mid;
    }
    const [t0, t1] = [this.t[hi - 1]!, this.t[hi]!];
    const f = (t - t0) / (t1 - t0);
    return this.v[hi - 1]!.map((a, i) => a + f * (this.v[hi]![i]! - a));
  }

  /** How much each counter grew from `from` to `to`; undefined with no sample. */
  between(from: number, to: number): number[] | undefined {
    const a = this.at(from);
    const b = this.at(to);
    return a && b ? b.map((x, i) => x - a[i]!) : undefined;
  }
}
