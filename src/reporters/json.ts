// report.json: the GradeResult itself, pretty-printed with keys in a fixed
// order (schemaVersion first) so two reports diff line by line. The schema
// is documented in docs/report-schema.md.

import { byCode, type CheckResult, type GradeResult } from '../results.js';
import { reviewChecks } from './common.js';

/** Key order for one kind of object; `children` gives the order of nested ones. */
interface Shape {
  keys: readonly string[];
  children?: Readonly<Record<string, Shape>>;
}

const ERROR: Shape = { keys: ['code', 'message'] };

// Declaration order of src/results.ts. A key not listed here (an additive
// field) still appears, after the listed ones, in alphabetical order.
const RESULT: Shape = {
  keys: ['schemaVersion', 'grader', 'rubric', 'submission', 'seed', 'startedAt', 'durationMs',
    'environment', 'score', 'checks', 'errors', 'logs', 'warnings', 'problems', 'needsReview'],
  children: {
    grader: { keys: ['name', 'version'] },
    rubric: { keys: ['pack', 'title', 'areas', 'lines', 'checks'] },
    submission: { keys: ['dir', 'name', 'folder'] },
    environment: { keys: ['node', 'python', 'tk', 'display', 'platform', 'sandbox', 'probe'] },
    score: {
      keys: ['points', 'max', 'bonus', 'bonusMax', 'lines', 'unmeasured'],
      children: { lines: { keys: ['id', 'title', 'area', 'bonus', 'points', 'max'] } },
    },
    checks: {
      keys: ['id', 'line', 'area', 'title', 'points', 'max', 'status', 'requirement',
        'expected', 'actual', 'review', 'nonStrict', 'transcript', 'error', 'seen', 'screenshot', 'scenario', 'durationMs'],
      children: { transcript: { keys: ['t', 'dir', 'text', 'peer', 'conn'] }, error: ERROR, screenshot: { keys: ['png', 'width', 'height', 't'] } },
    },
    errors: ERROR,
    problems: { keys: ['code', 'message', 'fix', 'checks'] },
    logs: { keys: ['scenario', 'stderr', 'truncated'] },
  },
};

function ordered(value: unknown, shape: Shape | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => ordered(v, shape));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const known = shape?.keys ?? [];
  const rest = Object.keys(obj).filter((k) => !known.includes(k)).sort();
  const out: Record<string, unknown> = {};
  for (const k of [...known.filter((k) => k in obj), ...rest]) {
    out[k] = ordered(obj[k], shape?.children?.[k]);
  }
  return out;
}

const byId = (a: CheckResult, b: CheckResult) => byCode(a.id, b.id);

/**
 * The result with keys in schema order and checks sorted by id, as results.ts
 * promises, and `needsReview`: the ids of the lost checks flagged for review
 * (derived from the checks, present when there is one).
 */
export function canonicalResult(result: GradeResult): GradeResult & { needsReview?: string[] } {
  const { needsReview: _, ...rest } = result as GradeResult & { needsReview?: string[] };
  const review = reviewChecks(result).map((c) => c.id).sort(byCode);
  const sorted = {
    ...rest,
    checks: [...result.checks].sort(byId),
    score: { ...result.score, unmeasured: [...result.score.unmeasured].sort() },
    ...(review.length > 0 ? { needsReview: review } : {}),
  };
  return ordered(sorted, RESULT) as GradeResult;
}

/** report.json: two-space indentation, trailing newline. */
export function renderJson(result: GradeResult): string {
  return `${JSON.stringify(canonicalResult(result), null, 2)}\n`;
}
