// Grade one submission folder from start to end: its pack, its grade.json,
// its sandbox, the grading, and the cleanup. The submission's own problems
// (an invalid grade.json or package.json, a missing entry file, a client
// that cannot start) fail the checks they cost, once, with the fix named
// (preflight.ts); whatever else goes wrong with this one submission (a
// sandbox that cannot be set up, our own crash) comes back as that
// submission's result with `errors`, so a class goes on; nothing here
// prints or exits.

import { basename, resolve } from 'node:path';
import { limitsFor } from './check.js';
import { ConfigError, checkAgainstPack, launchFor, loadSubmissionConfig, weightsFor, type CourseConfig, type SubmissionConfig } from './config.js';
import type { PythonInfo } from './env/index.js';
import type { TranscriptEntry } from './fake-server/session.js';
import { gradeSubmission, rubricInfo, selectChecks } from './grade.js';
import { detectJsClient, jsRuntime, type JsClient, type JsMode } from './js/index.js';
import { makeLauncher } from './launcher.js';
import type { Limiter } from './limiter.js';
import type { LoadWatch } from './load/monitor.js';
import type { Pack } from './pack.js';
import { PACKS, detectPack } from './packs/index.js';
import { newSeed } from './random.js';
import { invalidConfig, invalidPackage, missingEntry, syntaxError, type Problem } from './preflight.js';
import { byCode, SCHEMA_VERSION, type CheckResult, type GradeResult, type HarnessError } from './results.js';
import { score } from './rubric.js';
import { Sandbox, type SandboxMode } from './sandbox/index.js';
import { VERSION } from './version.js';

/** What every submission of a grading shares. */
export interface GradingSetup {
  course: CourseConfig;
  /** The pack named by --pack or the course; detected per folder when absent. */
  pack?: Pack;
  only: readonly string[];
  exclude: readonly string[];
  seed: string;
  /** Client runs at once for this submission when no limiter is shared. */
  jobs: number;
  limiter?: Limiter;
  /** The starvation monitor a class shares (src/load). */
  load?: LoadWatch;
  timeoutScale: number;
  python: PythonInfo;
  sandbox: SandboxMode;
  screenshots?: boolean;
  env?: NodeJS.ProcessEnv;
  onWire?: (run: string, entry: TranscriptEntry) => void;
  /** The JavaScript client to grade, when the caller found it (chatgrade/vitest); otherwise detected from the folder's package.json. */
  js?: JsClient;
  /** `--headed`: show the client on this display of the user's (e.g. ":0") instead of a private Xvfb, and wait `slowMo` ms before each GUI action. */
  headed?: { display: string; slowMo: number };
  /** Called as each check starts and ends (--headed names them as they run). */
  onCheckStart?: (check: { id: string; requirement: string }) => void;
  onCheck?: (result: CheckResult) => void;
}

/** The pack a folder is graded with. */
export function packFor(dir: string, setup: Pick<GradingSetup, 'pack'>): Pack {
  return setup.pack ?? detectPack(dir) ?? PACKS[0]!;
}

