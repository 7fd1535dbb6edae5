// report.html: one submission's grade as a self-contained page. The points
// per area and line, every lost check with its wire diagram, screenshot and
// what the grader understood, the checks that could not be measured, every
// check in rubric order, and the client's stderr. A pure function of one
// GradeResult; the rubric comes from result.rubric.

import type { CheckResult, GradeResult } from '../../results.js';
import {
  areaTitle, cleanLines, inRubricOrder, lineGroups, problemOf, pts, reproduceCommand, reviewChecks, type LineGroup, type ReporterOptions,
} from '../common.js';
import { badge, checkDetail, VERDICT_LABEL, VERDICT_SYMBOL, verdictOf } from './check.js';
import { anchor, html, join, type Html } from './html.js';
import { page } from './page.js';

const STDERR_CHARS = 20_000;

function chip(c: CheckResult, linked: boolean): Html {
  const v = verdictOf(c);
  const title = `${c.id}: ${VERDICT_LABEL[v]}${c.status === 'failed' && c.review !== undefined ? ' (to review)' : ''}`;
  return linked
    ? html`<a class="chip s-${v}" href="#${anchor(c.id)}" title="${title}">${VERDICT_SYMBOL[v]}</a>`
    : html`<span class="chip s-${v}" title="${title}">${VERDICT_SYMBOL[v]}</span>`;
}

const isDetailed = (c: CheckResult, r: GradeResult) => (c.status === 'failed' && !problemOf(r, c.id)) || c.status === 'error';

function pointsTable(r: GradeResult, groups: LineGroup[]): Html {
  const areas = [...new Set(groups.map((g) => g.area))];
  const rows = areas.map((area) => {
    const mine = groups.filter((g) => g.area === area);
    const [points, max] = [mine.reduce((n, g) => n + g.points, 0), mine.reduce((n, g) => n + g.max, 0)];
    const bonus = r.rubric.areas.find((a) => a.id === area)?.bonus ? ' (bonus)' : '';
    return html`<tr class="area"><td colspan="2">${areaTitle(r.rubric, area)}${bonus}</td><td class="num">${points}/${max}</td><td><meter min="0" max="${Math.max(max, 1)}" value="${points}"></meter></td></tr>
${mine.map((g) => {
      const skipped = g.checks.length > 0 && g.checks.every((c) => c.status === 'skipped');
      return html`<tr><td>${g.title}</td><td><span class="chips">${g.checks.map((c) => chip(c, isDetailed(c, r)))}</span></td><td class="num">${skipped ? 'skipped' : `${g.points}/${g.max}`}</td><td>${skipped ? '' : html`<meter min="0" max="${Math.max(g.max, 1)}" value="${g.points}"></meter>`}</td></tr>`;
    })}`;
  });
  return html`<table class="points"><tbody>${rows}</tbody></table>`;
}

function header(r: GradeResult, checks: readonly CheckResult[]): Html {
  const env = r.environment;
  const incomplete = r.errors.length > 0 || checks.some((c) => c.status === 'error');
  const warnings = r.warnings ?? [];
  const review = reviewChecks({ checks });
  const info: [string, string | undefined][] = [
    ['Submission', r.submission.dir],
    ['Seed', r.seed],
    ['Started', `${r.startedAt} (took ${(r.durationMs / 1000).toFixed(1)} s)`],
    ['Environment', [`node ${env.node}`, env.python && `python ${env.python}`, env.tk && `tk ${env.tk}`, env.display && `display ${env.display}`, env.platform].filter(Boolean).join(', ')],
    ['Sandbox', env.sandbox],
    ['GUI probe', env.probe],
    ['Graded by', `${r.grader.name} ${r.grader.version}, rubric ${r.rubric.title} (${r.rubric.pack})`],
  ];
  return html`<header>
<h1>${r.rubric.title}: ${r.submission.name}</h1>
<p class="total">Total ${r.score.points}/${r.score.max}${r.score.bonusMax > 0 ? ` · Bonus ${r.score.bonus}/${r.score.bonusMax}` : ''}</p>
${incomplete ? html`<div class="banner error"><strong>This grade is incomplete.</strong> Some checks could not be measured because of a fault in the grader or the machine, not in the submission; their points are neither given nor taken. Re-run before publishing.</div>` : ''}
${r.errors.map((e) => html`<div class="banner error">Harness error: ${e.message} <code>${e.code}</code></div>`)}
${(r.problems ?? []).map((p) => html`<div class="banner fail problem"><strong>${p.message}</strong><br>Fix: ${p.fix}<br><span class="muted">It cost ${p.checks.length} ${p.checks.length === 1 ? 'check' : 'checks'} (${pts(checks.filter((c) => p.checks.includes(c.id)).reduce((n, c) => n + c.max, 0))}):</span> ${checks.filter((c) => p.checks.includes(c.id)).map((c, i) => html`${i > 0 ? ', ' : ''}<code>${c.id}</code>`)}</div>`)}${review.length > 0 ? html`<div class="banner warn review"><strong>To review: ${review.length} lost ${review.length === 1 ? 'check rests' : 'checks rest'} on what the grader could not recognise on screen.</strong> A person should look at ${review.length === 1 ? 'it' : 'them'} (marked <span class="badge review">REVIEW</span>) before trusting the points: ${review.map((c, i) => html`${i > 0 ? ', ' : ''}<a href="#${anchor(c.id)}"><code>${c.id}</code></a>`)}</div>` : ''}${warnings.length > 0 ? html`<div class="banner warn"><strong>Warnings</strong><ul>${warnings.map((w) => html`<li>${w}</li>`)}</ul></div>` : ''}
<dl class="info">${info.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
<div class="replay"><span class="muted">Replay the run:</span><code class="copy">${reproduceCommand(r.submission.dir, r.seed)}</code></div>
</header>`;
}

