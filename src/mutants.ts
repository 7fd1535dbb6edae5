// A pack's calibrated mutants (e.g. examples/mutants/ for chat): each is its
// reference plus one defect, and names the exact checks it must fail.
// Patches are applied by our own strict unified-diff applier: no fuzz, no
// offsets, no `patch` binary, so a drifted reference fails loudly.

import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { Pack } from './pack.js';

/** One mutant as mutants.json declares it. */
export interface Mutant {
  name: string;
  /** File name of the patch, relative to the manifest's folder. */
  patch: string;
  description: string;
  /** Check ids that must fail; every other check must pass. */
  fails: string[];
  /** Of `fails`, those flagged for review (the grader recognised nothing there); default none. */
  review: string[];
}

/** A materialised mutant: a temp folder holding the patched client. */
export interface MaterialisedMutant {
  dir: string;
  dispose(): Promise<void>;
}

/** A mutant could not be listed or built; `code` is 'mutant.badManifest', 'mutant.unknown' or 'mutant.patchFailed'. */
export class MutantError extends Error {
  constructor(
    readonly code: 'mutant.badManifest' | 'mutant.unknown' | 'mutant.patchFailed',
    message: string,
  ) {
    super(message);
    this.name = 'MutantError';
  }
}

const manifestSchema = z.object({
  mutants: z.array(
    z.object({
      name: z.string().regex(/^[a-z0-9_]+$/),
      patch: z.string().regex(/^[a-z0-9_]+\.patch$/),
      description: z.string().min(1),
      fails: z.array(z.string()).min(1),
      review: z.array(z.string()).default([]),
    }),
  ),
});

/** Read and validate the pack's mutants.json; synchronous so tests can build their cases from it. */
export function listMutants(pack: Pick<Pack, 'mutants' | 'rubric'>): Mutant[] {
  const dir = pack.mutants;
  const file = path.join(dir, 'mutants.json');
  let parsed: z.infer<typeof manifestSchema>;
  try {
    parsed = manifestSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new MutantError('mutant.badManifest', `${file}: ${(err as Error).message}`);
  }
  const known = new Set(pack.rubric.checks.map((c) => c.id));
  const seen = new Set<string>();
  for (const m of parsed.mutants) {
    if (seen.has(m.name)) throw new MutantError('mutant.badManifest', `${file}: mutant ${m.name} is listed twice`);
    seen.add(m.name);
    const unknown = m.fails.filter((id) => !known.has(id));
    if (unknown.length) throw new MutantError('mutant.badManifest', `${file}: mutant ${m.name} names unknown checks ${unknown.join(', ')}`);
    const unfailed = m.review.filter((id) => !m.fails.includes(id));
    if (unfailed.length) throw new MutantError('mutant.badManifest', `${file}: mutant ${m.name} flags for review checks it does not fail: ${unfailed.join(', ')}`);
  }
  return parsed.mutants;
}

/** Copy the pack's reference into a fresh temp folder and apply the named mutant's patch. */
export async function materialiseMutant(pack: Pick<Pack, 'mutants' | 'reference' | 'rubric'>, name: string): Promise<MaterialisedMutant> {
  const mutantsDir = pack.mutants;
  const mutant = listMutants(pack).find((m) => m.name === name);
  if (!mutant) throw new MutantError('mutant.unknown', `no mutant named ${name} in ${mutantsDir}`);
  const patch = await readFile(path.join(mutantsDir, mutant.patch), 'utf8');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chatgrade-mutant-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    await cp(pack.reference, dir, {
      recursive: true,
      filter: (src) => path.basename(src) !== '__pycache__',
    });
    await applyPatch(dir, patch);
  } catch (err) {
    await dispose();
    throw err;
  }
  return { dir, dispose };
}

/**
 * The reference and every mutant as one folder of submissions (a class, the
 * way calibration and scripts/bench-class.mjs grade them): `reference/` and a
 * folder per mutant, in a new temporary folder. Returns the folder and the
 * submissions' names; `dispose()` removes it.
 */
export async function materialiseClass(pack: Pick<Pack, 'id' | 'mutants' | 'reference' | 'rubric'>): Promise<{ dir: string; names: string[]; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `chatgrade-class-${pack.id}-`));
  const dispose = () => rm(dir, { recursive: true, force: true });
  const names = ['reference', ...listMutants(pack).map((m) => m.name)];
  try {
    await cp(pack.reference, path.join(dir, 'reference'), { recursive: true, filter: (src) => path.basename(src) !== '__pycache__' });
    for (const name of names.slice(1)) {
      const built = await materialiseMutant(pack, name);
      try {
        await cp(built.dir, path.join(dir, name), { recursive: true });
      } finally {
        await built.dispose();
      }
    }
  } catch (err) {
    await dispose();
    throw err;
  }
  return { dir, names, dispose };
}

