// `--rerun-incomplete <out>`: read the class.json an earlier grading wrote to
// <out>, and name the submissions to grade again (every incomplete grade and
// every submission not graded); the complete grades are kept as they are.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLASS_FILE, isIncomplete, type ClassDocument } from '../reporters/index.js';
import { SCHEMA_VERSION, type GradeResult } from '../results.js';
import { UsageError } from './output.js';

/** An earlier grading: the results to keep, and the folders to grade again. */
export interface Previous {
  keep: GradeResult[];
  again: string[];
}

/** What <out>/class.json holds to keep and to grade again; a UsageError when it cannot be used. */
export function previousClass(out: string): Previous {
  const file = join(out, CLASS_FILE);
  if (!existsSync(file)) throw new UsageError(`--rerun-incomplete ${out}: there is no ${CLASS_FILE} (grade the class with --reporter csv first)`);
  let doc: Partial<ClassDocument>;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8')) as Partial<ClassDocument>;
  } catch (err) {
    throw new UsageError(`--rerun-incomplete ${out}: ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (doc.schemaVersion !== SCHEMA_VERSION || !Array.isArray(doc.results)) throw new UsageError(`--rerun-incomplete ${out}: ${file} is not a class.json of schema ${SCHEMA_VERSION}`);
  const again = [...doc.results.filter(isIncomplete).map((r) => r.submission.dir), ...(doc.notGraded ?? []).map((n) => n.dir)];
  const gone = again.filter((d) => !existsSync(d));
  if (gone.length > 0) throw new UsageError(`--rerun-incomplete ${out}: ${gone.join(', ')} no longer ${gone.length === 1 ? 'exists' : 'exist'}`);
  return { keep: doc.results.filter((r) => !isIncomplete(r)), again };
}
