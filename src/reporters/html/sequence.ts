// A wire transcript as a sequence diagram (inline SVG). layoutSequence() is
// the pure part tests look at: which columns exist and which row goes from
// where to where. Columns: the client, the fake server, then each peer the
// server spoke for, in order of first appearance. A line without `peer` is
// the server's own; with `peer`, the server spoke for that peer (s>c: from
// the peer's column) or the client sent to it (c>s: to the peer's column).

import type { TranscriptLine } from '../../results.js';
import { count, head, html, join, type Html } from './html.js';

/** One column of the diagram. */
export interface Lane {
  label: string;
  kind: 'client' | 'server' | 'peer';
}

/** One row: an arrow between two lanes, a note across all, a new connection, or the screenshot's moment. */
export interface Row {
  kind: 'arrow' | 'note' | 'conn' | 'mark';
  /** Transcript time, ms (absent on 'conn' rows). */
  t?: number;
  /** Lane indexes of an arrow. */
  from?: number;
  to?: number;
  text: string;
  conn?: number;
  /** Inside the check's own span. */
  inSpan: boolean;
}

/** A laid-out diagram: lanes left to right, rows top to bottom. */
export interface Sequence {
  lanes: Lane[];
  rows: Row[];
  /** Transcript lines left out at the start (over MAX_LINES). */
  omitted: number;
}

/** Options for layoutSequence. */
export interface SequenceOptions {
  /** The check's own span on the transcript clock, ms; its rows are highlighted. */
  span?: { from: number; to: number };
  /** Transcript time of the screenshot, drawn as a marked row. */
  mark?: { t: number; text: string };
}

/** Peers beyond this many share one "other peers" column. */
export const MAX_PEER_LANES = 6;
/** Transcript lines drawn at most (the last ones: a verdict is at the end). */
export const MAX_LINES = 400;

/** Columns and rows of a transcript's diagram (the last MAX_LINES lines). */
export function layoutSequence(transcript: readonly TranscriptLine[], opts: SequenceOptions = {}): Sequence {
  const omitted = Math.max(0, transcript.length - MAX_LINES);
  const lines = transcript.slice(omitted);
  const lanes: Lane[] = [{ label: 'client', kind: 'client' }, { label: 'server', kind: 'server' }];
  const peerLane = new Map<string, number>();
  let others: number | undefined;
  const laneOf = (peer: string): number => {
    let i = peerLane.get(peer);
    if (i !== undefined) return i;
    if (peerLane.size < MAX_PEER_LANES) {
      i = lanes.push({ label: peer, kind: 'peer' }) - 1;
    } else {
      others ??= lanes.push({ label: 'other peers', kind: 'peer' }) - 1;
      i = others;
    }
    peerLane.set(peer, i);
    return i;
  };
  const conns = new Set(lines.map((l) => l.conn).filter((c) => c !== undefined));
  const inSpan = (t: number) => opts.span !== undefined && t >= opts.span.from && t <= opts.span.to;
  const rows: Row[] = [];
  let conn: number | undefined;
  let marked = opts.mark === undefined;
  const mark = () => {
    rows.push({ kind: 'mark', t: opts.mark!.t, text: opts.mark!.text, inSpan: inSpan(opts.mark!.t) });
    marked = true;
  };
  for (const l of lines) {
    if (!marked && l.t > opts.mark!.t) mark();
    if (conns.size > 1 && l.conn !== undefined && l.conn !== conn) {
      rows.push({ kind: 'conn', text: `connection ${l.conn}`, conn: l.conn, inSpan: inSpan(l.t) });
      conn = l.conn;
    }
    const base = { t: l.t, text: l.text, inSpan: inSpan(l.t), ...(l.conn === undefined ? {} : { conn: l.conn }) };
    if (l.dir === 'note') {
      rows.push({ kind: 'note', ...base });
      continue;
    }
    const other = l.peer === undefined ? 1 : laneOf(l.peer);
    // A line the server spoke for several peers at once still has one sender.
    if (l.dir === 'c>s') rows.push({ kind: 'arrow', from: 0, to: other, ...base });
    else rows.push({ kind: 'arrow', from: other, to: 0, ...base });
  }
  if (!marked) mark();
  return { lanes, rows, omitted };
}

// ---- Drawing ------------------------------------------------------------

const GUTTER = 78; // time column
const ROW = 22;
const HEADER = 34;
const CHAR = 6.7; // advance of an 11px monospace glyph
const PAD = 14;

// Lanes spread over what fits the report's column (about 880 px between the
// first and the last), as wide as the longest arrow label needs, never closer
// than 150 px; past that the diagram scrolls sideways.
function laneGap(seq: Sequence): number {
  const longest = seq.rows.reduce((m, r) => (r.kind === 'arrow' ? Math.max(m, r.text.length + 4) : m), 0);
  const most = Math.floor(880 / Math.max(1, seq.lanes.length - 1));
  return Math.max(150, Math.min(most, Math.max(190, Math.ceil(longest * CHAR) + 24)));
}

