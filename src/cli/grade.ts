// `chatgrade <dir>...`: resolve the submissions and the environment, grade
// them (a class at once, within --jobs), report, and choose the exit code:
// 0 graded, 1 under --fail-under (or verdicts that varied with --repeat),
// 2 a harness or environment error or an incomplete grade, 130 interrupted.

import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
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
import { parseRoster, parseRosterColumns, RosterError, type Roster } from '../roster.js';
import { chooseLevel, sandboxCapabilities, type SandboxMode } from '../sandbox/index.js';
import { packFor, type GradingSetup } from '../submission.js';
import { didYouMean } from '../suggest.js';
import { gradeClass, verdictsThatVaried } from './class.js';
import { UsageError, checkOut, folderNames, makeDir, submissionName, writeClass, writeSubmission } from './output.js';
import { liveProgress, plainProgress } from './progress.js';
import { previousClass, type Previous } from './rerun.js';

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
  /** A roster CSV: the gradebook carries its students' ids, names and emails. */
  roster?: string;
  /** `id=SID,name=Name,...`: which roster columns hold what. */
  rosterColumns?: string;
  /** An --out folder of an earlier grading: grade again its incomplete and ungraded submissions, and merge. */
  rerunIncomplete?: string;
  /** Stop the class once this many checks have failed (counted as submissions finish). */
  bail?: number;
  /** Show the client on the user's own display, check by check (one submission). */
  headed?: boolean;
  /** With --headed: wait this long before each GUI action. */
  slowMo?: number;
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
  if (bad.length) throw new UsageError(`unknown reporter ${bad.map((b) => `${b}${didYouMean(b, known)}`).join(', ')}; choose from ${known.join(', ')}`);
  return names.length ? names : ['terminal'];
}

/** Every --only/--exclude glob must select something: a typo would otherwise silently grade nothing, or everything. */
function checkGlobs(packs: readonly Pack[], only: string[], exclude: string[]): void {
  const ids = packs.flatMap((p) => p.rubric.checks.map((c) => c.id));
  // A glob is compared with the ids and with the globs of their lines and areas ("conv.sned.*" is "conv.send.*").
  const known = [...new Set([...ids, ...packs.flatMap((p) => [...p.rubric.lines.map((l) => `${l.id}.*`), ...p.rubric.areas.map((a) => `${a.id}.*`)])])];
  for (const [flag, list] of [['--only', only], ['--exclude', exclude]] as const) {
    const dead = list.filter((g) => !ids.some((id) => matchGlob(g, id)));
    if (dead.length) throw new UsageError(`${flag} ${dead.map((g) => `"${g}"${didYouMean(g, known)}`).join(', ')} matches no check id (see \`chatgrade --list\`)`);
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
    let previous: Previous | undefined;
    if (opts.rerunIncomplete !== undefined) {
      if (args.length > 0) throw new UsageError(`--rerun-incomplete grades again the submissions of ${opts.rerunIncomplete}: name no folder with it`);
      previous = previousClass(opts.rerunIncomplete);
      opts = { ...opts, out: opts.rerunIncomplete, reporter: [...opts.reporter, 'csv'] };
      if (previous.again.length === 0) {
        io.stderr(`chatgrade: every grade in ${opts.out} is complete; nothing to grade again\n`);
        return 0;
      }
    }
    const all = previous ? previous.again : resolveSubmissions(args, chosen);
    submissions = shardOf(all, opts.shard);
    reporters = reporterNames(opts.reporter);
    const packs = [...new Set(submissions.map((d) => packFor(d, chosen ? { pack: chosen } : {})))];
    // The course config is everyone's: a mistake in it stops the grading before it starts.
    for (const pack of packs) checkAgainstPack(course, pack, opts.config);
    const only = globs(opts.only);
    const exclude = globs(opts.exclude);
    checkGlobs(packs, only, exclude);
    const roster = opts.roster === undefined ? undefined : readRoster(opts.roster, opts.rosterColumns);
    const headed = headedDisplay(opts, submissions, io.env);
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
      ...(headed ? { headed, ...watchChecks(io) } : {}),
    };
    // Folder names from the whole class, so a shard or a re-run names each submission as the whole class did.
    const names = folderNames(previous ? [...previous.keep.map((r) => r.submission.dir), ...all] : all);
    return await gradeAndReport(submissions, setup, reporters, opts, io, { names, previous, ...(roster ? { roster } : {}) });
  } catch (err) {
    const e = err as Error & { code?: string };
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof RosterError) {
      io.stderr(`chatgrade: ${e.message}\n`);
    } else {
      io.stderr(`chatgrade: ${e.message}${e.code ? ` [${e.code}]` : ''}\n`);
      // Gradescope wants a results.json whatever happens: staff see why there is no grade.
      if (reporters.includes('gradescope')) writeFailures(submissions, e, opts, io);
    }
    return 2;
  }
}

