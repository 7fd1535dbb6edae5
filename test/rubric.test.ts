// The rubric as data: a check's line comes from its id, the table is checked
// when built, and score() is a pure function of outcomes and weights.
import { beforeEach, describe, expect, it } from 'vitest';
import { areaOf, defaultWeights, defineRubric, score, type Rubric } from '../src/rubric.js';
import { fakeTable } from './helpers/fake-table.js';

const areas = [{ id: 'a', title: 'A', bonus: false }];
/** Built inside each test, not at import: a broken defineRubric fails tests instead of the file's loading. */
let fakeRubric: Rubric;
beforeEach(() => {
  fakeRubric = defineRubric(fakeTable);
});

describe('defineRubric', () => {
  it('puts each check on the line its id names, two parts deep unless told', () => {
    expect(fakeRubric.checks.map((c) => c.line)).toEqual(['core.one', 'core.one', 'core.two', 'extra.three']);
    const r = defineRubric({ areas, lines: [{ id: 'a.x', area: 'a', title: 'X' }], checks: [{ id: 'a.x.one', points: 1, requirement: 'r', observed: 'wire' }] });
    expect(r.checks).toEqual([{ id: 'a.x.one', line: 'a.x', points: 1, requirement: 'r', observed: 'wire' }]);
    const deep = defineRubric({ areas, lines: [{ id: 'a.x.y', area: 'a', title: 'Y' }], checks: [{ id: 'a.x.y.z', points: 2, requirement: 'r', observed: 'gui' }], lineDepth: 3 });
    expect(deep.checks[0]!.line).toBe('a.x.y');
    expect(deep.areas).toEqual(areas);
    expect(deep.lines).toEqual([{ id: 'a.x.y', area: 'a', title: 'Y' }]);
  });

  it('refuses a check on an unknown line and a line in an unknown area', () => {
    expect(() => defineRubric({ areas, lines: [{ id: 'a.x', area: 'a', title: 'X' }], checks: [{ id: 'a.y.one', points: 1, requirement: 'r', observed: 'wire' }] })).toThrow('rubric: check a.y.one is on unknown line a.y');
    expect(() => defineRubric({ areas, lines: [{ id: 'b.x', area: 'b', title: 'X' }], checks: [] })).toThrow('rubric: line b.x is in unknown area b');
    // Every line and area is looked up, not only the first.
    const two = { areas: [...areas, { id: 'b', title: 'B', bonus: true }], lines: [{ id: 'a.x', area: 'a', title: 'X' }, { id: 'b.y', area: 'b', title: 'Y' }] };
    expect(defineRubric({ ...two, checks: [{ id: 'b.y.one', points: 1, requirement: 'r', observed: 'wire' }] }).checks[0]!.line).toBe('b.y');
  });
});

describe('areaOf and defaultWeights', () => {
  it('finds a check\'s area through its line', () => {
    expect(areaOf(fakeRubric, fakeRubric.checks[3]!)).toEqual({ id: 'extra', title: 'Extra', bonus: true });
    expect(areaOf(fakeRubric, fakeRubric.checks[0]!).id).toBe('core');
    expect(() => areaOf(fakeRubric, { id: 'z.z.z', line: 'z.z', points: 1, requirement: '', observed: 'wire' })).toThrow('rubric: check z.z.z has no area');
  });

  it('weights every check by its own points by default', () => {
    expect(defaultWeights(fakeRubric)).toEqual({ 'core.one.a': 6, 'core.one.b': 4, 'core.two.a': 10, 'extra.three.a': 5 });
  });
});

describe('score', () => {
  it('counts passed checks, keeps bonus apart, lists errors as unmeasured, sorted', () => {
    const s = score(fakeRubric, { 'core.two.a': 'error', 'core.one.a': 'passed', 'core.one.b': 'error', 'extra.three.a': 'passed' });
    expect(s).toEqual({
      points: 6,
      max: 20,
      bonus: 5,
      bonusMax: 5,
      lines: [
        { id: 'core.one', title: 'First line', area: 'core', bonus: false, points: 6, max: 10 },
        { id: 'core.two', title: 'Second line', area: 'core', bonus: false, points: 0, max: 10 },
        { id: 'extra.three', title: 'Bonus line', area: 'extra', bonus: true, points: 5, max: 5 },
      ],
      unmeasured: ['core.one.b', 'core.two.a'],
    });
  });

  it('leaves skipped and absent checks out of both points and maximum, and uses the weights given', () => {
    const s = score(fakeRubric, { 'core.one.a': 'passed', 'core.one.b': 'skipped', 'core.two.a': 'failed' }, { 'core.one.a': 2.5, 'core.two.a': 1 });
    expect([s.points, s.max, s.bonus, s.bonusMax]).toEqual([2.5, 3.5, 0, 0]);
    expect(s.lines.map((l) => [l.id, l.points, l.max])).toEqual([
      ['core.one', 2.5, 2.5],
      ['core.two', 0, 1],
      ['extra.three', 0, 0],
    ]);
    expect(s.unmeasured).toEqual([]);
    // A check the weights do not name keeps its own points.
    expect(score(fakeRubric, { 'core.one.b': 'passed' }, {}).points).toBe(4);
  });
});
