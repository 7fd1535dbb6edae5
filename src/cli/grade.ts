// `grade <dir>`: resolve submissions and the environment, grade, report,
// write files, and choose the exit code (0 graded, 1 under --fail-under,
// 2 harness or environment error).

import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, launchFor, loadCourseConfig, loadSubmissionConfig, weightsFor, type CourseConfig } from '../config.js';
import { acquireDisplay, findPython, type DisplayLease } from '../env/index.js';
import { gradeSubmission, selectChecks } from '../grade.js';
import { killAllTracked } from '../proc/index.js';
import { REPORTERS, renderSafely, type ReporterName } from '../reporters/index.js';
import type { GradeResult } from '../results.js';
import { AREAS, CHECKS, LINES } from '../rubric.js';
import { makeLauncher } from '../scenarios/launcher.js';
import { newSeed } from '../scenarios/random.js';
import { SCRIPTS } from '../scenarios/index.js';

export interface GradeCliOptions {
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
export function listChecks(): string {
  const out: string[] = [];
  for (const area of AREAS) {
    out.push(`${area.title}${area.bonus ? ' (bonus)' : ''}`);
    for (const line of LINES.filter((l) => l.area === area.id)) {
      const checks = CHECKS.filter((c) => c.line === line.id);
      out.push(`  ${line.title} (${checks.reduce((n, c) => n + c.points, 0)})`);
      for (const c of checks) out.push(`    ${c.id.padEnd(40)} ${String(c.points).padStart(2)}  ${c.requirement}`);
    }
  }
  return `${out.join('\n')}\n`;
}

class UsageError extends Error {}

const globs = (s: string | undefined): string[] => (s ?? '').split(',').map((g) => g.trim()).filter(Boolean);

/** Submission folders: each argument is a submission (has main.py or grade.json) or a folder of them. */
function resolveSubmissions(args: string[]): string[] {
  if (args.length === 0) throw new UsageError('name a submission folder, e.g. `grade examples/reference-client` (`grade --help` for more)');
  const out: string[] = [];
  for (const arg of args) {
    const dir = resolve(arg);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${arg} is not a folder`);
    const isSubmission = (d: string) => existsSync(join(d, 'main.py')) || existsSync(join(d, 'grade.json'));
    if (isSubmission(dir)) {
      out.push(dir);
      continue;
    }
    const subs = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && isSubmission(join(dir, e.name)))
      .map((e) => join(dir, e.name))
      .sort();
    if (subs.length === 0) throw new UsageError(`${arg} has no main.py, and no sub-folder with one: is it a submission folder?`);
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
  let display: DisplayLease | undefined;
  try {
    const submissions = resolveSubmissions(args);
    const reporters = reporterNames(opts.reporter);
    const course: CourseConfig = opts.config ? loadCourseConfig(opts.config) : {};
    const checks = selectChecks(globs(opts.only), globs(opts.exclude));
    if (checks.length === 0) throw new UsageError('--only/--exclude selected no check (see `grade --list`)');
    const needsClient = SCRIPTS.some((s) => checks.includes(s.id) && s.run !== 'static');
    const seed = opts.seed ?? newSeed();
    const timeoutScale = opts.timeoutScale ?? course.timeoutScale ?? 1;
    const weights = weightsFor(course);

    const python = await findPython();
    if (needsClient) display = await acquireDisplay();
    let worst = 0;
    for (const dir of submissions) {
      const launch = launchFor(course, loadSubmissionConfig(dir));
      const grading = gradeSubmission({
        dir,
        seed,
        jobs: opts.jobs,
        checks,
        weights,
        timeoutScale,
        python: { executable: python.executable, version: python.version, tkVersion: python.tkVersion },
        display: display?.display,
        launcher: makeLauncher({ dir, python: python.executable, display: display?.display, launch, timeoutScale }),
        onWire: opts.verbose ? (run, e) => io.stderr(`  [${run}] ${String(Math.round(e.t)).padStart(6)}ms ${e.dir === 'c>s' ? 'C>' : e.dir === 's>c' ? 'S>' : '  '} ${e.text.slice(0, 200)}\n`) : undefined,
      });
      const interrupted = io.interrupted.then(() => 'interrupted' as const);
      const result = await Promise.race([grading, interrupted]);
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
  } finally {
    await display?.release();
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
