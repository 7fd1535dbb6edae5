// `chatgrade <dir>...`: resolve the submissions and the environment, grade
// them (a class at once, within --jobs), report, and choose the exit code:
// 0 graded, 1 under --fail-under (or verdicts that varied with --repeat),
// 2 a harness or environment error or an incomplete grade, 130 interrupted.

import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, checkAgainstPack, loadCourseConfig, type CourseConfig } from '../config.js';
import { ensureSystemPackages, packagesForGrading } from '../env/install.js';
import { findPython, type PythonInfo } from '../env/index.js';
import type { TranscriptEntry } from '../fake-server/session.js';
import { matchGlob } from '../grade.js';
import type { Pack } from '../pack.js';
import { PACKS, detectPack, packById } from '../packs/index.js';
import { killAllTracked } from '../proc/index.js';
import { newSeed } from '../random.js';
import { CLASS_REPORTERS, REPORTERS, renderClassSummary, renderGradescopeFailure, type GradescopeVisibility } from '../reporters/index.js';
import type { GradeResult } from '../results.js';
import { chooseLevel, sandboxCapabilities, type SandboxMode } from '../sandbox/index.js';
import { packFor, type GradingSetup } from '../submission.js';
import { gradeClass, verdictsThatVaried } from './class.js';
import { UsageError, checkOut, folderNames, writeClass, writeSubmission } from './output.js';
import { liveProgress, plainProgress } from './progress.js';

export { UsageError } from './output.js';

export interface GradeCliOptions {
  pack?: string;
  sandbox?: SandboxMode;
  seed?: string;
  jobs?: number;
  only?: string;
  exclude?: string;
  list?: boolean;
  timeoutScale?: number;
  verbose?: boolean;
  /** Repeatable and comma-separated. */
  reporter: string[];
  out: string;
  config?: string;
  failUnder?: number;
  visibility?: GradescopeVisibility;
  shard?: { index: number; count: number };
  repeat?: number;
}

export interface CliIo {
  stdout: (t: string) => void;
  stderr: (t: string) => void;
  color: boolean;
  /** Terminal columns for the layout. */
  width: number;
  env: NodeJS.ProcessEnv;
  interrupted: Promise<void>;
  /** The real stderr when it is a terminal: the live progress view draws there. */
  tty?: NodeJS.WriteStream;
}

/** The rubric and its check ids, for --list. */
export function listChecks(pack: Pack): string {
  const { areas, lines, checks: all } = pack.rubric;
  const out: string[] = [`${pack.title} (pack "${pack.id}")`, ''];
  for (const area of areas) {
    out.push(`${area.title}${area.bonus ? ' (bonus)' : ''}`);
    for (const line of lines.filter((l) => l.area === area.id)) {
      const checks = all.filter((c) => c.line === line.id);
      out.push(`  ${line.title} (${checks.reduce((n, c) => n + c.points, 0)})`);
      for (const c of checks) out.push(`    ${c.id.padEnd(40)} ${String(c.points).padStart(2)}  ${c.requirement}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** --list: the rubric of the pack named by --pack or the config, else detected from the first folder given, else the default pack. */
export function listFor(args: string[], opts: GradeCliOptions): { ok: true; text: string } | { ok: false; error: string } {
  try {
    const course: CourseConfig = opts.config ? loadCourseConfig(opts.config) : {};
    const first = args[0] && existsSync(args[0]) ? detectPack(resolve(args[0])) : undefined;
    return { ok: true, text: listChecks(namedPack(opts.pack ?? course.pack) ?? first ?? PACKS[0]!) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** The pack named by --pack or the course config, if any; a usage error for an unknown name. */
export function namedPack(name: string | undefined): Pack | undefined {
  if (name === undefined) return undefined;
  const pack = packById(name);
  if (!pack) throw new UsageError(`unknown pack "${name}"; choose from ${PACKS.map((p) => p.id).join(', ')}`);
  return pack;
}

const globs = (s: string | undefined): string[] => (s ?? '').split(',').map((g) => g.trim()).filter(Boolean);

/** Submission folders: each argument is a submission (has a pack's entry file or grade.json) or a folder of them. */
function resolveSubmissions(args: string[], pack: Pack | undefined): string[] {
  if (args.length === 0) throw new UsageError('name a submission folder, e.g. `chatgrade examples/reference-client` (`chatgrade --help` for more)');
  const out: string[] = [];
  const entries = pack ? pack.entries : PACKS.flatMap((p) => p.entries);
  const isSubmission = (d: string) => entries.some((e) => existsSync(join(d, e))) || existsSync(join(d, 'grade.json'));
  for (const arg of args) {
    const dir = resolve(arg);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${arg} is not a folder`);
    if (isSubmission(dir)) {
      out.push(dir);
      continue;
    }
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      throw new UsageError(`${arg} cannot be read: ${(err as Error).message}`);
    }
    const subs = names.map((n) => join(dir, n)).filter((d) => {
      try {
        return statSync(d).isDirectory() && isSubmission(d);
      } catch {
        return false;
      }
    });
    if (subs.length === 0) throw new UsageError(`${arg} has no ${entries.join(' or ')}, and no sub-folder with one: is it a submission folder?`);
    out.push(...subs.sort());
  }
  return out;
}

