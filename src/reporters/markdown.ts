// Markdown pieces for the reports that are rendered as Markdown (Gradescope's
// "md" output format, GitHub's step summary). Client text only ever goes into
// code spans and fenced blocks, after clean(); prose is backslash-escaped, so
// nothing a client sends can become a link, an image or HTML.

import { clean } from './common.js';

/**
 * Prose with every Markdown-significant ASCII punctuation mark escaped
 * (CommonMark allows escaping any of them). Safe in a table cell too: clean()
 * leaves no line break and pipes are escaped.
 */
export function mdText(text: string): string {
  return clean(text).replace(/[\\`*_{}[\]()<>#+\-.!|~&]/g, (c) => `\\${c}`);
}

/** An identifier such as a check id: written bare when it is plain, else as code. */
export function mdId(id: string): string {
  return /^[A-Za-z0-9][\w.-]*$/.test(id) ? id : mdCode(id);
}

function longestRun(text: string, char: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

/** An inline code span whose fence is longer than any run of backticks inside it. */
export function mdCode(text: string): string {
  const body = clean(text);
  const fence = '`'.repeat(longestRun(body, '`') + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || body === '' ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** A fenced code block; `lines` must already be clean (they are shown verbatim). */
export function mdBlock(lines: readonly string[]): string {
  const fence = '`'.repeat(Math.max(3, ...lines.map((l) => longestRun(l, '`') + 1)));
  return [`${fence}text`, ...lines, fence].join('\n');
}

/** Text inside raw HTML (e.g. a <summary> line), where Markdown escapes do not apply. */
export function htmlText(text: string): string {
  return clean(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
