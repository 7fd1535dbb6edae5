// Grading a class: every submission in its own sandbox, several at once, the
// client runs of all of them within one --jobs limit. A submission's own
// problem is its result's error and the class goes on; Ctrl-C stops
// everything and returns what was finished.

import { cpus, freemem } from 'node:os';
import { ADAPT, Limiter } from '../limiter.js';
import { LoadMonitor } from '../load/monitor.js';
import type { GradeResult } from '../results.js';
import { gradeFolder, type GradingSetup } from '../submission.js';

/** Hooks and options of gradeClass(). */
export interface ClassHooks {
  /** Grade the class this many times with different seeds (--repeat). */
  repeat: number;
  interrupted: Promise<void>;
  started(dir: string): void;
  /** Each submission's result of the first grading, as soon as it is known. */
  finished(dir: string, result: GradeResult): void;
}

/** What gradeClass() returns: the first grading's results, every grading's (for --repeat), and whether Ctrl-C stopped it. */
export interface ClassOutcome {
  results: GradeResult[];
  runs: GradeResult[][];
  interrupted: boolean;
}

/**
 * Client runs at once at most, by default: waits dominate grading (a run is
 * mostly idle, waiting on a GUI or the wire), so six per core, capped by
 * memory (a client under Xvfb with its sandbox takes about 150 MB), never
 * under 2 nor over 16. It is a ceiling: the class's limiter backs off from it
 * while windows show the machine overloaded (src/limiter.ts). On 2 cores,
 * quiet, the reference and 34 mutants took 40.1 to 40.8 s with 8, 33.4 s
 * with 12 and 32.8 s with 16, every verdict as its manifest, no check run
 * again (scripts/bench-class.mjs); 12 leaves the CPU a sixth idle.
 */
export function defaultJobs(cores = cpus().length, freeBytes = freemem()): number {
  const byMemory = Math.floor(freeBytes / (150 * 1024 * 1024));
  return Math.max(2, Math.min(cores * 6, byMemory, 16));
}

/** The seed of the k-th grading (the first keeps the seed given, so a report's replay command holds). */
export function repeatSeed(seed: string, k: number): string {
  return k === 0 ? seed : `${seed}-${k}`;
}

export async function gradeClass(dirs: readonly string[], setup: GradingSetup, hooks: ClassHooks): Promise<ClassOutcome> {
  // --jobs is the most at once; fewer while windows starve (src/load).
  const runs = new Limiter(setup.jobs, ADAPT);
  const load = new LoadMonitor();
  // As many submissions in progress as there are run slots: each keeps at least one busy.
  const submissions = new Limiter(Math.max(1, setup.jobs));
  let stop = false;
  void hooks.interrupted.then(() => (stop = true));
  const all: GradeResult[][] = [];
  const first: GradeResult[] = [];
  const grading = (async () => {
    for (let k = 0; k < hooks.repeat && !stop; k++) {
      const seed = repeatSeed(setup.seed, k);
      const results = await Promise.all(
        dirs.map((dir) =>
          submissions.run(async () => {
            if (stop) return undefined;
            if (k === 0) hooks.started(dir);
            const result = await gradeFolder(dir, { ...setup, seed, limiter: runs, load });
            if (k === 0 && !stop) {
              first.push(result);
              hooks.finished(dir, result);
            }
            return result;
          }),
        ),
      );
      if (!stop) all.push(results.filter((r): r is GradeResult => r !== undefined));
    }
  })();
  const interrupted = await Promise.race([grading.then(() => false), hooks.interrupted.then(() => true)]).finally(() => load.stop());
  return { results: first, runs: all, interrupted };
}

/** One check of one submission whose verdict differed between gradings. */
export interface Varied {
  submission: string;
  check: string;
  verdicts: string[];
}

/** Checks whose status was not the same in every grading, per submission (by folder). */
export function verdictsThatVaried(runs: readonly (readonly GradeResult[])[]): Varied[] {
  const out: Varied[] = [];
  const byDir = new Map<string, GradeResult[]>();
  for (const run of runs) for (const r of run) byDir.set(r.submission.dir, [...(byDir.get(r.submission.dir) ?? []), r]);
  for (const [, results] of [...byDir].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const ids = [...new Set(results.flatMap((r) => r.checks.map((c) => c.id)))].sort();
    for (const id of ids) {
      const verdicts = results.map((r) => r.checks.find((c) => c.id === id)?.status ?? 'missing');
      if (new Set(verdicts).size > 1) out.push({ submission: results[0]!.submission.name, check: id, verdicts });
    }
  }
  return out;
}
