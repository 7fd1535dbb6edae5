// Seeded user names, conversation ids and texts for the chat pack, so a
// client cannot pass by hard-coding and `--seed` reproduces a run exactly.
//
// They cover the whole domain the protocol allows, not its easy middle:
// names and ids that start with an upper-case letter, a digit, "-" or "_",
// and texts with a leading space, a run of spaces, punctuation, accents,
// CJK and emoji. The shape of each draw cycles in a fixed order (only the
// content is random), so which fixture meets which shape is the same for
// every seed: a client that mangles one shape loses the same checks in
// every run.

import type { Rng } from '../../random.js';

const SYLLABLES = ['ka', 'lo', 'mi', 'ra', 'to', 'ne', 'su', 'vi', 'do', 'pe', 'zu', 'ha', 'ri', 'bo', 'ya', 'fe'];
const WORDS = ['apple', 'river', 'quiet', 'seven', 'lamp', 'orbit', 'maple', 'violet', 'tunnel', 'cobalt', 'pixel', 'harbor', 'ember', 'meadow', 'signal', 'falcon'];
const ACCENTED = ['café', 'naïve', 'déjà', 'über', 'señor', 'crème', 'façade', 'smörgås', 'Ångström', 'élan'];
const CJK = ['你好', '世界', 'こんにちは', '안녕', '東京', '谢谢', '漢字', 'ありがとう'];
const EMOJI = ['🎉', '🚀', '😀', '🌍', '👍', '🔥', '✨', '🍕'];
const PUNCTUATION = ['!', '?', ',', '...', ';', ':)', '—', '?!', '%', '&'];

/** User name shapes, in the order they are drawn; `self` never starts with "-" (it is passed as `--user`). */
const USER_SHAPES = ['dash', 'digit', 'underscore', 'upper', 'inner'] as const;
/** Conversation id shapes, in the order they are drawn. */
const CONV_SHAPES = ['digit', 'upper', 'dash', 'underscore', 'number', 'inner'] as const;
type Shape = (typeof USER_SHAPES)[number] | (typeof CONV_SHAPES)[number];

/** The most bytes a generated text takes (the protocol allows a 4096-byte line). */
export const MAX_TEXT_BYTES = 200;

/** Generates unique names, ids and texts for one scenario run. */
export class Names {
  /** Lower-cased, so no two draws differ by case alone. */
  private used = new Set<string>();
  private users = 0;
  private convs = 0;
  private readonly tokens = new Map<string, string>();
  private readonly tokenByText = new Map<string, string>();

  constructor(private readonly rng: Rng) {}

  private unique(make: () => string): string {
    for (;;) {
      const s = make();
      if (!this.used.has(s.toLowerCase())) {
        this.used.add(s.toLowerCase());
        return s;
      }
    }
  }

  private syllables(n: number): string {
    return Array.from({ length: n }, () => this.rng.pick(SYLLABLES)).join('');
  }

  private shaped(shape: Shape, core: string): string {
    const r = this.rng;
    switch (shape) {
      case 'upper':
        return core[0]!.toUpperCase() + core.slice(1);
      case 'digit':
        return `${r.int(10)}${core}`;
      case 'dash':
        return `-${core}`;
      case 'underscore':
        return `_${core}`;
      case 'inner':
        return `${core.slice(0, 2)}${r.pick(['-', '_'])}${core.slice(2)}`;
      case 'number':
        return String(1 + r.int(99_999));
    }
  }

  /** The current user's name: starts with an upper-case letter, has a "_" or "-" inside. */
  self(): string {
    return this.unique(() => this.shaped('upper', `${this.syllables(2)}${this.rng.pick(['_', '-'])}${this.rng.int(100)}`));
  }

  /** A peer's name; shapes cycle through a leading "-", digit, "_", upper-case letter, and a "-" or "_" inside. */
  user(): string {
    const shape = USER_SHAPES[this.users++ % USER_SHAPES.length]!;
    return this.unique(() => this.shaped(shape, `${this.syllables(2 + this.rng.int(2))}${this.rng.pick(['', String(this.rng.int(100))])}`));
  }

  /** A conversation id; shapes cycle through a leading digit, upper-case letter, "-", "_", all digits, and a "-" or "_" inside. */
  conv(): string {
    const shape = CONV_SHAPES[this.convs++ % CONV_SHAPES.length]!;
    return this.unique(() => this.shaped(shape, `${this.syllables(2)}${this.rng.int(1000)}`));
  }

  /**
   * A chat text with a unique marker word, its token, findable in a
   * transcript whatever the client does to the rest of the text. Every
   * text starts with a space and holds a run of spaces, punctuation, an
   * accented word, CJK and an emoji; it never ends with white space (a
   * transcript line's end is not something a person can see).
   */
  text(): string {
    const r = this.rng;
    let token = '';
    const text = this.unique(() => {
      const words = Array.from({ length: 2 + r.int(2) }, () => r.pick(WORDS));
      // One syllable and digits: no user name (two syllables or more) or conversation id has that shape.
      do token = `${r.pick(SYLLABLES)}${r.int(10000)}`;
      while (this.tokens.has(token));
      words.splice(r.int(words.length + 1), 0, token);
      words.splice(r.int(words.length + 1), 0, r.pick(ACCENTED));
      words.splice(r.int(words.length + 1), 0, r.pick(CJK));
      const at = r.int(words.length);
      words[at] = `${words[at]}${r.pick(PUNCTUATION)}`;
      words.push(r.pick(EMOJI));
      const gap = 1 + r.int(words.length - 1);
      const head = words.slice(0, gap).join(' ');
      const tail = words.slice(gap).join(' ');
      return ` ${head}${' '.repeat(2 + r.int(2))}${tail}`;
    });
    this.tokens.set(token, text);
    this.tokenByText.set(text, token);
    return text;
  }

  /** The unique marker word of a text this run drew. */
  tokenOf(text: string): string {
    const token = this.tokenByText.get(text);
    if (token === undefined) throw new Error(`not a text of this run: ${JSON.stringify(text)}`);
    return token;
  }
}