/** Grade one folder; never throws for the submission's own problems. */
export async function gradeFolder(dir: string, setup: GradingSetup): Promise<GradeResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const pack = packFor(dir, setup);
  const when = () => ({ startedAt, durationMs: Math.round(performance.now() - started) });
  let sandbox: Sandbox | undefined;
  try {
    checkAgainstPack(setup.course, pack);
    const checks = selectChecks(pack.rubric, setup.only, setup.exclude);
    const own = submissionConfig(dir);
    const { launch, warnings } = launchFor(setup.course, own.config, pack);
    let js: JsClient | undefined;
    let problem = own.problem;
    try {
      js = setup.js ?? detectJsClient(dir);
    } catch (err) {
      if ((err as { code?: string }).code !== 'client.badPackage') throw err;
      problem ??= invalidPackage(relative(dir, (err as Error).message));
    }
    const entry = launch.entry ?? pack.entries[0]!;
    if (!problem && !js && !launch.command) problem = missingEntry(dir, entry, launch.entry !== undefined);
    if (problem?.scope === 'all') return named(notRun(dir, pack, setup, problem, checks, warnings, when()));
    const needsClient = pack.scripts.some((s) => checks.includes(s.id) && pack.runs.find((r) => r.kind === s.run)?.client);
    // A JavaScript client runs over WebSocket and draws nothing; in-process it is not sandboxed at all (docs/JS-CLIENTS.md).
    const jsMode = setup.course.jsClients ?? 'process';
    const rt = js ? jsRuntime(js, { mode: jsMode, timeoutScale: setup.timeoutScale }) : undefined;
    sandbox = await Sandbox.open({
      dir,
      mode: rt && jsMode === 'in-process' ? 'off' : setup.sandbox,
      limits: setup.course.limits ?? {},
      python: { executable: setup.python.executable, prefixes: setup.python.prefixes },
      display: needsClient && !js,
      env: setup.env ?? process.env,
      screenshots: Boolean(setup.screenshots),
      timeoutScale: setup.timeoutScale,
      ...(setup.headed ? { useDisplay: setup.headed.display } : {}),
    });
    // Compiled beside the grading, not before it, so a client that starts costs no time on the way: one
    // that cannot start fails its runs at once anyway, and their verdicts are then replaced by the cause.
    const compiled = needsClient && !js && !launch.command && entry.endsWith('.py')
      ? syntaxError(sandbox, setup.python.executable, entry, limitsFor(setup.timeoutScale).staticCheck).catch(() => undefined)
      : Promise.resolve(undefined);
    const result = await gradeSubmission({
      pack,
      dir,
      seed: setup.seed,
      jobs: setup.jobs,
      ...(setup.limiter ? { limiter: setup.limiter } : {}),
      ...(setup.load ? { load: setup.load } : {}),
      checks,
      weights: weightsFor(pack.rubric, setup.course),
      timeoutScale: setup.timeoutScale,
      python: setup.python,
      sandbox,
      launcher: rt?.launcher ?? makeLauncher({ python: setup.python.executable, launch, entry: pack.entries[0]!, timeoutScale: setup.timeoutScale, ...(setup.headed ? { slowMo: setup.headed.slowMo } : {}) }),
      ...(rt ? { listen: rt.listen, inspector: rt.inspector, environment: { ...rt.environment, python: undefined, tk: undefined } } : {}),
      ui: launch.ui,
      ...(setup.screenshots ? { screenshots: true } : {}),
      ...(setup.onWire ? { onWire: setup.onWire } : {}),
      ...(setup.onCheckStart ? { onCheckStart: setup.onCheckStart } : {}),
      ...(setup.onCheck ? { onCheck: setup.onCheck } : {}),
    });
    const inProcess = rt !== undefined && jsMode === 'in-process';
    const notes = [...warnings, ...(inProcess ? ['the JavaScript client ran in-process, in a worker thread of the grader (the course\'s "jsClients": "in-process"): not sandboxed'] : sandbox.notes.map((n) => `sandbox: ${n}`))];
    const graded = notes.length ? { ...result, warnings: notes } : result;
    // A client that cannot start costs the checks of every run that starts it, once; the others stand.
    problem = await compiled;
    return named(problem ? withProblem(graded, pack, setup, problem, clientChecks(pack, checks)) : graded);
  } catch (err) {
    const e = err as Error & { code?: string };
    const code = typeof e.code === 'string' ? e.code : 'grader.bug';
    const message = code === 'grader.bug' ? `${e.message} (this is a chatgrade bug; please report it)` : e.message;
    return named(unmeasured(dir, pack, setup, [{ code, message }], when()));
  } finally {
    await sandbox?.dispose().catch(() => undefined);
  }
}

