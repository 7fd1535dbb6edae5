// `chatgrade/vitest`: the rubric as a student's own Vitest tests.
//
//   import { rubric } from 'chatgrade/vitest';
//   rubric('./src/client.js');
//
// grades the client once, in-process (a worker thread over mock-socket: the
// student's own code, so trusted), and declares one test per check, named
// by its id; a lost check fails with its requirement, expected and actual.

import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { beforeAll, describe, test } from 'vitest';
import { selectChecks } from './grade.js';
import type { JsClient } from './js/detect.js';
import { PACKS, detectPack } from './packs/index.js';
import type { CheckResult, GradeResult } from './results.js';
import { gradeJsClient } from './submission.js';

/** Options of rubric(). */
export interface RubricOptions {
  /** Check-id globs to declare (default: all), e.g. ['basic.*']. */
  only?: string[];
  /** Seed for names and texts; default a fixed one, so runs compare. */
  seed?: string;
  /** Multiply every time limit (slow machines). */
  timeoutScale?: number;
}

/** The client an entry module belongs to: its package folder (the nearest package.json up), or its own folder. */
export function clientOf(entry: string): JsClient {
  const file = resolve(entry);
  if (!existsSync(file)) throw new Error(`chatgrade: ${entry} does not exist (paths are relative to ${process.cwd()})`);
  // The client runs in a worker thread with Node's own loader, which does not read TypeScript.
  if (/\.[mc]?tsx?$/.test(file)) throw new Error(`chatgrade: ${entry} is TypeScript source: build it and pass the compiled module (e.g. ./dist/client.js)`);
  let dir = dirname(file);
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  if (!existsSync(join(dir, 'package.json'))) dir = dirname(file);
  return { dir, entry: relative(dir, file) };
}

/** The failure message of a check that did not pass: requirement, expected, actual, and the wire around it. */
export function failureMessage(c: CheckResult): string {
  if (c.status === 'error') return `${c.id}: the grader could not measure this check [${c.error?.code}]: ${c.error?.message}`;
  const wire = (c.transcript ?? []).map((l) => `  ${String(l.t).padStart(6)} ms ${l.dir === 'c>s' ? 'C>' : l.dir === 's>c' ? 'S>' : '  '} ${l.text}`);
  return [`${c.id}: ${c.requirement}`, `Expected: ${c.expected}`, `Actual:   ${c.actual}`, ...(wire.length ? ['Wire:', ...wire] : [])].join('\n');
}

/** Declare one Vitest test per rubric check, for the client whose entry module is `entry`. */
export function rubric(entry: string, opts: RubricOptions = {}): void {
  const client = clientOf(entry);
  const pack = detectPack(client.dir) ?? PACKS[0]!;
  const scale = opts.timeoutScale ?? 1;
  const ids = selectChecks(pack.rubric, opts.only ?? [], []);
  let result: GradeResult | undefined;
  describe(`chatgrade: ${pack.title} (${client.entry})`, () => {
    beforeAll(async () => {
      result = await gradeJsClient(client, { pack, seed: opts.seed ?? 'chatgrade-vitest', timeoutScale: scale, only: opts.only });
    }, 180_000 * scale);
    for (const id of ids) {
      test(id, () => {
        const c = result?.checks.find((x) => x.id === id);
        if (!c) throw new Error(`${id}: the client was not graded`);
        if (c.status !== 'passed') throw new Error(failureMessage(c));
      });
    }
  });
}
