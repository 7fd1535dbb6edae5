// Grade a JavaScript client with no Python, display or CLI in between: what
// `chatgrade/vitest`, the benchmark and the tests call.

import type { CourseConfig } from '../config.js';
import type { PythonInfo } from '../env/index.js';
import type { Pack } from '../pack.js';
import { newSeed } from '../random.js';
import type { GradeResult } from '../results.js';
import type { SandboxMode } from '../sandbox/index.js';
import { gradeFolder } from '../submission.js';
import type { JsClient } from './detect.js';
import type { JsMode } from './index.js';

/** Options of gradeJsClient. */
export interface GradeJsOptions {
  pack: Pack;
  /** Default 'in-process'. */
  mode?: JsMode;
  seed?: string;
  /** Check-id globs; default every check. */
  only?: string[];
  timeoutScale?: number;
  /** Runs at once; default 2. */
  jobs?: number;
  /** The sandbox of process mode; default 'auto'. */
  sandbox?: SandboxMode;
  /** The course's sandbox limits (e.g. more memory for a TypeScript loader). */
  limits?: CourseConfig['limits'];
}

/** No Python is involved in grading a JavaScript client. */
const NO_PYTHON: PythonInfo = { executable: '', candidate: '', version: '', tkVersion: '', tclPatchLevel: '', prefixes: [] };

/** Grade one JavaScript client against a pack (in-process unless told otherwise). */
export function gradeJsClient(client: JsClient, opts: GradeJsOptions): Promise<GradeResult> {
  return gradeFolder(client.dir, {
    course: { jsClients: opts.mode ?? 'in-process', ...(opts.limits ? { limits: opts.limits } : {}) },
    pack: opts.pack,
    only: opts.only ?? [],
    exclude: [],
    seed: opts.seed ?? newSeed(),
    jobs: opts.jobs ?? 2,
    timeoutScale: opts.timeoutScale ?? 1,
    python: NO_PYTHON,
    sandbox: opts.sandbox ?? 'auto',
    js: client,
  });
}
