// Seeded names, conversation ids and texts, so a client cannot pass by
// hard-coding and `--seed` reproduces a run exactly.

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

const SYLLABLES = ['ka', 'lo', 'mi', 'ra', 'to', 'ne', 'su', 'vi', 'do', 'pe', 'zu', 'ha', 'ri', 'bo', 'ya', 'fe'];
const WORDS = ['apple', 'river', 'quiet', 'seven', 'lamp', 'orbit', 'maple', 'violet', 'tunnel', 'cobalt', 'pixel', 'harbor', 'ember', 'meadow', 'signal', 'falcon'];

/** Generates unique names, ids and texts for one scenario run. */
export class Names {
  private used = new Set<string>();
  private convCount = 0;

  constructor(private readonly rng: Rng) {}

  private unique(make: () => string): string {
    for (;;) {
      const s = make();
      if (!this.used.has(s)) {
        this.used.add(s);
        return s;
      }
    }
  }

  /** A user name: letters, sometimes with digits, "_" or "-". */
  user(): string {
    const r = this.rng;
    return this.unique(() => {
      const base = r.pick(SYLLABLES) + r.pick(SYLLABLES) + (r.next() < 0.5 ? r.pick(SYLLABLES) : '');
      const tail = r.pick(['', String(r.int(100)), `_${r.int(10)}`, `-${r.pick(SYLLABLES)}`]);
      return base + tail;
    });
  }

  /** A conversation id: numeric, "c"-prefixed, or an opaque token, so clients cannot assume numbers. */
  conv(): string {
    const r = this.rng;
    const n = ++this.convCount;
    return this.unique(() =>
      r.pick([
        () => String(100 + r.int(900)),
        () => `c${n}${r.int(10)}`,
        () => `${r.pick(SYLLABLES)}${r.int(1000)}${r.pick(SYLLABLES)}`,
        () => `room-${r.pick(SYLLABLES)}${r.int(100)}`,
      ])(),
    );
  }

  /** A chat text of a few words with a unique marker word, so each text is findable. */
  text(): string {
    const r = this.rng;
    return this.unique(() => {
      const words = Array.from({ length: 2 + r.int(3) }, () => r.pick(WORDS));
      words.splice(r.int(words.length + 1), 0, `${r.pick(SYLLABLES)}${r.int(10000)}`);
      return words.join(' ');
    });
  }
}
