// The shared reporter helpers in src/reporters/common.ts, called directly at
// the edges the fixtures never reach: escape sequences stripAnsi must remove
// whole, line endings cleanLines keeps or drops, head()/tail() at a surrogate
// pair and at exactly `max` units, ordering of ids the rubric does not know,
// bonus lookup through a check's line, singular points, a zero-line transcript
// excerpt, shell quoting of a backslash, probe descriptions, and lineGroups for
// checks whose line the score lacks. Each expectation is an exact value.

import { describe, expect, it } from 'vitest';
import {
  byRubricOrder, hexEscape, cleanLines, compareAreaIds, compareLineIds, head, inRubricOrder, isBonus, lineGroups,
  probeDescription, pts, shellQuote, stripAnsi, tail, transcriptExcerpt,
} from '../src/reporters/common.js';
import { byCode, type CheckResult, type TranscriptLine } from '../src/results.js';
import { fixture } from './helpers/results.js';

const ESC = '\u001b';
const BEL = '\u0007';
/** U+1F600 as its UTF-16 pair: a high then a low surrogate. */
const PAIR = '\uD83D\uDE00';

const RUBRIC = fixture('failures').rubric;

/** A check of the failures fixture moved to another id, line and area (ids the rubric may not know). */
function check(id: string, line: string, area: string, extra: Partial<CheckResult> = {}): CheckResult {
  const base = fixture('failures').checks[0]!;
  return { ...base, id, line, area, ...extra };
}

describe('stripAnsi', () => {
  it('removes an OSC sequence with a multi-character body, ended by BEL or by ESC \\', () => {
    expect(stripAnsi(`a${ESC}]0;window title${BEL}b`)).toBe('ab');
    expect(stripAnsi(`a${ESC}]8;;https://x.example${ESC}\\link`)).toBe('alink');
  });

  it('removes a two-byte escape (ESC M) and leaves ESC before a character outside @-Z, \\-_', () => {
    expect(stripAnsi(`a${ESC}Mb`)).toBe('ab');
    expect(stripAnsi(`a${ESC}7b`)).toBe(`a${ESC}7b`);
  });
});

describe('cleanLines', () => {
  it('splits on CRLF as on LF', () => {
    expect(cleanLines('one\r\ntwo')).toEqual(['one', 'two']);
  });

  it('drops only a trailing empty line, and never the only line', () => {
    expect(cleanLines('one\ntwo\n')).toEqual(['one', 'two']);
    expect(cleanLines('one\ntwo')).toEqual(['one', 'two']);
    expect(cleanLines('one')).toEqual(['one']);
    expect(cleanLines('')).toEqual(['']);
  });
});

describe('head', () => {
  it('keeps a text of at most max units whole, even one ending in a lone high surrogate', () => {
    expect(head('abc', 3)).toBe('abc');
    expect(head('abc', 5)).toBe('abc');
    expect(head('a\uD800', 2)).toBe('a\uD800');
  });

  it('cuts a longer text to max units', () => {
    expect(head('abcd', 3)).toBe('abc');
    expect(head('abcd', 2)).toBe('ab');
    expect(head('abcd', 0)).toBe('');
    expect(head('abcd', -1)).toBe('');
  });

  it('cuts one unit earlier rather than split a surrogate pair', () => {
    expect(head(`a${PAIR}b`, 2)).toBe('a');
    expect(head(`a${PAIR}b`, 3)).toBe(`a${PAIR}`);
  });
});

describe('tail', () => {
  it('keeps a text of at most max units whole, even one starting with a lone low surrogate', () => {
    expect(tail('abc', 3)).toBe('abc');
    expect(tail('\uDC00a', 2)).toBe('\uDC00a');
  });

  it('keeps the last max units of a longer text', () => {
    expect(tail('abcd', 2)).toBe('cd');
    expect(tail('abcd', 0)).toBe('');
  });

  it('starts one unit later rather than split a surrogate pair', () => {
    expect(tail(`a${PAIR}`, 1)).toBe('');
    expect(tail(`a${PAIR}`, 2)).toBe(PAIR);
  });
});

describe('hexEscape', () => {
  it('two hex digits up to U+00FF, four (zero-padded) from U+0100', () => {
    expect(['\u0000', '\u001b', '\u00ff', '\u0100', '\u0abc', '\ufffe'].map(hexEscape)).toEqual([
      '\\x00', '\\x1b', '\\xff', '\\u0100', '\\u0abc', '\\ufffe',
    ]);
  });
});

describe('rubric order', () => {
  it('byCode: -1, 1 or 0 by UTF-16 code units, not by locale', () => {
    expect([byCode('a', 'b'), byCode('b', 'a'), byCode('a', 'a')]).toEqual([-1, 1, 0]);
    expect(byCode('Z', 'a')).toBe(-1); // upper case first, where a locale would put "a" first
  });

  it('compareAreaIds: rubric order first, unknown ids after, unknown ids by id', () => {
    expect(compareAreaIds(RUBRIC, 'structure', 'basic')).toBeLessThan(0);
    expect(compareAreaIds(RUBRIC, 'basic', 'structure')).toBeGreaterThan(0);
    expect(compareAreaIds(RUBRIC, 'zzz', 'structure')).toBeGreaterThan(0);
    expect(compareAreaIds(RUBRIC, 'x', 'y')).toBe(-1);
    expect(compareAreaIds(RUBRIC, 'y', 'x')).toBe(1);
    expect(compareAreaIds(RUBRIC, 'x', 'x')).toBe(0);
  });

  it('compareLineIds: rubric order first, unknown ids after, unknown ids by id', () => {
    expect(compareLineIds(RUBRIC, 'structure.gui', 'basic.register')).toBeLessThan(0);
    expect(compareLineIds(RUBRIC, 'basic.register', 'structure.gui')).toBeGreaterThan(0);
    expect(compareLineIds(RUBRIC, 'x', 'y')).toBe(-1);
    expect(compareLineIds(RUBRIC, 'y', 'x')).toBe(1);
    expect(compareLineIds(RUBRIC, 'x', 'x')).toBe(0);
  });

  it('byRubricOrder orders by area before line: a check on an unknown line still sorts with its area', () => {
    const onUnknownLine = check('structure.extra.one', 'structure.extra', 'structure');
    const known = check('basic.register.sent', 'basic.register', 'basic');
    expect(inRubricOrder(RUBRIC, [known, onUnknownLine]).map((c) => c.id)).toEqual(['structure.extra.one', 'basic.register.sent']);
  });

  it('byRubricOrder falls back to the id for checks the rubric does not know, on the same line', () => {
    const cmp = byRubricOrder(RUBRIC);
    const a = check('structure.gui.a_new', 'structure.gui', 'structure');
    const b = check('structure.gui.b_new', 'structure.gui', 'structure');
    expect(cmp(a, b)).toBe(-1);
    expect(cmp(b, a)).toBe(1);
    expect(cmp(a, a)).toBe(0);
  });
});

