// "What the grader understood": any JSON-able value as nested key/value
// lists. Generic on purpose: the shape belongs to the pack's UI model (users,
// conversations, dialogs...), which the core does not know. Everything is
// capped: depth, items per list, characters per string.

import { cut, html, type Html } from './html.js';

const MAX_DEPTH = 6;
const MAX_ITEMS = 100;
const MAX_STRING = 500;

function scalar(v: unknown): Html | undefined {
  if (v === null || v === undefined) return html`<span class="v-null">none</span>`;
  if (typeof v === 'boolean') return html`<span class="v-bool">${v ? 'yes' : 'no'}</span>`;
  if (typeof v === 'number' || typeof v === 'bigint') return html`<span class="v-num">${String(v)}</span>`;
  if (typeof v === 'string') {
    return v === '' ? html`<span class="v-null">(empty)</span>` : html`<span class="v-str">${cut(v, MAX_STRING)}</span>`;
  }
  if (typeof v !== 'object') return html`<span class="v-null">${typeof v}</span>`;
  return undefined;
}

function more(n: number): Html | '' {
  return n > 0 ? html`<li class="more">… ${n} more</li>` : '';
}

/** A value as markup. */
export function seenValue(v: unknown, depth = 0): Html {
  const s = scalar(v);
  if (s) return s;
  if (depth >= MAX_DEPTH) return html`<span class="v-null">…</span>`;
  if (Array.isArray(v)) {
    if (v.length === 0) return html`<span class="v-null">(none)</span>`;
    const items = v.slice(0, MAX_ITEMS);
    const list = items.map((x) => html`<li>${seenValue(x, depth + 1)}</li>`);
    // Single words (user names) read best on one line; sentences one per line.
    const words = items.every((x) => scalar(x) !== undefined && !/\s/.test(String(x))) && items.join(', ').length <= 120;
    if (words) return html`<ul class="flat">${list}${more(v.length - items.length)}</ul>`;
    return html`<ol class="nested">${list}${more(v.length - items.length)}</ol>`;
  }
  // scalar() took null and every non-object, the branch above arrays: a record is left.
  const rec = v as Record<string, unknown>;
  const keys = Object.keys(rec);
  if (keys.length === 0) return html`<span class="v-null">(empty)</span>`;
  const shown = keys.slice(0, MAX_ITEMS);
  // A small record of scalars (a window's title and geometry) fits on one line.
  const compact = shown.length <= 8 && shown.every((k) => scalar(rec[k]) !== undefined && String(rec[k]).length <= 40);
  return html`<dl class="kv${compact ? ' compact' : ''}">${shown.map((k) => html`<dt>${k.slice(0, 80)}</dt><dd>${seenValue(rec[k], depth + 1)}</dd>`)}${
    keys.length > shown.length ? html`<dt class="more">… ${keys.length - shown.length} more</dt>` : ''
  }</dl>`;
}