interface Hunk {
  header: string;
  oldStart: number;
  oldCount: number;
  newCount: number;
  lines: string[];
}

interface FilePatch {
  oldPath: string;
  newPath: string;
  hunks: Hunk[];
}

/** Apply a unified diff to the files under `dir`; strict: every context and removed line must match exactly. */
export async function applyPatch(dir: string, patch: string): Promise<void> {
  for (const fp of parsePatch(patch)) {
    if (fp.newPath === '/dev/null') throw failed(fp.oldPath, 'deleting files is not supported');
    const file = safeJoin(dir, fp.newPath);
    const original = fp.oldPath === '/dev/null' ? '' : await readFile(safeJoin(dir, fp.oldPath), 'utf8').catch(() => {
      throw failed(fp.oldPath, 'the file does not exist');
    });
    await writeFile(file, applyHunks(fp, original));
  }
}

function parsePatch(patch: string): FilePatch[] {
  const lines = patch.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const files: FilePatch[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (!line.startsWith('--- ')) {
      i++; // preamble such as "diff -u ..." or "index ..."
      continue;
    }
    const next = lines[i + 1];
    if (!next?.startsWith('+++ ')) throw failed(line.slice(4), 'a "---" header without "+++"');
    const fp: FilePatch = { oldPath: stripPrefix(line.slice(4)), newPath: stripPrefix(next.slice(4)), hunks: [] };
    i += 2;
    while (i < lines.length && lines[i]!.startsWith('@@')) {
      const header = lines[i]!;
      const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(header);
      if (!m) throw failed(fp.newPath, `malformed hunk header ${header}`);
      const hunk: Hunk = { header, oldStart: Number(m[1]), oldCount: Number(m[2] ?? 1), newCount: Number(m[4] ?? 1), lines: [] };
      i++;
      let olds = 0;
      let news = 0;
      while (i < lines.length && (olds < hunk.oldCount || news < hunk.newCount)) {
        const body = lines[i]!;
        const tag = body[0];
        if (tag === '\\') {
          i++; // "\ No newline at end of file": our files always end with one
          continue;
        }
        if (tag !== ' ' && tag !== '-' && tag !== '+') throw failed(fp.newPath, `hunk ${header}: unexpected line ${JSON.stringify(body)}`);
        if (tag !== '+') olds++;
        if (tag !== '-') news++;
        hunk.lines.push(body);
        i++;
      }
      if (olds !== hunk.oldCount || news !== hunk.newCount) throw failed(fp.newPath, `hunk ${header}: the patch ends early`);
      while (lines[i]?.startsWith('\\')) i++;
      fp.hunks.push(hunk);
    }
    if (!fp.hunks.length) throw failed(fp.newPath, 'no hunks');
    files.push(fp);
  }
  if (!files.length) throw new MutantError('mutant.patchFailed', 'the patch changes no file');
  return files;
}

function applyHunks(fp: FilePatch, original: string): string {
  const lines = original === '' ? [] : original.split('\n');
  const trailingNewline = lines.at(-1) === '';
  if (trailingNewline) lines.pop();
  const out: string[] = [];
  let next = 0; // index in `lines` of the first line not yet copied
  for (const hunk of fp.hunks) {
    // With a zero old count, the start names the line *after* which to insert.
    const start = hunk.oldCount === 0 ? hunk.oldStart : hunk.oldStart - 1;
    if (start < next) throw failed(fp.newPath, `hunk ${hunk.header}: overlaps the previous hunk`);
    out.push(...lines.slice(next, start));
    let at = start;
    for (const body of hunk.lines) {
      const text = body.slice(1);
      if (body[0] === '+') {
        out.push(text);
        continue;
      }
      if (lines[at] !== text) {
        const seen = at < lines.length ? JSON.stringify(lines[at]) : 'the end of the file';
        throw failed(fp.newPath, `hunk ${hunk.header}: line ${at + 1} should be ${JSON.stringify(text)} but is ${seen}`);
      }
      if (body[0] === ' ') out.push(text);
      at++;
    }
    next = at;
  }
  out.push(...lines.slice(next));
  return out.join('\n') + (trailingNewline || original === '' ? '\n' : '');
}

function stripPrefix(p: string): string {
  const name = p.split('\t')[0]!.trim();
  if (name === '/dev/null') return name;
  return name.replace(/^[ab]\//, '');
}

/** Resolve a patch path inside `dir`, refusing anything that escapes it. */
function safeJoin(dir: string, rel: string): string {
  const full = path.resolve(dir, rel);
  if (path.isAbsolute(rel) || !full.startsWith(path.resolve(dir) + path.sep)) {
    throw failed(rel, 'the path leaves the client folder');
  }
  return full;
}

function failed(file: string, why: string): MutantError {
  return new MutantError('mutant.patchFailed', `cannot apply the patch to ${file}: ${why}`);
}
