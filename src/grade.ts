// Grade one submission against a pack: select checks, run each run kind in
// its own client process (several at once), turn verdicts into results,
// score them. No printing and no exiting here: the CLI does that.

import { randomBytes } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { limitsFor, type CheckScript, type Verdict } from './check.js';
import { captureScreen } from './env/screenshot.js';
import type { TranscriptEntry } from './fake-server/session.js';
import { tcpListener } from './fake-server/tcp.js';
import type { Listener } from './fake-server/transport.js';
import type { ExecOutcome, Launcher } from './launcher.js';
import { Limiter, SharedFacts } from './limiter.js';
import { countingDeadlines, deadlineExpired, type DeadlineCount } from './load/deadlines.js';
import { judgeWindow, overloaded, wholeWindow, type Starvation, type WindowLoad } from './load/judge.js';
import { LoadMonitor, type LoadWatch } from './load/monitor.js';
import type { Pack, PackRun, RunEnv } from './pack.js';
import type { Sandbox, SandboxRun } from './sandbox/index.js';
import { Rng } from './random.js';
import type { CheckResult, GradeResult, HarnessError, LoadReport, RubricInfo } from './results.js';
import { byCode, SCHEMA_VERSION } from './results.js';
import { score, type Outcome } from './rubric.js';
import { evidenceLines, stopsRun, verdictOf } from './verdict.js';
import { VERSION } from './version.js';

/** Everything a grading needs, resolved by the caller. */
export interface GradeOptions {
  pack: Pack;
  dir: string;
  seed: string;
  /** Runs at once. */
  jobs: number;
  /** Check ids selected (already resolved from globs). */
  checks: readonly string[];
  weights: Record<string, number>;
  timeoutScale: number;
  python: { executable: string; version: string; tkVersion: string };
  /** The submission's sandbox: every process of every run starts in it. */
  sandbox: Sandbox;
  /** The launcher for one run's clients (the CLI wires the probe and the launch config). */
  launcher: (run: SandboxRun) => Launcher;
  /** Client runs at once, shared with the other submissions of a class; default: `jobs` for this one alone. */
  limiter?: Limiter;
  /** The starvation monitor, shared with the other submissions of a class; default: one for this grading. */
  load?: LoadWatch;
  /** Take a screenshot of the client's windows at each failed check (the HTML report shows it). */
  screenshots?: boolean;
  /** Widget paths from the config (keys are the pack's uiKeys). */
  ui?: Readonly<Record<string, string>>;
  /** Live wire log (--verbose). */
  onWire?: (run: string, entry: TranscriptEntry) => void;
  /** Called as each check starts (--headed shows its name while it runs). */
  onCheckStart?: (check: { id: string; requirement: string }) => void;
  /** Called as each check finishes. */
  onCheck?: (result: CheckResult) => void;
  /** How the fake server listens for a client of another runtime (src/js: WebSocket); default TCP in the run's sandbox. */
  listen?: (host: string, port: number | undefined, run: SandboxRun) => Promise<Listener>;
  /** Static checks in a client's own runtime (src/js: a JS client). */
  inspector?: RunEnv['inspector'];
  /** Facts for result.environment (e.g. how a JS client ran). */
  environment?: Partial<GradeResult['environment']>;
}

export { matchGlob, selectChecks } from './selection.js';

/** The rubric as a result carries it. */
export function rubricInfo(pack: Pack): RubricInfo {
  const { areas, lines, checks } = pack.rubric;
  return {
    pack: pack.id,
    title: pack.title,
    areas: areas.map((a) => ({ ...a })),
    lines: lines.map((l) => ({ ...l })),
    checks: checks.map((c) => ({ id: c.id, line: c.line, points: c.points })),
  };
}

const CHECK_DEADLINE_MS = 60_000;
/** The most times a check that failed while its run was starved is run again. */
export const MAX_RERUNS = 2;
/** How long a re-run first waits for the machine to calm (ms, times --timeout-scale). */
const CALM_WITHIN_MS = 2000;

interface RunOutcome {
  results: CheckResult[];
  /** The fault that stopped the run, if one did. */
  errors: HarnessError[];
  probe?: string | undefined;
  log?: GradeResult['logs'][number];
  /** Checks that did not pass while the run was starved, with why: they are run again. */
  suspects: Map<string, string>;
}

