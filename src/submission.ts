// Grade one submission folder from start to end: its pack, its grade.json,
// its sandbox, the grading, and the cleanup. Whatever goes wrong with this
// one submission (an invalid grade.json, a sandbox that cannot be set up,
// our own crash) comes back as that submission's result with `errors`, so a
// class goes on; nothing here prints or exits.

import { basename, resolve } from 'node:path';
import { checkAgainstPack, launchFor, loadSubmissionConfig, weightsFor, type CourseConfig } from './config.js';
import type { PythonInfo } from './env/index.js';
import type { TranscriptEntry } from './fake-server/session.js';
import { gradeSubmission, rubricInfo, selectChecks } from './grade.js';
import { detectJsClient, jsRuntime, type JsClient } from './js/index.js';
import { makeLauncher } from './launcher.js';
import type { Limiter } from './limiter.js';
import type { LoadWatch } from './load/monitor.js';
import type { Pack } from './pack.js';
import { PACKS, detectPack } from './packs/index.js';
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
  let sandbox: Sandbox | undefined;
  try {
    checkAgainstPack(setup.course, pack);
    const checks = selectChecks(pack.rubric, setup.only, setup.exclude);
    const { launch, warnings } = launchFor(setup.course, loadSubmissionConfig(dir), pack);
    const needsClient = pack.scripts.some((s) => checks.includes(s.id) && pack.runs.find((r) => r.kind === s.run)?.client);
    // A JavaScript client runs over WebSocket and draws nothing; in-process it is not sandboxed at all (docs/JS-CLIENTS.md).
    const js = setup.js ?? detectJsClient(dir);
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
    });
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
      launcher: rt?.launcher ?? makeLauncher({ python: setup.python.executable, launch, entry: pack.entries[0]!, timeoutScale: setup.timeoutScale }),
      ...(rt ? { listen: rt.listen, inspector: rt.inspector, environment: { ...rt.environment, python: undefined, tk: undefined } } : {}),
      ui: launch.ui,
      ...(setup.screenshots ? { screenshots: true } : {}),
      ...(setup.onWire ? { onWire: setup.onWire } : {}),
    });
    const inProcess = rt !== undefined && jsMode === 'in-process';
    const notes = [...warnings, ...(inProcess ? ['the JavaScript client ran in-process, in a worker thread of the grader (the course\'s "jsClients": "in-process"): not sandboxed'] : sandbox.notes.map((n) => `sandbox: ${n}`))];
    return notes.length ? { ...result, warnings: notes } : result;
  } catch (err) {
    const e = err as Error & { code?: string };
    const code = typeof e.code === 'string' ? e.code : 'grader.bug';
    const message = code === 'grader.bug' ? `${e.message} (this is a chatgrade bug; please report it)` : e.message;
    return unmeasured(dir, pack, setup, [{ code, message }], { startedAt, durationMs: Math.round(performance.now() - started) });
  } finally {
    await sandbox?.dispose().catch(() => undefined);
  }
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
