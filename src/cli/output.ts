// Where reports go: one folder per submission under --out (a safe, readable
// and unique form of its name), class files at its root,
// the GitHub step summary appended to $GITHUB_STEP_SUMMARY. The only module
// that writes report files.

import { createHash } from 'node:crypto';
import { accessSync, appendFileSync, constants, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import anyAscii from 'any-ascii';
import { CLASS_REPORTERS, REPORTERS, gradescopeStaffNotes, renderClassSafely, renderSafely, type ClassContext, type ReporterOptions } from '../reporters/index.js';
import { renderClassIndex } from '../reporters/html/index.js';
import type { GradeResult } from '../results.js';

/** A usage problem the CLI reports with exit 2 before grading anything. */
export class UsageError extends Error {
  readonly code = 'grade.usage';
}

/**
 * Make a folder and its missing parents, one level at a time: the nearest
 * one that exists must be a folder we may write in, and every mkdir is a
 * single call that fails or succeeds at once. (Node's recursive mkdir loops
 * forever on some paths, /proc/x among them, and blocks even Ctrl-C.)
 */
export function makeDir(path: string): void {
  const dir = resolve(path);
  const missing: string[] = [];
  let at = dir;
  for (;;) {
    let st;
    try {
      st = statSync(at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const up = dirname(at);
      if (up === at) throw err;
      missing.unshift(at);
      at = up;
      continue;
    }
    if (!st.isDirectory()) throw new Error(`${at} is a file, not a folder`);
    break;
  }
  if (missing.length > 0) accessSync(at, constants.W_OK | constants.X_OK);
  for (const m of missing) mkdirSync(m);
}

/** Make sure --out can be written, before a minute of grading is spent. */
export function checkOut(out: string): void {
  const dir = resolve(out);
  try {
    if (statSync(dir, { throwIfNoEntry: false })?.isFile()) throw new Error('it is a file, not a folder');
    makeDir(dir);
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const why = (err as Error).message;
    throw new UsageError(why.includes('not a folder') && !why.includes('/') ? `--out ${out} is a file, not a folder` : `--out ${out} cannot be written: ${why}`);
  }
}

const hash6 = (dir: string): string => createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 6);

/** A submission's own name: its folder's name, exactly, in Unicode NFC. */
export function submissionName(dir: string): string {
  return basename(resolve(dir)).normalize('NFC');
}

/**
 * A report folder name per submission: safe on any file system and readable
 * (the folder's name transliterated to ASCII by any-ascii: "李雷" is "LiLei",
 * "Zoë Müller" is "Zoe_Muller"); when two would be the same (ignoring
 * case), each gets a short hash of its path ("alice-3f9a0c"). The same
 * submission gets the same folder whatever else is graded with it.
 */
export function folderNames(dirs: readonly string[]): Map<string, string> {
  const safe = (dir: string): string => {
    const ascii = anyAscii(submissionName(dir)).replace(/[^\w.@+-]+/g, '_').replace(/^[._-]+|[._-]+$/g, '').slice(0, 80);
    return ascii || 'submission';
  };
  const bases = new Map(dirs.map((d) => [d, safe(d)] as const));
  const count = new Map<string, number>();
  for (const b of bases.values()) count.set(b.toLowerCase(), (count.get(b.toLowerCase()) ?? 0) + 1);
  const out = new Map<string, string>();
  for (const [dir, b] of bases) out.set(dir, count.get(b.toLowerCase())! > 1 ? `${b}-${hash6(dir)}` : b);
  return out;
}

/** What writing produced: lines for stderr (files written, reporter faults). */
export interface Written {
  notes: string[];
  stdout: string[];
}

/** Write one submission's file reporters into `folder`; the terminal reporter's text is returned, not printed. */
export function writeSubmission(result: GradeResult, names: readonly string[], folder: string, opts: ReporterOptions & { terminal: boolean }): Written {
  const w: Written = { notes: [], stdout: [] };
  for (const name of names) {
    if (!(name in REPORTERS)) continue;
    const r = renderSafely(name, result, opts);
    if (!r.ok) {
      w.notes.push(`the ${name} reporter failed: ${r.error.message}`);
      continue;
    }
    // In a class, the terminal report of each submission goes to a file.
    const file = r.file ?? (opts.terminal ? undefined : 'report.txt');
    if (!file) {
      w.stdout.push(r.text.endsWith('\n') ? r.text : `${r.text}\n`);
      continue;
    }
    makeDir(folder);
    writeFileSync(join(folder, file), r.text);
    w.notes.push(`wrote ${join(folder, file)}`);
  }
  // Gradescope shows the autograder's stdout to course staff only: what students must not see goes there.
  if (names.includes('gradescope')) for (const n of gradescopeStaffNotes(result)) w.stdout.push(`${n}\n`);
  return w;
}

/** Write the class reporters' outputs (and index.html with the html reporter) at the root of `out`. */
export function writeClass(results: readonly GradeResult[], names: readonly string[], out: string, folders: ReadonlyMap<GradeResult, string>, opts: ReporterOptions & { env: NodeJS.ProcessEnv; context?: ClassContext }): Written {
  const w: Written = { notes: [], stdout: [] };
  makeDir(out);
  for (const name of names) {
    if (!(name in CLASS_REPORTERS)) continue;
    const r = renderClassSafely(name, results, opts, CLASS_REPORTERS, opts.context);
    if (!r.ok) {
      w.notes.push(`the ${name} reporter failed: ${r.error.message}`);
      continue;
    }
    for (const o of r.outputs) {
      if (o.to === 'file') {
        writeFileSync(join(out, o.file), o.text);
        w.notes.push(`wrote ${join(out, o.file)}`);
      } else if (o.to === 'stdout') {
        if (o.text) w.stdout.push(o.text.endsWith('\n') ? o.text : `${o.text}\n`);
      } else if (opts.env.GITHUB_STEP_SUMMARY) {
        makeDir(dirname(opts.env.GITHUB_STEP_SUMMARY));
        appendFileSync(opts.env.GITHUB_STEP_SUMMARY, o.text);
        w.notes.push(`appended the summary to ${opts.env.GITHUB_STEP_SUMMARY}`);
      }
    }
  }
  if (names.includes('html') && results.length + (opts.context?.notGraded?.length ?? 0) > 1) {
    try {
      const notGraded = opts.context?.notGraded ?? [];
      writeFileSync(join(out, 'index.html'), renderClassIndex(results.map((result) => ({ result, folder: folders.get(result) ?? result.submission.folder ?? result.submission.name })), { notGraded }));
      w.notes.push(`wrote ${join(out, 'index.html')}`);
    } catch (err) {
      w.notes.push(`the html class index failed: ${(err as Error).message}`);
    }
  }
  return w;
}