function allChecks(r: GradeResult, groups: LineGroup[]): Html {
  const rows = groups.map((g) => html`<tr class="line"><td colspan="4">${g.title}</td></tr>${g.checks.map((c) => {
    const v = verdictOf(c);
    const id = isDetailed(c, r) ? html`<a href="#${anchor(c.id)}"><code>${c.id}</code></a>` : html`<code>${c.id}</code>`;
    const got = c.status === 'passed' ? `+${c.points}` : c.status === 'failed' ? `0/${c.max}` : '';
    const notes = (c.nonStrict ?? []).map((n) => html`<br><span class="muted">tolerated: ${n}</span>`);
    const cost = problemOf(r, c.id);
    const why = cost ? html`<br><span class="muted">not run: ${cost.message}</span>` : '';
    return html`<tr><td>${badge(v)}</td><td class="id">${id}</td><td>${c.requirement}${notes}${why}</td><td class="num">${got}</td></tr>`;
  })}`);
  return html`<table class="checks"><tbody>${rows}</tbody></table>`;
}

function stderrSection(r: GradeResult): Html | '' {
  const logs = r.logs.filter((l) => l.stderr.trim() !== '');
  if (logs.length === 0) return '';
  return html`<h2>Client stderr</h2>${logs.map((l) => {
    const text = l.stderr.slice(-STDERR_CHARS);
    const cut = l.truncated || text.length < l.stderr.length;
    return html`<details open><summary>Scenario ${l.scenario}${cut ? ' (the end only: capped)' : ''}</summary><pre>${join(cleanLines(text), '\n')}</pre></details>`;
  })}`;
}

/** report.html for one submission. */
export function renderHtml(result: GradeResult, _opts: ReporterOptions = {}): string {
  const checks = inRubricOrder(result.rubric, result.checks);
  const groups = lineGroups(result, checks);
  // Checks a submission problem cost are listed under its banner, not as a card each.
  const failed = checks.filter((c) => c.status === 'failed' && !problemOf(result, c.id));
  const errors = checks.filter((c) => c.status === 'error');
  const lostPoints = failed.reduce((n, c) => n + c.max, 0);
  const body = html`${header(result, checks)}
<h2>Points</h2>
${pointsTable(result, groups)}
<h2>Lost points${failed.length ? ` (${failed.length} ${failed.length === 1 ? 'check' : 'checks'}, ${pts(lostPoints)})` : ''}</h2>
${failed.length === 0 ? html`<p>No check was lost.</p>` : failed.map((c) => checkDetail(c, result))}
${errors.length === 0 ? '' : html`<h2>Not measured (${errors.length})</h2><p class="muted">Faults of the grader or the machine, not of the submission: these checks count neither for nor against.</p>${errors.map((c) => checkDetail(c, result))}`}
<h2>All checks</h2>
${allChecks(result, groups)}
${stderrSection(result)}
<footer>${result.grader.name} ${result.grader.version} · report schema ${result.schemaVersion} · all of it as data: --reporter json (report.json)</footer>`;
  return page(`${result.submission.name}: ${result.score.points}/${result.score.max}`, body);
}
