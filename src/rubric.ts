// A rubric as data (areas, lines, checks with points) and score(): a pure
// function from check outcomes to points. Each assignment pack brings its own
// table (src/packs/<pack>/rubric.ts); a course config may re-weight checks
// (see config.ts); code never changes points.

/** A rubric area, e.g. "Basic protocol functionality (30)". */
export interface Area {
  id: string;
  title: string;
  bonus: boolean;
}

/** One line of the course's table; its checks' points add up to its points. */
export interface Line {
  id: string;
  area: string;
  title: string;
}

/** The smallest graded unit, with a stable dotted id. */
export interface Check {
  id: string;
  line: string;
  points: number;
  /** The rubric's own sentence; printed when the check fails. */
  requirement: string;
  /** How the grader observes it: on the wire, in the GUI, statically, or from the process. */
  observed: 'wire' | 'gui' | 'static' | 'process';
}

/** A whole point table. Order is the order a student reads it in. */
export interface Rubric {
  areas: readonly Area[];
  lines: readonly Line[];
  checks: readonly Check[];
}

/**
 * Build a rubric from its table. A check's line is the first `lineDepth`
 * parts of its id (`basic.register.sent` is on line `basic.register`), so a
 * check can never sit on a line its id does not name.
 */
export function defineRubric(table: {
  areas: readonly Area[];
  lines: readonly Line[];
  checks: readonly Omit<Check, 'line'>[];
  lineDepth?: number;
}): Rubric {
  const depth = table.lineDepth ?? 2;
  const checks = table.checks.map((c) => ({ ...c, line: c.id.split('.').slice(0, depth).join('.') }));
  for (const c of checks) {
    if (!table.lines.some((l) => l.id === c.line)) throw new Error(`rubric: check ${c.id} is on unknown line ${c.line}`);
  }
  for (const l of table.lines) {
    if (!table.areas.some((a) => a.id === l.area)) throw new Error(`rubric: line ${l.id} is in unknown area ${l.area}`);
  }
  return { areas: table.areas, lines: table.lines, checks };
}

/** Points per check id, after a course's re-weighting. */
export type Weights = Readonly<Record<string, number>>;

/** The default weights: the rubric's own split. */
export function defaultWeights(rubric: Rubric): Record<string, number> {
  return Object.fromEntries(rubric.checks.map((c) => [c.id, c.points]));
}

/** The area a check belongs to. */
export function areaOf(rubric: Rubric, check: Check): Area {
  const line = rubric.lines.find((l) => l.id === check.line);
  const area = rubric.areas.find((a) => a.id === line?.area);
  if (!area) throw new Error(`rubric: check ${check.id} has no area`);
  return area;
}

/** Status of a check as far as scoring cares. */
export type Outcome = 'passed' | 'failed' | 'error' | 'skipped';

/** Points earned and available, per line and in total. */
export interface Score {
  points: number;
  max: number;
  bonus: number;
  bonusMax: number;
  lines: { id: string; title: string; area: string; bonus: boolean; points: number; max: number }[];
  /** Checks that could not be measured (harness errors); their points are neither given nor taken. */
  unmeasured: string[];
}

/**
 * Score outcomes by check id. Only 'passed' earns points. A check with an
 * 'error' outcome is listed in `unmeasured` so the caller can refuse to
 * publish a grade rather than turn a harness fault into lost points.
 * Skipped (deselected) checks count neither for nor against.
 */
export function score(rubric: Rubric, outcomes: Readonly<Record<string, Outcome>>, weights: Weights = defaultWeights(rubric)): Score {
  const lines = rubric.lines.map((line) => {
    const area = rubric.areas.find((a) => a.id === line.area)!;
    let points = 0;
    let max = 0;
    for (const check of rubric.checks.filter((c) => c.line === line.id)) {
      const outcome = outcomes[check.id];
      if (outcome === undefined || outcome === 'skipped') continue;
      const w = weights[check.id] ?? check.points;
      max += w;
      if (outcome === 'passed') points += w;
    }
    return { id: line.id, title: line.title, area: line.area, bonus: area.bonus, points, max };
  });
  const sum = (xs: typeof lines, key: 'points' | 'max') => xs.reduce((n, l) => n + l[key], 0);
  const core = lines.filter((l) => !l.bonus);
  const bonus = lines.filter((l) => l.bonus);
  return {
    points: sum(core, 'points'),
    max: sum(core, 'max'),
    bonus: sum(bonus, 'points'),
    bonusMax: sum(bonus, 'max'),
    lines,
    unmeasured: Object.keys(outcomes).filter((id) => outcomes[id] === 'error').sort(),
  };
}