/** What every run of one grading shares. */
interface Ctx {
  opts: GradeOptions;
  shared: SharedFacts;
  load: LoadWatch;
  limiter: Limiter;
  /** performance.now() when the grading started: windows are reported from it. */
  origin: number;
  /**
   * The first run (the pack's longest, on the grading's critical path)
   * starts first; the others wait until its first check is over (its client
   * is up, or could not start), so that its start-up does not share the
   * CPU with theirs. Their own runs are short, and end before it does.
   */
  lead: { kind: string; over: () => void; ready: Promise<void> };
}

/** The client log a result keeps per run: its last characters. */
export const STDERR_LOG_CHARS = 8000;

/** One check's verdict, whatever its script does: throws are sorted, a hang meets the deadline. */
async function runScript(script: CheckScript, run: PackRun, timeoutScale: number): Promise<Verdict> {
  const limit = CHECK_DEADLINE_MS * timeoutScale;
  try {
    return await Promise.race([
      script.script(run),
      delay(limit, undefined, { ref: false }).then((): Verdict => ({ status: 'error', code: 'grader.deadline', message: `the check did not finish within ${limit} ms` })),
    ]);
  } catch (err) {
    return verdictOf(err);
  }
}

/** What a run's checks may use of its sandbox. */
function runEnv(kind: string, sbRun: SandboxRun, opts: GradeOptions, rng: Rng, shared: SharedFacts): RunEnv {
  return {
    dir: sbRun.workdir,
    python: opts.python.executable,
    rng,
    limits: limitsFor(opts.timeoutScale, opts.pack.limits),
    launch: opts.launcher(sbRun),
    listen: async (host, port) => {
      if (opts.listen) return opts.listen(host, port, sbRun);
      const at = await sbRun.listen(host, port);
      return tcpListener(at.host, at.port, at.server);
    },
    unixListen: (name) => sbRun.unixListen(name),
    exec: (command, o) => execIn(sbRun, command(sbRun.inside), o),
    shared,
    ui: opts.ui ?? {},
    onWire: opts.onWire && ((e) => opts.onWire!(kind, e)),
    ...(opts.inspector ? { inspector: opts.inspector } : {}),
  };
}

/** Run a static check in the sandbox: bounded; its report read from fd 3 to the end and trusted only with our nonce. */
async function execIn(sbRun: SandboxRun, command: string[], o: { within: number }): Promise<ExecOutcome> {
  const nonce = randomBytes(16).toString('hex');
  const proc = await sbRun.spawn(command, { reportFd: true, outputCapBytes: 64 * 1024, stdin: `${nonce}\n` });
  const chunks: Buffer[] = [];
  let size = 0;
  const fd3 = proc.child.stdio[3] as NodeJS.ReadableStream;
  const ended = new Promise<void>((resolve) => {
    fd3.on('data', (c: Buffer) => {
      if (size < 256 * 1024) chunks.push(c);
      size += c.length;
    });
    fd3.on('end', resolve);
    fd3.on('error', () => resolve());
  });
  try {
    const exit = await Promise.race([proc.exited, delay(o.within, undefined, { ref: false })]);
    if (!exit) deadlineExpired();
    if (exit) await Promise.race([ended, delay(1000, undefined, { ref: false })]);
    let result: unknown;
    let started = false;
    // One JSON record per line: { nonce, started } first where the checker says so, then { nonce, result }.
    for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) {
      try {
        const parsed = JSON.parse(line) as { nonce?: unknown; result?: unknown; started?: unknown };
        if (parsed.nonce !== nonce) continue;
        started ||= parsed.started === true;
        if ('result' in parsed) result = parsed.result;
      } catch {
        // No report, or not valid: the check says what that means.
      }
    }
    return { exited: exit !== undefined, code: exit?.code ?? null, signal: exit?.signal ?? null, result, started, stderr: proc.stderr().text };
  } finally {
    await proc.kill(200).catch(() => undefined);
  }
}