/** The reporter names, each checked; --reporter may be repeated and comma-separated. */
function reporterNames(specs: readonly string[]): string[] {
  const names = [...new Set(specs.flatMap((s) => globs(s)))];
  const known = [...Object.keys(REPORTERS), ...Object.keys(CLASS_REPORTERS)];
  const bad = names.filter((n) => !known.includes(n));
  if (bad.length) throw new UsageError(`unknown reporter ${bad.join(', ')}; choose from ${known.join(', ')}`);
  return names.length ? names : ['terminal'];
}

/** Every --only/--exclude glob must select something: a typo would otherwise silently grade nothing, or everything. */
function checkGlobs(packs: readonly Pack[], only: string[], exclude: string[]): void {
  const ids = packs.flatMap((p) => p.rubric.checks.map((c) => c.id));
  for (const [flag, list] of [['--only', only], ['--exclude', exclude]] as const) {
    const dead = list.filter((g) => !ids.some((id) => matchGlob(g, id)));
    if (dead.length) throw new UsageError(`${flag} ${dead.map((g) => `"${g}"`).join(', ')} matches no check id (see \`chatgrade --list\`)`);
  }
  for (const pack of packs) {
    const left = pack.rubric.checks.filter((c) => (only.length === 0 || only.some((g) => matchGlob(g, c.id))) && !exclude.some((g) => matchGlob(g, c.id)));
    if (left.length === 0) throw new UsageError(`--only/--exclude leave no check of the ${pack.id} pack (see \`chatgrade --list\`)`);
  }
}

/** Shard i of n: every n-th submission of the sorted list, so shards are disjoint, cover the class and stay stable. */
export function shardOf<T>(items: readonly T[], shard: { index: number; count: number } | undefined): T[] {
  if (!shard) return [...items];
  return items.filter((_, i) => i % shard.count === shard.index - 1);
}

export async function gradeCommand(args: string[], opts: GradeCliOptions, io: CliIo): Promise<number> {
  let submissions: string[] = [];
  let reporters: string[] = [];
  try {
    const course: CourseConfig = opts.config ? loadCourseConfig(opts.config) : {};
    const chosen = namedPack(opts.pack ?? course.pack);
    submissions = shardOf(resolveSubmissions(args, chosen), opts.shard);
    reporters = reporterNames(opts.reporter);
    const packs = [...new Set(submissions.map((d) => packFor(d, chosen ? { pack: chosen } : {})))];
    // The course config is everyone's: a mistake in it stops the grading before it starts.
    for (const pack of packs) checkAgainstPack(course, pack, opts.config);
    const only = globs(opts.only);
    const exclude = globs(opts.exclude);
    checkGlobs(packs, only, exclude);
    if (reporters.some((r) => r !== 'terminal')) checkOut(opts.out);
    const sandbox = opts.sandbox ?? course.sandbox ?? 'auto';
    if (submissions.length === 0) {
      io.stderr(`chatgrade: shard ${opts.shard?.index}/${opts.shard?.count} holds no submission\n`);
      return 0;
    }

    const python = await prepareMachine(sandbox, io);
    if (sandbox === 'strict') chooseLevel('strict', await sandboxCapabilities({ fresh: true }));
    const setup: GradingSetup = {
      course,
      ...(chosen ? { pack: chosen } : {}),
      only,
      exclude,
      seed: opts.seed ?? newSeed(),
      jobs: opts.jobs ?? 2,
      timeoutScale: opts.timeoutScale ?? course.timeoutScale ?? 1,
      python,
      sandbox,
      screenshots: reporters.includes('html'),
      env: io.env,
      ...(opts.verbose && submissions.length === 1 ? { onWire: wireLog(io) } : {}),
    };
    return await gradeAndReport(submissions, setup, reporters, opts, io);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (err instanceof UsageError || err instanceof ConfigError) {
      io.stderr(`chatgrade: ${e.message}\n`);
    } else {
      io.stderr(`chatgrade: ${e.message}${e.code ? ` [${e.code}]` : ''}\n`);
      // Gradescope wants a results.json whatever happens: staff see why there is no grade.
      if (reporters.includes('gradescope')) writeFailures(submissions, e, opts, io);
    }
    return 2;
  }
}

/** Install what grading needs where we may (else say how), then find a Python with tkinter. */
async function prepareMachine(sandbox: SandboxMode, io: CliIo): Promise<PythonInfo> {
  const need = packagesForGrading(io.env).filter((p) => sandbox !== 'off' || p !== 'bubblewrap');
  await ensureSystemPackages({ need, allowInstall: true, env: io.env, log: (line) => io.stderr(`${line}\n`) });
  if (need.includes('bubblewrap')) await sandboxCapabilities({ fresh: true });
  return findPython({ env: io.env });
}

