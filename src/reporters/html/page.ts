// The page shell shared by report.html and index.html: one file, inline
// style and script, and a Content-Security-Policy that allows exactly those
// (by hash) and images from data: URLs. So the page never touches the
// network, and even a hostile string that escaped our escaping could not run.

import { createHash } from 'node:crypto';
import { html, raw, type Html } from './html.js';
import { SCRIPT, STYLE } from './assets.js';

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** A whole HTML document around `body`. */
export function page(title: string, body: Html): string {
  const csp = [
    "default-src 'none'",
    "img-src data:",
    `style-src ${hash(STYLE)}`,
    `script-src ${hash(SCRIPT)}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${raw(STYLE)}</style>
</head>
<body>
${body}
<script>${raw(SCRIPT)}</script>
</body>
</html>
`.value;
}
