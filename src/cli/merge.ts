// `chatgrade merge DIR...`: join the outputs of `--shard i/n` runs (each
// --out folder holds a class.json) into one gradebook and class index, as if
// the class had been graded at once.

import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { CLASS_FILE, renderClassSummary, type NotGraded } from '../reporters/index.js';
import { SCHEMA_VERSION, type GradeResult } from '../results.js';
import { parseRoster, parseRosterColumns, RosterError, type Roster } from '../roster.js';
import { writeClass } from './output.js';
import type { Io } from './io.js';

/** Read every shard's class.json; the same submission twice (a shard re-run) keeps the last one given. */
export function readShards(dirs: readonly string[]): { results: GradeResult[]; folders: Map<GradeResult, string>; notGraded: NotGraded[]; problems: string[] } {
  const byDir = new Map<string, { result: GradeResult; folder: string }>();
  const pending = new Map<string, NotGraded>();
  const problems: string[] = [];
  for (const dir of dirs) {
    const file = join(dir, CLASS_FILE);
    if (!existsSync(file)) {
      problems.push(`${dir} has no ${CLASS_FILE} (grade each shard with --reporter csv)`);
      continue;
    }
    let doc: { schemaVersion?: number; results?: GradeResult[]; notGraded?: NotGraded[] };
    try {
      doc = JSON.parse(readFileSync(file, 'utf8')) as typeof doc;
    } catch (err) {
      problems.push(`${file} is not valid JSON: ${(err as Error).message}`);
      continue;
    }
    if (doc.schemaVersion !== SCHEMA_VERSION || !Array.isArray(doc.results)) {
      problems.push(`${file} is not a class.json of schema ${SCHEMA_VERSION}`);
      continue;
    }
    for (const r of doc.results) byDir.set(r.submission.dir, { result: r, folder: join(dir, r.submission.folder ?? r.submission.name) });
    for (const n of doc.notGraded ?? []) pending.set(n.dir, n);
  }
  const results = [...byDir.values()].map((v) => v.result);
  const folders = new Map([...byDir.values()].map((v) => [v.result, v.folder] as const));
  // Not graded in one shard's run but graded in another's: graded.
  const notGraded = [...pending.values()].filter((n) => !byDir.has(n.dir));
  return { results, folders, notGraded, problems };
}

export function mergeCommand(dirs: string[], opts: { out: string; reporter: string[]; roster?: string; rosterColumns?: string }, io: Io): number {
  let roster: Roster | undefined;
  try {
    if (opts.roster !== undefined) roster = parseRoster(readFileSync(opts.roster, 'utf8'), parseRosterColumns(opts.rosterColumns ?? ''), opts.roster);
  } catch (err) {
    io.stderr(`chatgrade merge: ${err instanceof RosterError ? '' : `--roster ${opts.roster}: `}${(err as Error).message}\n`);
    return 2;
  }
  const { results, folders, notGraded, problems } = readShards(dirs);
  for (const p of problems) io.stderr(`chatgrade merge: ${p}\n`);
  if (problems.length || results.length === 0) {
    if (!problems.length) io.stderr('chatgrade merge: the shards hold no result\n');
    return 2;
  }
  const names = opts.reporter.flatMap((r) => r.split(',').map((s) => s.trim())).filter(Boolean);
  // The index links to each submission's report where its shard wrote it.
  const links = new Map([...folders].map(([r, f]) => [r, relative(resolve(opts.out), resolve(f))] as const));
  const w = writeClass(results, names, opts.out, links, { env: io.env, context: { notGraded, ...(roster ? { roster } : {}) } });
  for (const t of w.stdout) io.stdout(t);
  for (const n of w.notes) io.stderr(`${n}\n`);
  io.stdout(renderClassSummary(results, {}));
  return notGraded.length > 0 || results.some((r) => r.errors.length > 0 || r.checks.some((c) => c.status === 'error')) ? 2 : 0;
}
