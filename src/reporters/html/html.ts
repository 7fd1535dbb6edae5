// Safe HTML by construction. Every string interpolated into an html`...`
// template is escaped; only Html values (built by html`` or raw() on our own
// constants) pass through. Client text goes through visible() on the way:
// control characters, bidi overrides and other invisible characters become
// printed escapes, and anything longer than MAX_TEXT is cut with its length.

import { clean, head as firstUnits, hexEscape } from '../common.js';

/** A fragment of markup that is already safe to emit. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What an html`` template accepts: markup, text to escape, numbers, lists, or nothing. */
export type Part = Html | string | number | undefined | null | false | readonly Part[];

/** Longest text shown whole anywhere in a report; a 10 kB wire line is evidence, not content. */
export const MAX_TEXT = 4000;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape the five characters that matter in text and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

// Characters that change how the text around them reads without being seen:
// bidi embeddings and isolates, zero-width marks, line/paragraph separators, BOM.
// (clean() has already escaped controls, lone surrogates and the bidi overrides.)
const INVISIBLE = /[\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/g;

/** Client text made visible: control, invisible and lone surrogate characters as escapes. */
export function visible(text: string): string {
  return clean(text)
    .replace(INVISIBLE, hexEscape); // all above U+00FF: \u escapes
}

/** `n` with thin-space thousands, e.g. "10 240". */
export function count(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
}

/** The first `max` characters of `text` (after visible()), never splitting a surrogate pair. */
export function head(text: string, max: number): { shown: string; cut: boolean } {
  const v = visible(text);
  return v.length <= max ? { shown: v, cut: false } : { shown: firstUnits(v, max), cut: true };
}

/** Client text cut to `max` visible characters, with the original length shown when cut. */
export function cut(text: string, max: number = MAX_TEXT): Html {
  const { shown, cut: wasCut } = head(text, max);
  if (!wasCut) return new Html(escapeHtml(shown));
  return new Html(`${escapeHtml(shown)}<span class="cut">… (${count(text.length)} chars)</span>`);
}

function emit(part: Part): string {
  if (part === undefined || part === null || part === false) return '';
  if (part instanceof Html) return part.value;
  if (typeof part === 'number') return escapeHtml(String(part));
  if (typeof part === 'string') return cut(part).value;
  return part.map(emit).join('');
}

/** Template tag: markup from our literals, every interpolated string escaped and capped. */
export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < parts.length; i++) out += emit(parts[i]) + strings[i + 1]!;
  return new Html(out);
}

/** Our own constant markup (CSS, script, symbols). Never pass client text here. */
export function raw(markup: string): Html {
  return new Html(markup);
}

/** Join fragments with a separator of our own. */
export function join(parts: readonly Part[], separator: string): Html {
  return new Html(parts.map(emit).filter((s) => s !== '').join(separator));
}

/** An id usable in id="" and href="#..." for a check id (ids are dotted words; anything else is encoded). */
export function anchor(checkId: string): string {
  return `check-${encodeURIComponent(checkId)}`;
}
