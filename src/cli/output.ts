// Where reports go: one folder per submission under --out (two submissions
// with the same folder name get distinct folders), class files at its root,
// the GitHub step summary appended to $GITHUB_STEP_SUMMARY. The only module
// that writes report files.

import { accessSync, appendFileSync, constants, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CLASS_REPORTERS, REPORTERS, renderClassSafely, renderSafely, type ReporterOptions } from '../reporters/index.js';
import { renderClassIndex } from '../reporters/html/index.js';
import type { GradeResult } from '../results.js';

/** A usage problem the CLI reports with exit 2 before grading anything. */
export class UsageError extends Error {
  readonly code = 'grade.usage';
}

/** Make sure --out can be written, before a minute of grading is spent. */
export function checkOut(out: string): void {
  const dir = resolve(out);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--out ${out} is a file, not a folder`);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new UsageError(`--out ${out} cannot be written: ${(err as Error).message}`);
  }
}

/**
 * A report folder name per submission: its folder's name, made distinct
 * (alice, alice-2...) when two submissions share one, in the order given.
 */
export function folderNames(dirs: readonly string[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const dir of dirs) {
    const base = basename(dir).replace(/[^\w.@+-]/g, '_') || 'submission';
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
    used.add(name);
    out.set(dir, name);
  }
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
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, file), r.text);
    w.notes.push(`wrote ${join(folder, file)}`);
  }
  return w;
}

/** Write the class reporters' outputs (and index.html with the html reporter) at the root of `out`. */
export function writeClass(results: readonly GradeResult[], names: readonly string[], out: string, folders: ReadonlyMap<GradeResult, string>, opts: ReporterOptions & { env: NodeJS.ProcessEnv }): Written {
  const w: Written = { notes: [], stdout: [] };
  mkdirSync(out, { recursive: true });
  for (const name of names) {
    if (!(name in CLASS_REPORTERS)) continue;
    const r = renderClassSafely(name, results, opts);
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
        mkdirSync(dirname(opts.env.GITHUB_STEP_SUMMARY), { recursive: true });
        appendFileSync(opts.env.GITHUB_STEP_SUMMARY, o.text);
        w.notes.push(`appended the summary to ${opts.env.GITHUB_STEP_SUMMARY}`);
      }
    }
  }
  if (names.includes('html') && results.length > 1) {
    try {
      writeFileSync(join(out, 'index.html'), renderClassIndex(results.map((result) => ({ result, folder: folders.get(result) ?? result.submission.name }))));
      w.notes.push(`wrote ${join(out, 'index.html')}`);
    } catch (err) {
      w.notes.push(`the html class index failed: ${(err as Error).message}`);
    }
  }
  return w;
}
