// Which checks a grading runs: `--only` / `--exclude` id globs over a rubric.
// Pure, so it is unit- and mutation-tested on its own.

import type { Rubric } from './rubric.js';

/** Glob over dotted ids: `*` matches any run of characters; a bare prefix selects everything under it. */
export function matchGlob(glob: string, id: string): boolean {
  const re = new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(id) || id.startsWith(`${glob}.`);
}

/** Check ids selected by --only / --exclude globs, in rubric order. */
export function selectChecks(rubric: Rubric, only: readonly string[], exclude: readonly string[]): string[] {
  return rubric.checks.map((c) => c.id).filter((id) => (only.length === 0 || only.some((g) => matchGlob(g, id))) && !exclude.some((g) => matchGlob(g, id)));
}