describe('isBonus', () => {
  it("takes the area from the check's rubric line, over the check's own area field", () => {
    expect(isBonus(RUBRIC, check('bonus.icons.x', 'bonus.icons', 'basic'))).toBe(true);
    expect(isBonus(RUBRIC, check('basic.register.x', 'basic.register', 'bonus'))).toBe(false);
  });

  it("falls back to the check's area for an unknown line, and is false for an unknown area", () => {
    expect(isBonus(RUBRIC, check('x.y.z', 'x.y', 'bonus'))).toBe(true);
    expect(isBonus(RUBRIC, check('x.y.z', 'x.y', 'x'))).toBe(false);
  });
});

describe('pts', () => {
  it('is singular for exactly one point', () => {
    expect(pts(1)).toBe('1 pt');
    expect(pts(0)).toBe('0 pts');
    expect(pts(2)).toBe('2 pts');
  });
});

describe('transcriptExcerpt', () => {
  const transcript: TranscriptLine[] = [
    { t: 1, dir: 'c>s', text: 'REGISTER ana' },
    { t: 12, dir: 's>c', text: 'OK' },
  ];

  it('shows no line when asked for none, and counts them all as omitted', () => {
    expect(transcriptExcerpt(transcript, 0)).toEqual({ lines: [], omitted: 2 });
  });

  it('marks a direction it does not know with ??', () => {
    const odd = [{ t: 5, dir: 'x' as TranscriptLine['dir'], text: 'hm' }];
    expect(transcriptExcerpt(odd).lines).toEqual(['5ms ?? hm']);
  });
});

describe('shellQuote', () => {
  it("doubles a backslash inside $'...' so it survives bash's unescaping", () => {
    expect(shellQuote('a\\b\n')).toBe("$'a\\\\b\\n'");
  });
});

describe('probeDescription', () => {
  it('describes the two known probes and passes any other name through', () => {
    expect(probeDescription('tk-agent')).toBe("tk-agent: the grader inspected the client's Tk widgets");
    expect(probeDescription('explicit')).toMatch(/^explicit: /);
    expect(probeDescription('x11')).toBe('x11');
  });
});

describe('lineGroups', () => {
  // The failures fixture's score, with checks on two lines the score lacks:
  // "structure.extra" (unknown to the rubric too) and "bonus.robust" (removed
  // from the score here, so its title comes from the rubric).
  function groups() {
    const r = fixture('failures');
    r.score.lines = r.score.lines.filter((l) => l.id !== 'bonus.robust');
    const checks = [
      ...r.checks.filter((c) => c.line === 'structure.gui'),
      check('structure.extra.a', 'structure.extra', 'structure', { status: 'passed', points: 2, max: 3 }),
      check('structure.extra.b', 'structure.extra', 'structure', { status: 'failed', points: 0, max: 4 }),
      check('structure.extra.c', 'structure.extra', 'structure', { status: 'skipped', points: 0, max: 5 }),
      check('bonus.robust.a', 'bonus.robust', 'bonus', { status: 'passed', points: 1, max: 1 }),
    ];
    return lineGroups(r, checks);
  }

  it("adds up the points of a line the score lacks from its checks, skipped ones left out", () => {
    const extra = groups().find((g) => g.id === 'structure.extra')!;
    expect(extra).toMatchObject({ title: 'structure.extra', area: 'structure', points: 2, max: 7 });
    expect(extra.checks.map((c) => c.id)).toEqual(['structure.extra.a', 'structure.extra.b', 'structure.extra.c']);
  });

  it("titles a line the score lacks from the rubric, and keeps a scored line's points as scored", () => {
    const g = groups();
    expect(g.find((x) => x.id === 'bonus.robust')).toMatchObject({ title: RUBRIC.lines.find((l) => l.id === 'bonus.robust')!.title, points: 1, max: 1 });
    const gui = fixture('failures').score.lines.find((l) => l.id === 'structure.gui')!;
    expect(g.find((x) => x.id === 'structure.gui')).toMatchObject({ points: gui.points, max: gui.max });
  });

  it('sorts by area, then line: an unknown line comes after its area\'s known lines, before the next area', () => {
    const ids = groups().map((g) => g.id);
    expect(ids.indexOf('structure.extra')).toBe(ids.indexOf('structure.modularity') + 1);
    expect(ids[ids.indexOf('structure.extra') + 1]).toBe('basic.register');
    expect(ids.slice(-3)).toEqual(['bonus.icons', 'bonus.status', 'bonus.robust']);
  });
});
