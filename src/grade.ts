// Grade one submission: select checks, run each run kind in its own client
// process (several at once), turn verdicts into results, score them. No
// printing and no exiting here: the CLI does that.

import { basename, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CHECKS, LINES, score, type Outcome } from './rubric.js';
import type { CheckResult, GradeResult, HarnessError, TranscriptLine } from './results.js';
import { SCHEMA_VERSION } from './results.js';
import { SCRIPTS } from './scenarios/index.js';
import { Rng } from './scenarios/random.js';
import { HarnessFault, SessionRun, StepFailed, limitsFor, type Launcher } from './scenarios/session-run.js';
import type { CheckScript, RunKind, Verdict } from './scenarios/types.js';
import type { TranscriptEntry } from './fake-server/session.js';
import { VERSION } from './version.js';

/** Everything a grading needs, resolved by the caller. */
export interface GradeOptions {
  dir: string;
  seed: string;
  /** Runs at once. */
  jobs: number;
  /** Check ids selected (already resolved from globs). */
  checks: readonly string[];
  weights: Record<string, number>;
  timeoutScale: number;
  python: { executable: string; version: string; tkVersion: string };
  display: string | undefined;
  /** Makes the launcher for one run (the CLI wires the probe and the launch config). */
  launcher: (run: RunKind) => Launcher;
  /** Live wire log (--verbose). */
  onWire?: (run: RunKind, entry: TranscriptEntry) => void;
  /** Called as each check finishes. */
  onCheck?: (result: CheckResult) => void;
}

/** Glob over dotted ids: `*` matches any run of characters. */
export function matchGlob(glob: string, id: string): boolean {
  const re = new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(id) || id.startsWith(`${glob}.`);
}

/** Check ids selected by --only / --exclude globs, in rubric order. */
export function selectChecks(only: readonly string[], exclude: readonly string[]): string[] {
  return CHECKS.map((c) => c.id).filter((id) => (only.length === 0 || only.some((g) => matchGlob(g, id))) && !exclude.some((g) => matchGlob(g, id)));
}

const RUN_ORDER: RunKind[] = ['session', 'malformed', 'serverCrash', 'host', 'static'];
const CHECK_DEADLINE_MS = 60_000;

function toLines(entries: readonly TranscriptEntry[]): TranscriptLine[] {
  return entries.map((e) => ({ t: Math.round(e.t), dir: e.dir, text: e.text.length > 300 ? `${e.text.slice(0, 300)}... (${e.text.length} characters)` : e.text }));
}

/** Turn whatever a script threw into a verdict: the student's failure or our error. */
function verdictOf(err: unknown): Verdict {
  const e = err as Error & { code?: string; tried?: string[] };
  if (err instanceof StepFailed) return { status: 'failed', expected: err.expected, actual: err.actual };
  if (err instanceof HarnessFault) return { status: 'error', code: err.code, message: err.message };
  if (e?.code === 'probe.actionFailed') return { status: 'failed', expected: 'the GUI control for this action', actual: e.message };
  if (typeof e?.code === 'string' && /^(env|probe|client|server|proc)\./.test(e.code)) return { status: 'error', code: e.code, message: e.message };
  return { status: 'error', code: 'grader.bug', message: `${e?.message ?? String(err)} (this is a chatgrade bug; please report it)` };
}

interface RunOutcome {
  results: CheckResult[];
  log?: GradeResult['logs'][number];
}

