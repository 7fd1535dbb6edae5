// The chat pack's generated data covers the whole protocol domain, in a
// fixed order of shapes, and always stays valid protocol.
import { describe, expect, it } from 'vitest';
import { MAX_TEXT_BYTES, Names } from '../src/packs/chat/names.js';
import { nameTokens } from '../src/probe/interpret.js';
import { NAME_RE } from '../src/protocol/grammar.js';
import { Rng } from '../src/random.js';

const leading = (s: string): string => (/^[A-Z]/.test(s) ? 'upper' : /^\d+$/.test(s) ? 'number' : /^\d/.test(s) ? 'digit' : s[0] === '-' ? 'dash' : s[0] === '_' ? 'underscore' : 'lower');

describe('names and ids', () => {
  it('start with every character class the grammar allows, in the same order for every seed', () => {
    for (const seed of ['a', 'b', 'c']) {
      const n = new Names(new Rng(seed));
      expect(Array.from({ length: 5 }, () => leading(n.user()))).toEqual(['dash', 'digit', 'underscore', 'upper', 'lower']);
      expect(Array.from({ length: 6 }, () => leading(n.conv()))).toEqual(['digit', 'upper', 'dash', 'underscore', 'number', 'lower']);
    }
  });

  it('are valid, unique regardless of case, and the current user never starts with "-"', () => {
    const n = new Names(new Rng('x'));
    const self = n.self();
    expect(self).toMatch(/^[A-Z][A-Za-z0-9]*[-_][0-9]+$/);
    const all = [self, ...Array.from({ length: 60 }, () => n.user()), ...Array.from({ length: 60 }, () => n.conv())];
    for (const s of all) expect(s).toMatch(NAME_RE);
    expect(new Set(all.map((s) => s.toLowerCase())).size).toBe(all.length);
    for (const s of all.filter((x) => leading(x) === 'lower')) expect(s).toMatch(/[-_]/);
  });
});

describe('texts', () => {
  const n = new Names(new Rng('texts'));
  const texts = Array.from({ length: 40 }, () => n.text());

  it('each start with a space and hold a run of spaces, punctuation, an accent, CJK and an emoji', () => {
    for (const t of texts) {
      expect(t).toMatch(/^ \S/);
      expect(t).toMatch(/\S {2,}\S/);
      expect(t).toMatch(/[!?,.;:—%&]/);
      expect(t).toMatch(/[À-ÿ]/);
      expect(t).toMatch(/[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]/);
      expect(t).toMatch(/\p{Extended_Pictographic}/u);
      expect(t).not.toMatch(/\s$/);
      expect(t).not.toMatch(/[\r\n]/);
      expect(Buffer.byteLength(t)).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    }
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('never contain a user name, so a line naming its author is told from the text', () => {
    const users = Array.from({ length: 40 }, () => n.user());
    for (const t of texts) expect(nameTokens(t).filter((tok) => users.includes(tok))).toEqual([]);
  });
});
