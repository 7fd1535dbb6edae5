// The few lines of XML writing junit.xml needs. We write it ourselves rather
// than through a builder: the document is small and fixed, and owning the
// escaping is the point. Text is always escaped as character data (never
// CDATA, whose "]]>" cannot be escaped inside it), and anything XML 1.0 forbids is
// written as a visible escape instead of making the file unreadable.

import { hexEscape } from './common.js';

/** An element: a name, attributes in the given order, and children (text or elements). */
export interface XmlElement {
  name: string;
  attrs?: Readonly<Record<string, string | number | undefined>>;
  children?: readonly (XmlElement | string)[];
}

// Characters outside XML 1.0's Char production (C0 controls other than tab,
// line feed and carriage return; lone surrogates; U+FFFE and U+FFFF).
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Character data: `&` and `<` escaped, and the `>` of every "]]>" (the one sequence text may not hold). */
export function escapeText(text: string): string {
  return text.replace(FORBIDDEN, hexEscape).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/]]>/g, ']]&gt;');
}

/** An attribute value in double quotes; whitespace kept as character references so parsers do not fold it. */
export function escapeAttr(text: string): string {
  return escapeText(text)
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

function attrs(el: XmlElement): string {
  return Object.entries(el.attrs ?? {})
    .filter((kv): kv is [string, string | number] => kv[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttr(String(v))}"`)
    .join('');
}

function write(el: XmlElement, indent: string, out: string[]): void {
  const open = `${indent}<${el.name}${attrs(el)}`;
  const children = el.children ?? [];
  if (children.length === 0) {
    out.push(`${open}/>`);
  } else if (children.every((c) => typeof c === 'string')) {
    // Text content is written as is: indenting it would change it.
    out.push(`${open}>${children.map((c) => escapeText(c as string)).join('')}</${el.name}>`);
  } else {
    out.push(`${open}>`);
    for (const c of children) {
      if (typeof c === 'string') out.push(escapeText(c));
      else write(c, `${indent}  `, out);
    }
    out.push(`${indent}</${el.name}>`);
  }
}

/** A whole document: declaration, the root element indented by two spaces, final newline. */
export function xmlDocument(root: XmlElement): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  write(root, '', out);
  return `${out.join('\n')}\n`;
}
