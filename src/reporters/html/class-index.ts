// index.html for a class: a matrix of submissions × checks, one coloured cell
// each linking to the check in that submission's report.html (Autobahn
// Testsuite's multi-agent index is the model), sortable by total; a
// histogram of totals; the checks most often lost. Pure: the caller passes
// the results and the folder each report.html lives in.

import { byCode, type GradeResult } from '../../results.js';
import { areaTitle, byRubricOrder, distinctNames, pts, reviewChecks } from '../common.js';
import { VERDICT_LABEL, VERDICT_SYMBOL, verdictOf } from './check.js';
import { anchor, html, type Html } from './html.js';
import { page } from './page.js';

/** One submission on the index: its result and the folder (relative to index.html) holding its report.html. */
export interface ClassEntry {
  result: GradeResult;
  folder: string;
}

/** Options for renderClassIndex. */
export interface ClassIndexOptions {
  /** Page heading; default "<rubric title>: N submissions". */
  title?: string;
  /** Rows in "most often lost" (default 15). */
  mostLost?: number;
  /** Bars in the histogram (default 10). */
  bins?: number;
  /** Submissions of the class that have no result (grading was stopped before them): listed, marked "not graded". */
  notGraded?: readonly { dir: string; name: string }[];
}

/** A relative link to `folder/report.html`, each path segment URL-encoded. */
export function reportHref(folder: string, checkId?: string): string {
  const path = folder.split(/[\\/]/).filter((s) => s !== '' && s !== '.').map(encodeURIComponent).join('/');
  return `${path ? `${path}/` : ''}report.html${checkId ? `#${anchor(checkId)}` : ''}`;
}

interface Column {
  id: string;
  title: string;
  area: string;
}

/** Every check id of every result, in rubric order of the first result that knows it. */
function columns(entries: readonly ClassEntry[]): Column[] {
  const seen = new Map<string, Column>();
  for (const { result } of entries) {
    for (const c of [...result.checks].sort(byRubricOrder(result.rubric))) {
      if (!seen.has(c.id)) seen.set(c.id, { id: c.id, title: c.requirement, area: areaTitle(result.rubric, c.area) });
    }
  }
  return [...seen.values()];
}

const incomplete = (r: GradeResult) => r.errors.length > 0 || r.checks.some((c) => c.status === 'error');

function matrix(entries: readonly ClassEntry[], cols: Column[], notGraded: readonly { dir: string; name: string }[]): Html {
  const labels = distinctNames(entries.map((e) => e.result));
  const rows = [...entries].sort((a, b) =>
    b.result.score.points - a.result.score.points || b.result.score.bonus - a.result.score.bonus ||
    byCode(a.result.submission.name, b.result.submission.name));
  const body = rows.map(({ result: r, folder }) => {
    const byId = new Map(r.checks.map((c) => [c.id, c]));
    const cells = cols.map((col) => {
      const c = byId.get(col.id);
      if (!c) return html`<td class="s-none" title="${col.id}: not in this result"></td>`;
      const v = verdictOf(c);
      const what = v === 'failed' ? `lost ${pts(c.max)}` : v === 'error' ? c.error?.code ?? 'not measured' : VERDICT_LABEL[v];
      const review = v === 'failed' && c.review !== undefined;
      return html`<td class="s-${v}${review ? ' review' : ''}"><a href="${reportHref(folder, c.id)}" title="${r.submission.name} · ${c.id}: ${what}${review ? ' (to review: the grader could not recognise part of the GUI)' : ''}">${VERDICT_SYMBOL[v]}${review ? '?' : ''}</a></td>`;
    });
    const total = r.score.points + r.score.bonus;
    return html`<tr data-name="${r.submission.name.toLowerCase()}" data-total="${r.score.points}" data-bonus="${r.score.bonus}" data-sum="${total}">
<td class="name"><a href="${reportHref(folder)}">${labels.get(r) ?? r.submission.name}</a>${incomplete(r) ? html` <span class="badge s-error" title="some checks could not be measured">incomplete</span>` : ''}${
      reviewChecks(r).length > 0 ? html` <span class="badge review" title="lost checks that rest on what the grader could not recognise: a person should look">review ${reviewChecks(r).length}</span>` : ''
    }${(r.problems ?? []).map((p) => html` <span class="badge s-failed" title="${p.message}">does not start</span>`)}</td><td class="num">${r.score.points}/${r.score.max}</td><td class="num">${r.score.bonus}/${r.score.bonusMax}</td>${cells}</tr>`;
  });
  const pending = notGraded.map((n) => html`<tr class="not-graded" data-name="${n.name.toLowerCase()}" data-total="-1" data-bonus="-1" data-sum="-1"><td class="name" title="${n.dir}">${n.name} <span class="badge s-skipped">not graded</span></td><td class="num"></td><td class="num"></td>${cols.map(() => html`<td class="s-none"></td>`)}</tr>`);
  const heads = cols.map((c) => html`<th class="check" title="${c.id}: ${c.title}" scope="col">${c.id}</th>`);
  // One heading per run of columns from the same area.
  const areas: { title: string; span: number }[] = [];
  for (const c of cols) {
    const last = areas[areas.length - 1];
    if (last?.title === c.area) last.span++;
    else areas.push({ title: c.area, span: 1 });
  }
  const areaRow = html`<tr><th colspan="3"></th>${areas.map((a) => html`<th class="area" colspan="${a.span}" title="${a.title}">${a.title}</th>`)}</tr>`;
  return html`<div class="scroll"><table class="matrix"><thead>${areaRow}<tr><th data-sort="name" scope="col">Submission</th><th data-sort="total" scope="col">Total</th><th data-sort="bonus" scope="col">Bonus</th>${heads}</tr></thead><tbody>${body}${pending}</tbody></table></div>`;
}