/** The submission's grade.json; an invalid one is the submission's problem (the course config's would be everyone's). */
function submissionConfig(dir: string): { config: SubmissionConfig; problem?: Problem } {
  try {
    return { config: loadSubmissionConfig(dir) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { config: {}, problem: invalidConfig(relative(dir, err.message)) };
  }
}

/** A message with the submission's own folder taken out of its paths: the student knows where their files are. */
function relative(dir: string, text: string): string {
  return text.split(`${resolve(dir)}/`).join('').split(`${dir}/`).join('');
}

/** The result's name: the folder's own name, exactly, in Unicode NFC. */
function named(result: GradeResult): GradeResult {
  result.submission.name = result.submission.name.normalize('NFC');
  return result;
}

/** Selected checks whose run starts the client. */
function clientChecks(pack: Pack, checks: readonly string[]): string[] {
  return pack.scripts.filter((s) => checks.includes(s.id) && pack.runs.find((r) => r.kind === s.run)?.client).map((s) => s.id);
}

/** The result with `ids` failed by the problem (not run), the score recomputed, and the problem recorded. */
function withProblem(result: GradeResult, pack: Pack, setup: Pick<GradingSetup, 'course'>, problem: Problem, ids: readonly string[]): GradeResult {
  const checks = result.checks.map((c): CheckResult => {
    if (!ids.includes(c.id)) return c;
    const { id, line, area, title, max, requirement } = c;
    return { id, line, area, title, points: 0, max, status: 'failed', requirement, expected: 'the client starts', actual: problem.message, scenario: 'none', durationMs: 0 };
  });
  const outcomes = Object.fromEntries(checks.map((c) => [c.id, c.status]));
  return {
    ...result,
    checks,
    score: score(pack.rubric, outcomes, weightsFor(pack.rubric, setup.course)),
    problems: [...(result.problems ?? []), { code: problem.code, message: problem.message, fix: problem.fix, checks: [...ids].sort(byCode) }],
  };
}

/** A result for a submission none of whose checks could be graded because of its own problem: every selected check failed, the rest skipped. */
function notRun(dir: string, pack: Pack, setup: Pick<GradingSetup, 'seed' | 'python' | 'course'>, problem: Problem, selected: readonly string[], warnings: string[], when: { startedAt: string; durationMs: number }): GradeResult {
  const base = unmeasured(dir, pack, setup, [{ code: problem.code, message: problem.message }], when);
  const checks = base.checks.map((c): CheckResult => {
    const { error: _, ...rest } = c;
    return selected.includes(c.id) ? rest : { ...rest, status: 'skipped' };
  });
  const result = withProblem({ ...base, checks, errors: [] }, pack, setup, problem, selected);
  return warnings.length ? { ...result, warnings } : result;
}

/** A result in which nothing could be measured: every check an error, the faults in `errors`. */
export function unmeasured(dir: string, pack: Pack, setup: Pick<GradingSetup, 'seed' | 'python' | 'course'>, errors: HarnessError[], when: { startedAt: string; durationMs: number }): GradeResult {
  const { rubric } = pack;
  const weights = weightsFor(rubric, setup.course);
  const first = errors[0]!;
  const checks: CheckResult[] = rubric.checks.map((c) => ({
    id: c.id,
    line: c.line,
    area: rubric.lines.find((l) => l.id === c.line)!.area,
    title: c.requirement,
    points: 0,
    max: weights[c.id] ?? c.points,
    status: 'error',
    requirement: c.requirement,
    error: first,
    scenario: 'none',
    durationMs: 0,
  }));
  checks.sort((a, b) => byCode(a.id, b.id));
  return {
    schemaVersion: SCHEMA_VERSION,
    grader: { name: 'chatgrade', version: VERSION },
    rubric: rubricInfo(pack),
    submission: { dir: resolve(dir), name: basename(resolve(dir)) },
    seed: setup.seed,
    startedAt: when.startedAt,
    durationMs: when.durationMs,
    environment: {
      node: process.version,
      python: `${setup.python.executable} (${setup.python.version})`,
      tk: setup.python.tkVersion,
      platform: `${process.platform}-${process.arch}`,
    },
    score: score(rubric, Object.fromEntries(checks.map((c) => [c.id, 'error' as const])), weights),
    checks,
    errors,
    logs: [],
  };
}

/** Options of gradeJsClient(): a JavaScript client graded with no Python, display or CLI in between (`chatgrade/vitest`, the benchmark, the tests). */
export interface GradeJsOptions {
  pack: Pack;
  /** Default 'in-process'. */
  mode?: JsMode;
  seed?: string;
  /** Check-id globs; default every check. */
  only?: string[];
  timeoutScale?: number;
  /** Runs at once; default 2. */
  jobs?: number;
  /** The sandbox of process mode; default 'auto'. */
  sandbox?: SandboxMode;
  /** The course's sandbox limits (e.g. more memory for a TypeScript loader). */
  limits?: CourseConfig['limits'];
}

/** No Python is involved in grading a JavaScript client. */
const NO_PYTHON: PythonInfo = { executable: '', candidate: '', version: '', tkVersion: '', tclPatchLevel: '', prefixes: [] };

/** Grade one JavaScript client against a pack (in-process unless told otherwise). */
export function gradeJsClient(client: JsClient, opts: GradeJsOptions): Promise<GradeResult> {
  return gradeFolder(client.dir, {
    course: { jsClients: opts.mode ?? 'in-process', ...(opts.limits ? { limits: opts.limits } : {}) },
    pack: opts.pack,
    only: opts.only ?? [],
    exclude: [],
    seed: opts.seed ?? newSeed(),
    jobs: opts.jobs ?? 2,
    timeoutScale: opts.timeoutScale ?? 1,
    python: NO_PYTHON,
    sandbox: opts.sandbox ?? 'auto',
    js: client,
  });
}
