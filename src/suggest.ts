// "Did you mean": the closest known name to one that is not known (a
// reporter, a check id or glob, a config key), by edit distance (leven).

import leven from 'leven';

/** The known name closest to `word`, when it is close enough to be a typo (a third of its length, at least 2 edits). */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let distance = Infinity;
  for (const k of known) {
    const d = leven(word.toLowerCase(), k.toLowerCase());
    if (d < distance) [best, distance] = [k, d];
  }
  return best !== undefined && distance > 0 && distance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** ` (did you mean "x"?)`, or '' when nothing known is close. */
export function didYouMean(word: string, known: readonly string[]): string {
  const hit = closest(word, known);
  return hit === undefined ? '' : ` (did you mean "${hit}"?)`;
}
