// Terminal layout measured in columns, not UTF-16 units: a CJK character or an
// emoji takes two columns, a combining mark none. string-width measures,
// wrap-ansi wraps and cli-truncate cuts, all three aware of our own ANSI styles.

import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';

/** Columns a string takes on a terminal (ANSI styles take none). */
export function width(text: string): number {
  return stringWidth(text);
}

/** Pad with spaces to `columns` on the right (no-op when already wider). */
export function padEnd(text: string, columns: number): string {
  return text + ' '.repeat(Math.max(0, columns - width(text)));
}

/** Pad with spaces to `columns` on the left. */
export function padStart(text: string, columns: number): string {
  return ' '.repeat(Math.max(0, columns - width(text))) + text;
}

/** Left text, then right text flush with `columns`, at least two spaces apart. */
export function row(columns: number, left: string, right: string): string {
  const gap = Math.max(2, columns - width(left) - width(right));
  return `${left}${' '.repeat(gap)}${right}`;
}

/** Cut to `columns`, ending with "…" when something was cut. */
export function truncate(text: string, columns: number): string {
  // cli-truncate returns a text that fits as it is.
  return cliTruncate(text, Math.max(1, columns));
}

/** Prose wrapped at spaces; a word longer than a line is broken at the column. */
export function wrapWords(text: string, columns: number): string[] {
  return wrapAnsi(text, Math.max(1, columns), { hard: true }).split('\n');
}

/**
 * A value wrapped at spaces where it can (at the column only inside a word
 * longer than a line), keeping every space: they are evidence, so the rows
 * joined are the value again.
 */
export function wrapChars(text: string, columns: number): string[] {
  return wrapAnsi(text, Math.max(1, columns), { hard: true, trim: false }).split('\n');
}
