// `grade <dir>`: resolve submissions and the environment, grade, report,
// write files, and choose the exit code (0 graded, 1 under --fail-under,
// 2 harness or environment error).

import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, checkAgainstPack, loadCourseConfig, type CourseConfig } from '../config.js';
import { findPython } from '../env/index.js';
import type { TranscriptEntry } from '../fake-server/session.js';
import { selectChecks } from '../grade.js';
import type { Pack } from '../pack.js';
import { PACKS, detectPack, packById } from '../packs/index.js';
import { killAllTracked } from '../proc/index.js';
import { newSeed } from '../random.js';
import { REPORTERS, renderSafely, type ReporterName } from '../reporters/index.js';
import type { GradeResult } from '../results.js';
import { chooseLevel, sandboxCapabilities, type SandboxMode } from '../sandbox/index.js';
import { gradeFolder, packFor, type GradingSetup } from '../submission.js';

export interface GradeCliOptions {
  pack?: string;
  sandbox?: SandboxMode;
  seed?: string;
  jobs: number;
  only?: string;
  exclude?: string;
  list?: boolean;
  timeoutScale?: number;
  verbose?: boolean;
  reporter: string;
  out: string;
  config?: string;
  failUnder?: number;
}

interface CliIo {
  stdout: (t: string) => void;
  stderr: (t: string) => void;
  color: boolean;
  interrupted: Promise<void>;
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

class UsageError extends Error {}

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

const globs = (s: string | undefined): string[] => (s ?? '').split(',').map((g) => g.trim()).filter(Boolean);

/** The pack named by --pack or the course config, if any; a usage error for an unknown name. */
export function namedPack(name: string | undefined): Pack | undefined {
  if (name === undefined) return undefined;
  const pack = packById(name);
  if (!pack) throw new UsageError(`unknown pack "${name}"; choose from ${PACKS.map((p) => p.id).join(', ')}`);
  return pack;
}

/** Submission folders: each argument is a submission (has a pack's entry file or grade.json) or a folder of them. */
function resolveSubmissions(args: string[], pack: Pack | undefined): string[] {
  if (args.length === 0) throw new UsageError('name a submission folder, e.g. `grade examples/reference-client` (`grade --help` for more)');
  const out: string[] = [];
  const entries = pack ? pack.entries : PACKS.flatMap((p) => p.entries);
  for (const arg of args) {
    const dir = resolve(arg);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${arg} is not a folder`);
    const isSubmission = (d: string) => entries.some((e) => existsSync(join(d, e))) || existsSync(join(d, 'grade.json'));
    if (isSubmission(dir)) {
      out.push(dir);
      continue;
    }
    const subs = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && isSubmission(join(dir, e.name)))
      .map((e) => join(dir, e.name))
      .sort();
    if (subs.length === 0) throw new UsageError(`${arg} has no ${entries.join(' or ')}, and no sub-folder with one: is it a submission folder?`);
    out.push(...subs);
  }
  return out;
}

function reporterNames(spec: string): ReporterName[] {
  const names = globs(spec);
  const bad = names.filter((n) => !(n in REPORTERS));
  if (bad.length) throw new UsageError(`unknown reporter ${bad.join(', ')}; choose from ${Object.keys(REPORTERS).join(', ')}`);
  return names as ReporterName[];
}

export async function gradeCommand(args: string[], opts: GradeCliOptions, io: CliIo): Promise<number> {
  try {
    const course: CourseConfig = opts.config ? loadCourseConfig(opts.config) : {};
    const chosen = namedPack(opts.pack ?? course.pack);
    const submissions = resolveSubmissions(args, chosen);
    // The course config is everyone's: a mistake in it stops the grading before it starts.
    for (const pack of new Set(submissions.map((d) => packFor(d, chosen ? { pack: chosen } : {})))) checkAgainstPack(course, pack, opts.config);
    const reporters = reporterNames(opts.reporter);
    const only = globs(opts.only);
    const exclude = globs(opts.exclude);
    if (selectChecks((chosen ?? detectPack(submissions[0]!) ?? PACKS[0]!).rubric, only, exclude).length === 0) {
      throw new UsageError('--only/--exclude selected no check (see `grade --list`)');
    }
    const python = await findPython();
    const setup: GradingSetup = {
      course,
      ...(chosen ? { pack: chosen } : {}),
      only,
      exclude,
      seed: opts.seed ?? newSeed(),
      jobs: opts.jobs,
      timeoutScale: opts.timeoutScale ?? course.timeoutScale ?? 1,
      python,
      sandbox: opts.sandbox ?? course.sandbox ?? 'auto',
      screenshots: reporters.includes('html'),
      ...(opts.verbose ? { onWire: (run: string, e: TranscriptEntry) => io.stderr(`  [${run}] ${String(Math.round(e.t)).padStart(6)}ms ${e.dir === 'c>s' ? 'C>' : e.dir === 's>c' ? 'S>' : '  '} ${e.text.slice(0, 200)}\n`) } : {}),
    };
    if (setup.sandbox === 'strict') chooseLevel('strict', await sandboxCapabilities());
    let worst = 0;
    for (const dir of submissions) {
      const interrupted = io.interrupted.then(() => 'interrupted' as const);
      const result = await Promise.race([gradeFolder(dir, setup), interrupted]);
      if (result === 'interrupted') {
        await killAllTracked(200);
        io.stderr('grade: interrupted; every client process was stopped\n');
        return 130;
      }
      worst = Math.max(worst, report(result, reporters, opts, io));
    }
    return worst;
  } catch (err) {
    const e = err as Error & { code?: string };
    if (err instanceof UsageError || err instanceof ConfigError) io.stderr(`grade: ${e.message}\n`);
    else io.stderr(`grade: ${e.message}${e.code ? ` [${e.code}]` : ''}\n`);
    return 2;
  }
}

/** Render and write one submission's reports; its exit code. */
function report(result: GradeResult, reporters: ReporterName[], opts: GradeCliOptions, io: CliIo): number {
  const folder = join(opts.out, result.submission.name);
  for (const name of reporters) {
    const r = renderSafely(name, result, { color: io.color, verbose: Boolean(opts.verbose) });
    if (!r.ok) {
      io.stderr(`grade: the ${name} reporter failed: ${r.error.message}\n`);
      continue;
    }
    if (!r.file) {
      io.stdout(r.text.endsWith('\n') ? r.text : `${r.text}\n`);
      continue;
    }
    mkdirSync(folder, { recursive: true });
    const path = join(folder, r.file);
    writeFileSync(path, r.text);
    io.stderr(`wrote ${path}\n`);
  }
  for (const e of result.errors) io.stderr(`grade: ${result.submission.name}: ${e.message} [${e.code}]\n`);
  const incomplete = result.errors.length > 0 || result.checks.some((c) => c.status === 'error');
  if (incomplete) {
    io.stderr(`grade: ${result.submission.name}: some checks could not be measured (harness errors above); this grade is incomplete\n`);
    return 2;
  }
  if (opts.failUnder !== undefined && result.score.points < opts.failUnder) {
    io.stderr(`grade: ${result.submission.name} scored ${result.score.points}, under --fail-under ${opts.failUnder}\n`);
    return 1;
  }
  return 0;
}