async function runOne(kind: RunKind, scripts: CheckScript[], opts: GradeOptions, rng: Rng): Promise<RunOutcome> {
  const run = new SessionRun({
    dir: opts.dir,
    python: opts.python.executable,
    rng,
    limits: limitsFor(opts.timeoutScale),
    launch: opts.launcher(kind),
    host: kind === 'host' ? '127.0.0.2' : '127.0.0.1',
    onWire: opts.onWire && ((e) => opts.onWire!(kind, e)),
  });
  const results: CheckResult[] = [];
  try {
    for (const script of scripts) {
      const check = CHECKS.find((c) => c.id === script.id)!;
      const started = performance.now();
      const t0 = run.now();
      let verdict: Verdict;
      try {
        verdict = await Promise.race([
          script.script(run),
          delay(CHECK_DEADLINE_MS * opts.timeoutScale, undefined, { ref: false }).then((): Verdict => ({ status: 'error', code: 'grader.deadline', message: `the check did not finish within ${CHECK_DEADLINE_MS * opts.timeoutScale} ms` })),
        ]);
      } catch (err) {
        verdict = verdictOf(err);
      }
      const max = opts.weights[check.id] ?? check.points;
      const evidence = verdict.status === 'error' ? [] : (verdict.evidence ?? run.transcriptSince(t0));
      const result: CheckResult = {
        id: check.id,
        line: check.line,
        area: LINES.find((l) => l.id === check.line)!.area,
        title: check.requirement,
        points: verdict.status === 'passed' ? max : 0,
        max,
        status: verdict.status,
        requirement: check.requirement,
        scenario: kind,
        durationMs: Math.round(performance.now() - started),
      };
      if (verdict.status === 'failed') {
        result.expected = verdict.expected;
        result.actual = verdict.actual;
      }
      if (verdict.status === 'passed' && verdict.nonStrict?.length) result.nonStrict = verdict.nonStrict;
      if (verdict.status === 'error') result.error = { code: verdict.code, message: verdict.message };
      if (evidence.length) result.transcript = toLines(evidence);
      results.push(result);
      opts.onCheck?.(result);
    }
  } finally {
    await run.dispose();
  }
  const stderr = run.client?.stderr();
  return { results, log: stderr === undefined ? undefined : { scenario: kind, stderr: stderr.slice(-8000), truncated: stderr.length > 8000 } };
}

/** Run `fns` with at most `jobs` at once, keeping their order in the output. */
async function pool<T>(fns: (() => Promise<T>)[], jobs: number): Promise<T[]> {
  const out: T[] = new Array(fns.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < fns.length) {
      const i = next++;
      out[i] = await fns[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, fns.length)) }, worker));
  return out;
}

export async function gradeSubmission(opts: GradeOptions): Promise<GradeResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const selected = new Set(opts.checks);
  const byRun = new Map<RunKind, CheckScript[]>();
  for (const s of SCRIPTS) {
    if (!selected.has(s.id)) continue;
    byRun.set(s.run, [...(byRun.get(s.run) ?? []), s]);
  }
  // Each run draws from its own stream, so selecting fewer checks does not change the others' names.
  const runs = RUN_ORDER.filter((k) => byRun.has(k)).map((kind) => {
    const scripts = byRun.get(kind)!.map((s, i) => ({ s, i })).sort((a, b) => a.s.phase - b.s.phase || a.i - b.i).map((x) => x.s);
    const rng = new Rng(`${opts.seed}:${kind}`);
    return () => runOne(kind, scripts, opts, rng);
  });
  const outcomes = await pool(runs, opts.jobs);
  const results = outcomes.flatMap((o) => o.results);
  for (const c of CHECKS) {
    if (selected.has(c.id)) continue;
    results.push({ id: c.id, line: c.line, area: LINES.find((l) => l.id === c.line)!.area, title: c.requirement, points: 0, max: opts.weights[c.id] ?? c.points, status: 'skipped', requirement: c.requirement, scenario: 'none', durationMs: 0 });
  }
  results.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const outcomesById: Record<string, Outcome> = Object.fromEntries(results.map((r) => [r.id, r.status]));
  const errors: HarnessError[] = [];
  return {
    schemaVersion: SCHEMA_VERSION,
    grader: { name: 'chatgrade', version: VERSION },
    submission: { dir: resolve(opts.dir), name: basename(resolve(opts.dir)) },
    seed: opts.seed,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    environment: {
      node: process.version,
      python: `${opts.python.executable} (${opts.python.version})`,
      tk: opts.python.tkVersion,
      ...(opts.display ? { display: opts.display } : {}),
      platform: `${process.platform}-${process.arch}`,
    },
    score: score(outcomesById, opts.weights),
    checks: results,
    errors,
    logs: outcomes.flatMap((o) => (o.log ? [o.log] : [])),
  };
}