/** Text that fits `px` pixels, cut with its length when it does not. */
function fit(text: string, px: number): string {
  const room = Math.max(4, Math.floor(px / CHAR));
  const { shown, cut } = head(text, room);
  if (!cut) return shown;
  const note = `… (${count(text.length)} chars)`;
  return head(text, Math.max(1, room - note.length)).shown + note;
}

/** Hover text: the whole line up to a cap, with its time. */
function tooltip(r: Row): string {
  const { shown, cut } = head(r.text, 2000);
  return `${r.t === undefined ? '' : `${Math.round(r.t)} ms: `}${shown}${cut ? ` … (${count(r.text.length)} chars)` : ''}`;
}

/** One SVG of `rows` under the lane headers. */
export function sequenceSvg(seq: Sequence, rows: readonly Row[], caption: string): Html {
  const gap = laneGap(seq);
  const x = (lane: number) => GUTTER + PAD + 40 + lane * gap;
  const width = x(seq.lanes.length - 1) + 60 + PAD;
  const height = HEADER + rows.length * ROW + 10;
  const lanes = seq.lanes.map((lane, i) => html`
<g class="lane lane-${lane.kind}"><rect x="${x(i) - 55}" y="4" width="110" height="22" rx="4"/><text x="${x(i)}" y="19" text-anchor="middle">${fit(lane.label, 100)}</text><line x1="${x(i)}" y1="26" x2="${x(i)}" y2="${height - 4}"/></g>`);
  const manyConns = seq.rows.some((o) => o.kind === 'conn');
  const body = rows.map((r, k) => {
    const y = HEADER + k * ROW;
    const mid = y + ROW / 2;
    const band = r.inSpan ? html`<rect class="span" x="0" y="${y}" width="${width}" height="${ROW}"/>` : '';
    const time = r.t === undefined ? '' : html`<text class="time" x="${GUTTER}" y="${mid + 4}" text-anchor="end">${Math.round(r.t)} ms</text>`;
    const title = html`<title>${tooltip(r)}</title>`;
    if (r.kind === 'arrow') {
      const [a, b] = [x(r.from!), x(r.to!)];
      const dirn = Math.sign(b - a) || 1;
      const label = (r.conn !== undefined && manyConns ? `#${r.conn} ` : '') + r.text;
      return html`<g class="row arrow ${r.to === 0 ? 'to-client' : 'from-client'}">${band}${title}${time}<line x1="${a}" y1="${mid + 5}" x2="${b - dirn * 7}" y2="${mid + 5}"/><polygon points="${b},${mid + 5} ${b - dirn * 8},${mid + 1} ${b - dirn * 8},${mid + 9}"/><text x="${(a + b) / 2}" y="${mid + 1}" text-anchor="middle">${fit(label, Math.abs(b - a) - 16)}</text></g>`;
    }
    const [left, right] = [x(0) - 50, x(seq.lanes.length - 1) + 50];
    const cls = r.kind === 'note' ? 'note' : r.kind === 'conn' ? 'conn' : 'mark';
    return html`<g class="row ${cls}">${band}${title}${time}<rect class="box" x="${left}" y="${y + 3}" width="${right - left}" height="${ROW - 6}" rx="3"/><text x="${(left + right) / 2}" y="${mid + 4}" text-anchor="middle">${fit(r.text, right - left - 12)}</text></g>`;
  });
  return html`<svg class="seq" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${caption}"><title>${caption}</title>${lanes}${body}</svg>`;
}

/** Rows shown open before the earlier ones fold away. */
export const OPEN_ROWS = 30;

/**
 * The diagram as page markup: the last OPEN_ROWS rows open, the earlier ones
 * in a <details> (so a long transcript folds without JavaScript).
 */
export function sequenceDiagram(transcript: readonly TranscriptLine[], opts: SequenceOptions = {}): Html {
  const seq = layoutSequence(transcript, opts);
  const fold = seq.rows.length > OPEN_ROWS + 10 ? seq.rows.length - OPEN_ROWS : 0;
  const parts: Html[] = [];
  if (seq.omitted > 0) parts.push(html`<p class="omitted">${count(seq.omitted)} earlier lines are not drawn (see the wire as text and report.json).</p>`);
  if (fold > 0) {
    parts.push(html`<details class="fold"><summary>${fold} earlier rows</summary><div class="scroll">${sequenceSvg(seq, seq.rows.slice(0, fold), 'earlier wire lines')}</div></details>`);
  }
  parts.push(html`<div class="scroll">${sequenceSvg(seq, seq.rows.slice(fold), 'wire lines up to the verdict')}</div>`);
  return join(parts, '\n');
}
