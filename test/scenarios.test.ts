import { describe, expect, it } from 'vitest';
import { score } from '../src/rubric.js';
import { chat } from '../src/packs/chat/index.js';
import { matchGlob, selectChecks } from '../src/grade.js';
import { Names } from '../src/packs/chat/names.js';
import { Rng } from '../src/random.js';

const { rubric, scripts: SCRIPTS } = chat;
const { checks: CHECKS, lines: LINES } = rubric;
import { NAME_RE } from '../src/protocol/grammar.js';

describe('the scenario index against the rubric', () => {
  it('implements every check id of the chat rubric exactly once, and nothing else', () => {
    const ids = SCRIPTS.map((s) => s.id).sort();
    expect(ids).toEqual(CHECKS.map((c) => c.id).sort());
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('puts the fault-injected checks in runs of their own', () => {
    const runOf = (id: string) => SCRIPTS.find((s) => s.id === id)!.run;
    expect(runOf('bonus.robust.malformed')).toBe('malformed');
    expect(runOf('bonus.robust.server_crash')).toBe('serverCrash');
    const shared = SCRIPTS.filter((s) => s.run === 'malformed' || s.run === 'serverCrash');
    expect(shared.map((s) => s.id).sort()).toEqual(['bonus.robust.malformed', 'bonus.robust.server_crash']);
  });
});

describe('the rubric as data', () => {
  it('adds up to 100 points plus 20 bonus, each line to the course table', () => {
    const all = Object.fromEntries(CHECKS.map((c) => [c.id, 'passed' as const]));
    const s = score(rubric, all);
    expect([s.points, s.max, s.bonus, s.bonusMax]).toEqual([100, 100, 20, 20]);
    const table: Record<string, number> = {
      'structure.gui': 5, 'structure.main': 5, 'structure.config': 5, 'structure.modularity': 5,
      'basic.register': 10, 'basic.online_users': 10, 'basic.goodbye': 10,
      'conv.multiple': 10, 'conv.invite': 5, 'conv.invitation': 5, 'conv.join': 5, 'conv.leave': 5, 'conv.conversations': 10, 'conv.send': 10,
      'bonus.icons': 10, 'bonus.status': 5, 'bonus.robust': 5,
    };
    expect(Object.fromEntries(s.lines.map((l) => [l.id, l.max]))).toEqual(table);
    expect(LINES.length).toBe(Object.keys(table).length);
  });

  it('score() is pure: failures lose their points, errors are listed as unmeasured, skipped checks count neither way', () => {
    const outcomes = Object.fromEntries(CHECKS.map((c) => [c.id, 'passed' as const])) as Record<string, 'passed' | 'failed' | 'error' | 'skipped'>;
    outcomes['basic.register.sent'] = 'failed';
    outcomes['conv.join.sent'] = 'error';
    outcomes['bonus.icons.shown'] = 'skipped';
    const before = { ...outcomes };
    const s = score(rubric, outcomes);
    expect(outcomes).toEqual(before);
    // An error earns nothing but stays in the maximum (the grade is incomplete, not lower); a skipped check leaves both.
    expect([s.points, s.max, s.bonus, s.bonusMax]).toEqual([89, 100, 10, 10]);
    expect(s.unmeasured).toEqual(['conv.join.sent']);
    const changed = s.lines.filter((l) => l.points !== l.max || ['bonus.icons', 'conv.join', 'basic.register'].includes(l.id));
    expect(changed.map(({ id, area, bonus, points, max }) => ({ id, area, bonus, points, max }))).toEqual([
      { id: 'basic.register', area: 'basic', bonus: false, points: 4, max: 10 },
      { id: 'conv.join', area: 'conv', bonus: false, points: 0, max: 5 },
      { id: 'bonus.icons', area: 'bonus', bonus: true, points: 0, max: 0 },
    ]);
  });
});

describe('check selection', () => {
  it('selects by id globs', () => {
    expect(matchGlob('conv.send.*', 'conv.send.sent')).toBe(true);
    expect(matchGlob('conv', 'conv.send.sent')).toBe(true);
    expect(matchGlob('conv.send', 'conv.sender.x')).toBe(false);
    expect(selectChecks(rubric, ['basic.register.*'], [])).toEqual(['basic.register.sent', 'basic.register.format']);
    expect(selectChecks(rubric, ['bonus.*'], ['bonus.robust.*'])).toEqual(['bonus.icons.shown', 'bonus.status.sent', 'bonus.status.shown']);
    expect(selectChecks(rubric, [], []).length).toBe(CHECKS.length);
    // Several globs: a check is selected when any one matches it.
    expect(selectChecks(rubric, ['basic.register.*', 'conv.join'], [])).toEqual(['basic.register.sent', 'basic.register.format', 'conv.join.sent']);
  });
});

describe('seeded names', () => {
  it('gives the same names for the same seed, other names for another', () => {
    const draw = (seed: string) => {
      const n = new Names(new Rng(seed));
      return [n.user(), n.user(), n.conv(), n.conv(), n.text()];
    };
    expect(draw('abc')).toEqual(draw('abc'));
    expect(draw('abc')).not.toEqual(draw('abd'));
  });

  it('draws valid, unique user names and conversation ids, not always numeric', () => {
    const n = new Names(new Rng('x'));
    const users = Array.from({ length: 50 }, () => n.user());
    const convs = Array.from({ length: 50 }, () => n.conv());
    for (const s of [...users, ...convs]) expect(s).toMatch(NAME_RE);
    expect(new Set(users).size).toBe(50);
    expect(convs.some((c) => !/^\d+$/.test(c))).toBe(true);
    expect(convs.some((c) => /^\d+$/.test(c))).toBe(true);
  });
});