/** A run's sandbox whose every process is followed by the monitor, from the moment it exists. */
function followed(sbRun: SandboxRun, follow: (pid: number) => void): SandboxRun {
  return new Proxy(sbRun, {
    get(target, key) {
      if (key === 'spawn') {
        return (command: string[], o: Parameters<SandboxRun['spawn']>[1] = {}) =>
          target.spawn(command, {
            ...o,
            onStart: (pid) => {
              follow(pid);
              o.onStart?.(pid);
            },
          });
      }
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** A window's numbers as a result keeps them. */
function loadReport(w: WindowLoad, judged: Starvation, from: number): LoadReport {
  const r = (n: number) => Math.round(n);
  const c = w.client;
  return {
    from: r(from),
    to: r(from) + r(w.wallMs),
    starved: judged.starved,
    ...(judged.why ? { why: judged.why } : {}),
    graderDelayMs: r(w.loopMaxMs),
    ...(c ? { clientWaitMs: r(c.waitMs), clientCpuMs: r(c.cpuMs), clientStoppedMs: r(c.stoppedMs) } : {}),
    ...(w.pressure ? { cpuStallMs: r(w.pressure.cpuSomeMs), memoryStallMs: r(w.pressure.memoryFullMs) } : {}),
  };
}

/** One run of a kind's checks; `tell`: each verdict not run again is final (onCheck), as in a first run. */
async function runOne(kind: string, scripts: CheckScript[], ctx: Ctx, tell = true): Promise<RunOutcome> {
  const { opts } = ctx;
  const { rubric } = opts.pack;
  const group = ctx.load.group();
  const limits = limitsFor(opts.timeoutScale, opts.pack.limits);
  // A run with a client gets an X server of its own: its screenshots show its windows alone.
  const display = opts.pack.runs.find((r) => r.kind === kind)?.client ?? true;
  const sbRun = followed(await opts.sandbox.newRun({ display }), (pid) => group.follow(pid));
  // Each run draws from its own stream; a run again draws the same names and texts.
  const run: PackRun = opts.pack.createRun(kind, runEnv(kind, sbRun, opts, new Rng(`${opts.seed}:${kind}`), ctx.shared));
  const results: CheckResult[] = [];
  const errors: HarnessError[] = [];
  const suspects = new Map<string, string>();
  // Once the run cannot start (no client, no server), every later check gets the same error without trying again.
  let stopped: Verdict | undefined;
  // A window starved earlier may have spoilt a fixture that later checks share.
  let starvedBefore: string | undefined;
  // The waits of this run that ran out (src/load/deadlines.ts).
  const deadlines: DeadlineCount = { expired: 0 };
  try {
    for (const script of scripts) {
      const check = rubric.checks.find((c) => c.id === script.id)!;
      const window = ctx.load.open(group);
      const t0 = run.now();
      if (!stopped) opts.onCheckStart?.(check);
      const ranOutBefore = deadlines.expired;
      const verdict = stopped ?? (await countingDeadlines(deadlines, () => runScript(script, run, opts.timeoutScale)));
      // Whether load could have decided it: some wait ran out, or the pack judges times it measured.
      const timeCounted = deadlines.expired > ranOutBefore || !opts.pack.failsOnlyByDeadline || verdict.status === 'error';
      // A verdict that hung on a limit (a line, a change in the GUI; the start-up) was decided at the end of its window.
      const measured = window.close({ fresh: verdict.status !== 'passed', recent: [limits.gui], startup: limits.startup });
      const judged = judgeWindow(measured);
      ctx.limiter.report(overloaded(measured), window.openedAt);
      if (!stopped && verdict.status === 'error' && stopsRun(verdict.code)) {
        stopped = verdict;
        errors.push({ code: verdict.code, message: `the ${kind} run could not start: ${verdict.message}` });
      }
      const max = opts.weights[check.id] ?? check.points;
      const evidence = verdict.status === 'error' ? [] : (verdict.evidence ?? run.transcriptSince(t0));
      const result: CheckResult = {
        id: check.id,
        line: check.line,
        area: rubric.lines.find((l) => l.id === check.line)!.area,
        title: check.requirement,
        points: verdict.status === 'passed' ? max : 0,
        max,
        status: verdict.status,
        requirement: check.requirement,
        scenario: kind,
        durationMs: Math.round(measured.wallMs),
        load: loadReport(measured, judged, window.openedAt - ctx.origin),
      };
      if (verdict.status === 'failed') {
        result.expected = verdict.expected;
        result.actual = verdict.actual;
        if (verdict.review) result.review = verdict.review;
      }
      // A failure, or a fault of ours such as a limit of the sandbox's start-up, in a starved run: run it again.
      const before = starvedBefore && `an earlier window of the run was starved (${starvedBefore})`;
      const why = (timeCounted ? judged.why : undefined) ?? before;
      if (verdict.status !== 'passed' && why && !(verdict.status === 'error' && verdict.code === 'grader.bug')) suspects.set(check.id, why);
      // A pass a delay can make: the events it times may lie anywhere in its window.
      const passWhy = script.delayCanPass && verdict.status === 'passed' ? (judgeWindow(wholeWindow(measured)).why ?? before) : undefined;
      if (passWhy) suspects.set(check.id, passWhy);
      // What a later check inherits: a fixture computed here ends with its own deadline, at the window's end.
      if (judged.starved && timeCounted) starvedBefore ??= `${check.id}: ${judged.why}`;
      if (verdict.status === 'passed' && verdict.nonStrict?.length) result.nonStrict = verdict.nonStrict;
      if (verdict.status === 'error') result.error = { code: verdict.code, message: verdict.message };
      if (evidence.length) result.transcript = evidenceLines(evidence);
      if (verdict.status === 'failed') await witness(result, run, sbRun.framebuffer, opts);
      results.push(result);
      if (kind === ctx.lead.kind) ctx.lead.over();
      // A verdict that will be run again is told when it is final.
      if (tell && !suspects.has(check.id)) opts.onCheck?.(result);
    }
  } finally {
    await run.dispose();
    await sbRun.dispose();
    group.dispose();
  }
  const stderr = run.stderr();
  const log = stderr === undefined ? undefined : { scenario: kind, stderr: stderr.slice(-STDERR_LOG_CHARS), truncated: stderr.length > STDERR_LOG_CHARS };
  return { results, errors, probe: run.probeMode?.(), log, suspects };
}

/**
 * A run, and again (bounded, once the machine is calm or has had its time)
 * for the checks that failed while it was starved: the verdict of the last
 * attempt stands, unless that one was starved too, which makes it an
 * `error` (load.starved), never the client's failure.
 */
async function settledRun(kind: string, scripts: CheckScript[], ctx: Ctx): Promise<RunOutcome> {
  if (kind !== ctx.lead.kind) await ctx.lead.ready;
  const first = await ctx.limiter.run(() => runOne(kind, scripts, ctx)).finally(() => kind === ctx.lead.kind && ctx.lead.over());
  const byId = new Map(first.results.map((r) => [r.id, r]));
  const reruns = new Map<string, NonNullable<LoadReport['reruns']>>();
  const stops = [...first.errors];
  let last = first;
  let suspects = first.suspects;
  for (let attempt = 0; attempt < MAX_RERUNS && suspects.size; attempt++) {
    for (const [id, why] of suspects) {
      const r = byId.get(id)!;
      reruns.set(id, [...(reruns.get(id) ?? []), { from: r.load!.from, to: r.load!.to, why, actual: said(r) }]);
    }
    await ctx.load.calm(CALM_WITHIN_MS * ctx.opts.timeoutScale);
    // The last attempt runs alone, on as quiet a machine as the class can give it.
    const again = await ctx.limiter.run(() => runOne(kind, scripts.filter((s) => suspects.has(s.id)), ctx, false), { alone: attempt === MAX_RERUNS - 1 });
    for (const r of again.results) byId.set(r.id, r);
    stops.push(...again.errors);
    last = again;
    suspects = again.suspects;
  }
  for (const [id, why] of suspects) {
    const r = byId.get(id)!;
    const tries = (reruns.get(id)?.length ?? 0) + 1;
    const outcome = r.status === 'passed'
      ? `passed only while the grader or the client was starved, which can make an event that came too soon look in time, in each of the ${tries} times it was run`
      : `did not pass in any of the ${tries} times it was run, each time while the grader or the client was starved`;
    const message = `${outcome} (${why}; the last time: ${said(r)}); it could not be judged on this machine now: grade it again with fewer --jobs or on a quieter machine`;
    byId.set(id, { ...pick(r), status: 'error', points: 0, error: { code: 'load.starved', message } });
  }
  const results = first.results.map((r) => {
    const final = byId.get(r.id)!;
    const tries = reruns.get(r.id);
    if (tries) {
      final.load = { ...final.load!, reruns: tries };
      ctx.opts.onCheck?.(final);
    }
    return final;
  });
  // A run that could not start counts if its last attempt could not either, or a verdict still says so.
  const stands = (e: HarnessError) => last.errors.includes(e) || results.some((r) => r.error && r.error.code === e.code && e.message.endsWith(r.error.message));
  const errors = stops.filter(stands).filter((e, i, all) => all.findIndex((o) => o.message === e.message) === i);
  return { ...first, results, errors, suspects };
}

/** What a verdict said. */
function said(r: CheckResult): string {
  if (r.status === 'passed') return 'passed';
  return r.status === 'error' ? `${r.error!.message} [${r.error!.code}]` : (r.actual ?? '');
}

/** A result without its failure's details, for an error in its place. */
function pick(r: CheckResult): CheckResult {
  const { expected: _e, actual: _a, review: _r, seen: _s, screenshot: _p, transcript: _t, ...rest } = r;
  return rest;
}

/** What the grader understood at a lost check, and (for the HTML report) the screen then. */
async function witness(result: CheckResult, run: PackRun, fb: string | undefined, opts: GradeOptions): Promise<void> {
  const seen = run.seen?.();
  if (seen) result.seen = seen;
  // A run that starts no client (static checks) gets no X server, so no framebuffer: no empty picture.
  if (!opts.screenshots || !fb) return;
  try {
    const shot = await captureScreen(fb, 'content');
    result.screenshot = { ...shot, t: Math.round(run.now()) };
  } catch {
    // A missing picture is no reason to lose the verdict.
  }
}


export async function gradeSubmission(opts: GradeOptions): Promise<GradeResult> {
  const { pack } = opts;
  const { rubric } = pack;
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const selected = new Set(opts.checks);
  const byRun = new Map<string, CheckScript[]>();
  for (const s of pack.scripts) {
    if (!selected.has(s.id)) continue;
    byRun.set(s.run, [...(byRun.get(s.run) ?? []), s]);
  }
  const own = opts.load ? undefined : new LoadMonitor();
  const kinds = pack.runs.map((r) => r.kind).filter((k) => byRun.has(k));
  let over = (): void => {};
  const ready = new Promise<void>((resolve) => (over = resolve));
  const ctx: Ctx = { opts, shared: new SharedFacts(), load: opts.load ?? own!, limiter: opts.limiter ?? new Limiter(opts.jobs), origin: started, lead: { kind: kinds[0] ?? '', over, ready } };
  // Each run draws from its own stream, so selecting fewer checks does not change the others' names.
  // In run order, so the first runs get the first slots.
  const outcomes = await Promise.all(
    kinds.map((kind) => {
      const scripts = byRun.get(kind)!.map((s, i) => ({ s, i })).sort((a, b) => a.s.phase - b.s.phase || a.i - b.i).map((x) => x.s);
      return settledRun(kind, scripts, ctx);
    }),
  ).finally(() => own?.stop());
  const results = outcomes.flatMap((o) => o.results);
  for (const c of rubric.checks) {
    if (selected.has(c.id)) continue;
    results.push({ id: c.id, line: c.line, area: rubric.lines.find((l) => l.id === c.line)!.area, title: c.requirement, points: 0, max: opts.weights[c.id] ?? c.points, status: 'skipped', requirement: c.requirement, scenario: 'none', durationMs: 0 });
  }
  results.sort((a, b) => byCode(a.id, b.id));
  const outcomesById: Record<string, Outcome> = Object.fromEntries(results.map((r) => [r.id, r.status]));
  const errors = outcomes.flatMap((o) => o.errors);
  const probe = outcomes.map((o) => o.probe).find(Boolean);
  return {
    schemaVersion: SCHEMA_VERSION,
    grader: { name: 'chatgrade', version: VERSION },
    rubric: rubricInfo(pack),
    submission: { dir: resolve(opts.dir), name: basename(resolve(opts.dir)) },
    seed: opts.seed,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    environment: {
      node: process.version,
      python: `${opts.python.executable} (${opts.python.version})`,
      tk: opts.python.tkVersion,
      ...(opts.sandbox.display ? { display: opts.sandbox.display } : {}),
      platform: `${process.platform}-${process.arch}`,
      sandbox: opts.sandbox.level,
      ...(probe ? { probe } : {}),
      ...opts.environment,
    },
    score: score(rubric, outcomesById, opts.weights),
    checks: results,
    errors,
    logs: outcomes.flatMap((o) => (o.log ? [o.log] : [])),
  };
}