function wireLog(io: CliIo): (run: string, e: TranscriptEntry) => void {
  return (run, e) => io.stderr(`  [${run}] ${String(Math.round(e.t)).padStart(6)}ms ${e.dir === 'c>s' ? 'C>' : e.dir === 's>c' ? 'S>' : '  '} ${e.text.slice(0, 200)}\n`);
}

function writeFailures(submissions: readonly string[], err: Error & { code?: string }, opts: GradeCliOptions, io: CliIo): void {
  const names = folderNames(submissions);
  for (const dir of submissions) {
    const name = names.get(dir)!;
    const folder = join(opts.out, name);
    try {
      const text = renderGradescopeFailure({ errors: [{ code: err.code ?? 'grader.bug', message: err.message }], submission: { dir, name } }, opts.visibility ? { visibility: opts.visibility } : {});
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'results.json'), text);
      io.stderr(`wrote ${join(folder, 'results.json')}\n`);
    } catch {
      // Nothing more we can do: the message above says what went wrong.
    }
  }
}

async function gradeAndReport(submissions: string[], setup: GradingSetup, reporters: string[], opts: GradeCliOptions, io: CliIo): Promise<number> {
  const single = submissions.length === 1;
  const names = folderNames(submissions);
  const folders = new Map<GradeResult, string>();
  const ropts = { color: io.color, width: io.width, verbose: Boolean(opts.verbose), ...(opts.visibility ? { visibility: opts.visibility } : {}) };
  const progress = single ? undefined : io.tty ? liveProgress(submissions.length, io.tty) : plainProgress(submissions.length, io.stderr);
  let worst = 0;
  const onResult = (dir: string, result: GradeResult): void => {
    const folder = names.get(dir)!;
    // Two submissions with the same folder name: the second is known by its distinct report folder everywhere.
    result.submission.name = folder;
    folders.set(result, folder);
    const w = writeSubmission(result, reporters, join(opts.out, folder), { ...ropts, terminal: single || Boolean(opts.verbose) });
    for (const t of w.stdout) io.stdout(t);
    if (single) for (const n of w.notes) io.stderr(`${n}\n`);
    worst = Math.max(worst, exitCodeOf(result, opts, io, single));
  };
  const outcome = await gradeClass(submissions, setup, {
    repeat: opts.repeat ?? 1,
    interrupted: io.interrupted,
    started: (dir) => progress?.started(names.get(dir)!),
    finished: (dir, result) => {
      progress?.finished(names.get(dir)!, result);
      onResult(dir, result);
    },
  });
  progress?.done();
  const results = outcome.results;
  if (outcome.interrupted) {
    await killAllTracked(200);
    io.stderr(`chatgrade: interrupted; every client process was stopped (${results.length} of ${submissions.length} graded)\n`);
  }
  const w = writeClass(results, reporters, opts.out, folders, { ...ropts, env: io.env });
  for (const t of w.stdout) io.stdout(t);
  if (!single) {
    io.stdout(`\n${renderClassSummary(results, ropts)}`);
    for (const n of w.notes) io.stderr(`${n}\n`);
    io.stderr(`reports in ${opts.out}/<submission>/\n`);
  }
  if ((opts.repeat ?? 1) > 1) worst = Math.max(worst, reportVaried(outcome.runs, io));
  return outcome.interrupted ? 130 : worst;
}

function exitCodeOf(result: GradeResult, opts: GradeCliOptions, io: CliIo, single: boolean): number {
  for (const e of result.errors) io.stderr(`chatgrade: ${result.submission.name}: ${e.message} [${e.code}]\n`);
  const incomplete = result.errors.length > 0 || result.checks.some((c) => c.status === 'error');
  if (incomplete) {
    if (single) io.stderr(`chatgrade: ${result.submission.name}: some checks could not be measured (harness errors above); this grade is incomplete\n`);
    return 2;
  }
  if (opts.failUnder !== undefined && result.score.points < opts.failUnder) {
    io.stderr(`chatgrade: ${result.submission.name} scored ${result.score.points}, under --fail-under ${opts.failUnder}\n`);
    return 1;
  }
  return 0;
}

/** --repeat: every check whose verdict was not the same in every grading; exit 1 if there is one. */
function reportVaried(runs: readonly GradeResult[][], io: CliIo): number {
  const varied = verdictsThatVaried(runs);
  if (varied.length === 0) {
    io.stdout(`\n--repeat ${runs.length}: every verdict was the same in all ${runs.length} gradings (seeds ${runs.map((r) => r[0]?.seed).join(', ')})\n`);
    return 0;
  }
  io.stdout(`\n--repeat ${runs.length}: ${varied.length} verdict(s) varied:\n`);
  for (const v of varied) io.stdout(`  ${v.submission}  ${v.check}  ${v.verdicts.join(' / ')}\n`);
  return 1;
}
