// The seeded random source of a grading: each run draws from its own
// stream, so `--seed` reproduces a run exactly and selecting fewer checks
// does not change the data the others see.

/** A small deterministic PRNG (mulberry32) seeded from any string. */
export class Rng {
  private state: number;

  constructor(seed: string) {
    let h = 2166136261;
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
    this.state = h >>> 0;
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  /** An independent stream for one named purpose (stable whatever else is drawn). */
  fork(label: string): Rng {
    return new Rng(`${this.int(2 ** 31)}:${label}`);
  }
}

/** A fresh random seed for a run that was given none. */
export function newSeed(): string {
  return Math.floor(Math.random() * 2 ** 32).toString(36);
}
