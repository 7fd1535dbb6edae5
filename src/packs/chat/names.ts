// Seeded user names, conversation ids and texts for the chat pack, so a
// client cannot pass by hard-coding and `--seed` reproduces a run exactly.

import type { Rng } from '../../random.js';

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