/** Counts of totals in `bins` equal bins over 0..max (the last bin holds max). */
export function histogram(totals: readonly number[], max: number, bins: number): { from: number; to: number; n: number }[] {
  const k = Math.max(1, Math.min(bins, Math.max(1, Math.ceil(max))));
  const width = Math.max(max, 1) / k;
  const out = Array.from({ length: k }, (_, i) => ({ from: i * width, to: (i + 1) * width, n: 0 }));
  for (const t of totals) out[Math.min(k - 1, Math.max(0, Math.floor(t / width)))]!.n++;
  return out;
}

function histogramSvg(entries: readonly ClassEntry[], bins: number): Html {
  const max = Math.max(0, ...entries.map((e) => e.result.score.max));
  const hist = histogram(entries.map((e) => e.result.score.points), max, bins);
  const [W, H, left, bottom, top] = [560, 200, 30, 24, 16];
  const peak = Math.max(1, ...hist.map((b) => b.n));
  const bw = (W - left - 10) / hist.length;
  const round = (x: number) => Number.isInteger(x) ? String(x) : x.toFixed(1);
  const bars = hist.map((b, i) => {
    const h = ((H - bottom - top) * b.n) / peak;
    const x = left + i * bw;
    const label = i === hist.length - 1 ? `${round(b.from)}–${round(b.to)}` : `${round(b.from)}–<${round(b.to)}`;
    return html`<g><title>${label}: ${b.n}</title><rect class="bar" x="${x + 2}" y="${H - bottom - h}" width="${bw - 4}" height="${h}"/>${b.n > 0 ? html`<text x="${x + bw / 2}" y="${H - bottom - h - 3}" text-anchor="middle">${b.n}</text>` : ''}<text x="${x + bw / 2}" y="${H - 8}" text-anchor="middle">${round(b.from)}</text></g>`;
  });
  return html`<svg class="hist" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="Histogram of totals"><title>Histogram of totals (0 to ${max})</title><line x1="${left}" y1="${H - bottom}" x2="${W - 10}" y2="${H - bottom}"/>${bars}</svg>`;
}

function mostLost(entries: readonly ClassEntry[], cols: Column[], limit: number): Html {
  const stats = cols.map((col) => {
    let failed = 0;
    let points = 0;
    let errors = 0;
    for (const { result } of entries) {
      const c = result.checks.find((x) => x.id === col.id);
      if (c?.status === 'failed') { failed++; points += c.max; }
      if (c?.status === 'error') errors++;
    }
    return { ...col, failed, points, errors };
  }).filter((s) => s.failed > 0).sort((a, b) => b.failed - a.failed || b.points - a.points || byCode(a.id, b.id));
  if (stats.length === 0) return html`<p>No check was lost by anyone.</p>`;
  const n = entries.length;
  return html`<table class="checks"><thead><tr><th>Check</th><th>Lost by</th><th>Points lost in all</th><th>Requirement</th></tr></thead><tbody>${
    stats.slice(0, limit).map((s) => html`<tr><td class="id"><code>${s.id}</code></td><td class="num">${s.failed} of ${n} (${Math.round((100 * s.failed) / n)}%)${s.errors ? html` <span class="muted">+${s.errors} not measured</span>` : ''}</td><td class="num">${s.points}</td><td>${s.title}</td></tr>`)
  }</tbody></table>`;
}

/** index.html for many submissions. */
export function renderClassIndex(entries: readonly ClassEntry[], opts: ClassIndexOptions = {}): string {
  const cols = columns(entries);
  const rubricTitle = entries[0]?.result.rubric.title ?? 'Grades';
  const title = opts.title ?? `${rubricTitle}: ${entries.length} submission${entries.length === 1 ? '' : 's'}`;
  const totals = entries.map((e) => e.result.score.points).sort((a, b) => a - b);
  const mean = totals.length ? totals.reduce((a, b) => a + b, 0) / totals.length : 0;
  const median = totals.length ? (totals[(totals.length - 1) >> 1]! + totals[totals.length >> 1]!) / 2 : 0;
  const unfinished = entries.filter((e) => incomplete(e.result)).length;
  const toReview = entries.filter((e) => reviewChecks(e.result).length > 0).length;
  const notGraded = opts.notGraded ?? [];
  const body = html`<header><h1>${title}</h1>
<p>${entries.length} submissions · mean ${mean.toFixed(1)} · median ${median}${unfinished ? html` · <span class="badge s-error">${unfinished} incomplete</span> (some checks not measured: re-run before publishing)` : ''}${
  toReview ? html` · <span class="badge review">${toReview} to review</span> (lost checks marked ? rest on what the grader could not recognise: look at them before publishing)` : ''}${
  notGraded.length ? html` · <span class="badge s-skipped">${notGraded.length} not graded</span> (grading was stopped before them)` : ''}</p></header>
${entries.length === 0 ? html`<p>No submissions.</p>` : html`<h2>Submissions × checks</h2>
<p class="muted">Rows are sorted by total; click a column heading to sort (JavaScript). Each cell links to that check in the submission's report. ✓ pass · ≈ non-strict pass · ✗ lost · ✗? lost, to review · ! not measured · – skipped.</p>
${matrix(entries, cols, notGraded)}
<h2>Totals</h2>
${histogramSvg(entries, opts.bins ?? 10)}
<h2>Checks most often lost</h2>
${mostLost(entries, cols, opts.mostLost ?? 15)}`}
<footer>${entries[0]?.result.grader.name ?? 'chatgrade'} ${entries[0]?.result.grader.version ?? ''}</footer>`;
  return page(title, body);
}
