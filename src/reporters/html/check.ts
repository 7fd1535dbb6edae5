// One check in the HTML report: its verdict with requirement, Expected and
// Actual; for a lost check also the wire as a sequence diagram, the client's
// windows at the verdict and what the grader understood of them.

import type { CheckResult, GradeResult, Screenshot, TranscriptLine } from '../../results.js';
import { pts, reproduceCommand, rubricNumber, shellQuote } from '../common.js';
import { anchor, count, cut, html, raw, type Html } from './html.js';
import { seenValue } from './seen.js';
import { sequenceDiagram, type SequenceOptions } from './sequence.js';

/** How a check is shown: its status, with a pass that needed tolerances apart. */
export type Verdict = 'passed' | 'nonstrict' | 'failed' | 'error' | 'skipped';

export function verdictOf(c: CheckResult): Verdict {
  return c.status === 'passed' && (c.nonStrict?.length ?? 0) > 0 ? 'nonstrict' : c.status;
}

export const VERDICT_LABEL: Record<Verdict, string> = {
  passed: 'PASS', nonstrict: 'NON-STRICT', failed: 'FAIL', error: 'NOT MEASURED', skipped: 'SKIPPED',
};
export const VERDICT_SYMBOL: Record<Verdict, string> = {
  passed: '✓', nonstrict: '≈', failed: '✗', error: '!', skipped: '–',
};

export function badge(v: Verdict): Html {
  return html`<span class="badge s-${v}">${VERDICT_LABEL[v]}</span>`;
}

/** The command that re-runs only this check with the same seed. */
export function replayCommand(result: GradeResult, checkId: string): string {
  return `${reproduceCommand(result.submission.dir, result.seed)} --only ${shellQuote(checkId)}`;
}

/**
 * The check's own stretch of the transcript: the `durationMs` before its
 * verdict (the screenshot's time, else the last line). The runner records
 * no start time on the transcript clock, so this is measured back from the end.
 */
export function checkSpan(c: CheckResult): SequenceOptions['span'] {
  const lines = c.transcript ?? [];
  if (lines.length === 0) return undefined;
  const end = c.screenshot?.t ?? lines.reduce((m, l) => Math.max(m, l.t), -Infinity);
  return { from: end - c.durationMs, to: end };
}

const PNG_BASE64 = /^iVBORw0KGgo[A-Za-z0-9+/]*={0,2}$/; // "\x89PNG\r\n\x1a\n", then base64 only

function screenshotFigure(shot: Screenshot): Html {
  const ok = typeof shot.png === 'string' && PNG_BASE64.test(shot.png)
    && Number.isInteger(shot.width) && Number.isInteger(shot.height) && shot.width > 0 && shot.height > 0;
  if (!ok) return html`<figure><figcaption>The screenshot could not be shown (not a PNG).</figcaption></figure>`;
  // Checked above to be base64 only, so raw() is safe (and it is far over MAX_TEXT).
  const when = Number.isFinite(shot.t) ? `${Math.round(shot.t)} ms` : 'the verdict';
  return html`<figure><img src="data:image/png;base64,${raw(shot.png)}" width="${shot.width}" height="${shot.height}" alt="The client's windows at ${when}"><figcaption>The client's windows at ${when} (${shot.width}×${shot.height} px)</figcaption></figure>`;
}

function route(l: TranscriptLine): string {
  if (l.dir === 'note') return 'note';
  const other = l.peer ?? 'server';
  return l.dir === 'c>s' ? `client → ${other}` : `${other} → client`;
}

/** The transcript as a plain table: every line, cut at 2000 characters with its length. */
function wireTable(lines: readonly TranscriptLine[], span: SequenceOptions['span']): Html {
  const shown = lines.slice(-1000);
  const inSpan = (t: number) => span !== undefined && t >= span.from && t <= span.to;
  const rows = shown.map((l) => html`<tr${inSpan(l.t) ? html` class="in-span"` : ''}><td class="t">${Math.round(l.t)} ms</td><td>${l.conn === undefined ? '' : `#${l.conn}`}</td><td>${route(l)}</td><td>${cut(l.text, 2000)}</td></tr>`);
  const dropped = lines.length - shown.length;
  return html`<details><summary>Wire as text (${count(lines.length)} lines)</summary>${
    dropped > 0 ? html`<p class="muted">The first ${count(dropped)} lines are in report.json.</p>` : ''
  }<table class="wire"><tbody>${rows}</tbody></table></details>`;
}

function evidence(c: CheckResult): Html {
  const row = (label: string, value: string | undefined, cls = '') =>
    value === undefined ? '' : html`<dt>${label}</dt><dd${cls ? html` class="${cls}"` : ''}>${value}</dd>`;
  return html`<dl class="evidence">${row('Requirement', c.requirement)}${row('Expected', c.expected, 'value')}${row('Actual', c.actual, 'value')}${
    (c.nonStrict ?? []).map((n) => row('Tolerated', n))
  }${c.error ? row('Harness error', `${c.error.message} [${c.error.code}]`) : ''}${
    c.status === 'failed' && c.review !== undefined ? row('To review', `the grader may be wrong here: ${c.review}`, 'review') : ''
  }${row('Scenario', `${c.scenario}, ${c.durationMs} ms`)}</dl>`;
}

/** The full section for a lost (or unmeasured) check. */
export function checkDetail(c: CheckResult, result: GradeResult): Html {
  const v = verdictOf(c);
  const num = rubricNumber(result.rubric, c.id);
  const lost = v === 'failed' ? html`<span class="muted">lost ${pts(c.max)}</span>` : html`<span class="muted">not counted (${pts(c.max)})</span>`;
  const lines = c.transcript ?? [];
  const span = checkSpan(c);
  const wire = lines.length === 0
    ? html`<p class="muted">No wire lines were recorded for this check.</p>`
    : html`<h4>On the wire</h4><p class="muted">Highlighted: this check's own ${c.durationMs} ms up to the verdict. Hover a row for the whole line.</p>${
      sequenceDiagram(lines, { span, ...(c.screenshot ? { mark: { t: c.screenshot.t, text: 'screenshot taken' } } : {}) })
    }${wireTable(lines, span)}`;
  const gui = c.screenshot || c.seen
    ? html`<div class="gui">${c.screenshot ? screenshotFigure(c.screenshot) : ''}${
      c.seen ? html`<div class="seen"><h4>What the grader understood</h4>${seenValue(c.seen)}</div>` : ''
    }</div>`
    : '';
  return html`<section class="check ${v}" id="${anchor(c.id)}">
<h3>${badge(v)}${v === 'failed' && c.review !== undefined ? html` <span class="badge review" title="the grader could not recognise part of the GUI: a person should look">REVIEW</span>` : ''} <code>${c.id}</code>${num ? html` <span class="muted">${num}</span>` : ''} ${c.title !== c.requirement ? c.title : ''} ${lost}</h3>
${evidence(c)}
<div class="replay"><span class="muted">Replay this check:</span><code class="copy">${replayCommand(result, c.id)}</code></div>
${v === 'failed' ? wire : ''}
${gui}
</section>`;
}