function readRoster(file: string, columns: string | undefined): Roster {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--roster ${file} cannot be read: ${(err as Error).message}`);
  }
  return parseRoster(text, parseRosterColumns(columns ?? ''), file);
}

/** --headed: one submission, on a local display of the user's; --slow-mo only with it. */
function headedDisplay(opts: GradeCliOptions, submissions: readonly string[], env: NodeJS.ProcessEnv): GradingSetup['headed'] {
  if (!opts.headed) {
    if (opts.slowMo !== undefined) throw new UsageError('--slow-mo goes with --headed');
    return undefined;
  }
  if (submissions.length !== 1) throw new UsageError(`--headed shows one submission at a time; ${submissions.length} were given`);
  if (!env.DISPLAY) throw new UsageError('--headed needs a display to show the client on: DISPLAY is not set');
  return { display: env.DISPLAY, slowMo: opts.slowMo ?? 0 };
}

/** --headed: each check's name as it starts, and its verdict as it ends, so a student can follow the window. */
function watchChecks(io: CliIo): Pick<GradingSetup, 'onCheckStart' | 'onCheck'> {
  return {
    onCheckStart: (c) => io.stderr(`\n> ${c.id}: ${c.requirement}\n`),
    onCheck: (r) => io.stderr(`  ${r.status === 'passed' ? 'PASS' : r.status === 'failed' ? 'FAIL' : r.status === 'error' ? 'NOT MEASURED' : 'SKIPPED'} ${r.id}\n`),
  };
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
    const folder = join(opts.out, names.get(dir)!);
    try {
      const text = renderGradescopeFailure({ errors: [{ code: err.code ?? 'grader.bug', message: err.message }], submission: { dir, name: submissionName(dir) } }, opts.visibility ? { visibility: opts.visibility } : {});
      makeDir(folder);
      writeFileSync(join(folder, 'results.json'), text);
      io.stderr(`wrote ${join(folder, 'results.json')}\n`);
    } catch {
      // Nothing more we can do: the message above says what went wrong.
    }
  }
}

/** What gradeAndReport needs beyond the setup: report folders, the earlier grading being completed, the roster. */
interface ClassPlan {
  names: Map<string, string>;
  previous?: Previous | undefined;
  roster?: Roster;
}

async function gradeAndReport(submissions: string[], setup: GradingSetup, reporters: string[], opts: GradeCliOptions, io: CliIo, plan: ClassPlan): Promise<number> {
  const single = submissions.length === 1 && !plan.previous;
  const { names } = plan;
  const folders = new Map<GradeResult, string>();
  const ropts = { color: io.color, width: io.width, verbose: Boolean(opts.verbose), ...(opts.visibility ? { visibility: opts.visibility } : {}) };
  const progress = single ? undefined : io.tty ? liveProgress(submissions.length, io.tty) : plainProgress(submissions.length, io.stderr);
  // While the live view is up, every message goes above it, never under its next frame.
  const say = (text: string): void => (progress ? progress.note(text) : io.stderr(text));
  let worst = 0;
  let stoppedByUser = false;
  void io.interrupted.then(() => (stoppedByUser = true));
  let failedChecks = 0;
  let bail!: () => void;
  let bailed = false;
  const bailing = new Promise<void>((resolve) => (bail = resolve));
  const onResult = (dir: string, result: GradeResult): void => {
    const folder = names.get(dir)!;
    result.submission.name = submissionName(dir);
    if (folder !== result.submission.name) result.submission.folder = folder;
    folders.set(result, folder);
    const w = writeSubmission(result, reporters, join(opts.out, folder), { ...ropts, terminal: single || Boolean(opts.verbose) });
    for (const t of w.stdout) io.stdout(t);
    if (single) for (const n of w.notes) io.stderr(`${n}\n`);
    worst = Math.max(worst, exitCodeOf(result, opts, say, single));
    failedChecks += result.checks.filter((c) => c.status === 'failed').length;
    if (opts.bail !== undefined && failedChecks >= opts.bail && !bailed) {
      bailed = true;
      say(`chatgrade: --bail ${opts.bail}: ${failedChecks} checks have failed; stopping\n`);
      bail();
    }
  };
  const outcome = await gradeClass(submissions, setup, {
    repeat: opts.repeat ?? 1,
    interrupted: Promise.race([io.interrupted, bailing]),
    started: (dir) => progress?.started(submissionName(dir)),
    finished: (dir, result) => {
      progress?.finished(submissionName(dir), result);
      onResult(dir, result);
    },
  });
  progress?.done();
  const graded = new Set(outcome.results.map((r) => r.submission.dir));
  const notGraded = submissions.filter((d) => !graded.has(resolve(d))).map((dir) => ({ dir: resolve(dir), name: submissionName(dir) }));
  if (outcome.interrupted) {
    await killAllTracked(200);
    io.stderr(`chatgrade: ${bailed ? 'stopped by --bail' : 'interrupted'}; every client process was stopped (${outcome.results.length} of ${submissions.length} graded)\n`);
  }
  // A re-run keeps the earlier grades it did not redo, each in its own folder.
  const kept = plan.previous?.keep ?? [];
  for (const r of kept) folders.set(r, r.submission.folder ?? r.submission.name);
  const results = [...kept, ...outcome.results];
  const w = writeClass(results, reporters, opts.out, folders, { ...ropts, env: io.env, context: { notGraded, ...(plan.roster ? { roster: plan.roster } : {}) } });
  for (const t of w.stdout) io.stdout(t);
  if (!single) {
    io.stdout(`\n${renderClassSummary(results, ropts)}`);
    if (notGraded.length > 0) io.stdout(`${notGraded.length} not graded (grading was stopped before them): ${notGraded.map((n) => n.name).join(', ')}\n`);
    for (const n of w.notes) io.stderr(`${n}\n`);
    io.stderr(`reports in ${opts.out}/<submission>/\n`);
  }
  if ((opts.repeat ?? 1) > 1) worst = Math.max(worst, reportVaried(outcome.runs, io));
  if (outcome.interrupted && stoppedByUser) return 130;
  return bailed ? Math.max(worst, 1) : worst;
}

function exitCodeOf(result: GradeResult, opts: GradeCliOptions, say: (text: string) => void, single: boolean): number {
  for (const e of result.errors) say(`chatgrade: ${result.submission.name}: ${e.message} [${e.code}]\n`);
  const incomplete = result.errors.length > 0 || result.checks.some((c) => c.status === 'error');
  if (incomplete) {
    if (single) say(`chatgrade: ${result.submission.name}: some checks could not be measured (harness errors above); this grade is incomplete\n`);
    return 2;
  }
  if (opts.failUnder !== undefined && result.score.points < opts.failUnder) {
    say(`chatgrade: ${result.submission.name} scored ${result.score.points}, under --fail-under ${opts.failUnder}\n`);
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
