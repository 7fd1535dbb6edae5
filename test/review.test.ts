// What the grader could not find is said as such: the reference client with
// its online list never put on screen loses the checks that need the list,
// and those that found no list are flagged for a person to look at, with
// what was on screen, in every reporter; the reference itself never is.
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import type { GradeResult } from '../src/results.js';
import { lost } from './helpers/grading.js';
import { removeVariants, variant } from './helpers/variant.js';

const reference = fileURLToPath(new URL('../examples/reference-client', import.meta.url));
const LIST_UNMAPPED = [['        self.user_list.pack(fill="both", expand=True, padx=5, pady=5)\n', ''] as const];
const FLAGGED = ['basic.online_users.shown', 'basic.online_users.updated', 'bonus.robust.malformed', 'conv.invite.multi', 'conv.invite.sent'];

let dir: string;
let out: string;
let stdout = '';
let unmapped: GradeResult;
let ref: GradeResult;

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'chatgrade-review-'));
  out = join(dir, 'out');
  await cp(reference, join(dir, 'class', 'reference'), { recursive: true });
  await cp(await variant(LIST_UNMAPPED), join(dir, 'class', 'unmapped'), { recursive: true });
  await run([join(dir, 'class'), '--reporter', 'terminal,json,junit,gradescope,html,csv,github', '--out', out, '--verbose'], {
    stdout: (t) => (stdout += t),
    stderr: () => undefined,
    isTTY: false,
    env: { ...process.env, NO_COLOR: '1' },
    interrupted: new Promise(() => {}),
  });
  unmapped = JSON.parse(await readFile(join(out, 'unmapped', 'report.json'), 'utf8')) as GradeResult;
  ref = JSON.parse(await readFile(join(out, 'reference', 'report.json'), 'utf8')) as GradeResult;
}, 300_000);
afterAll(async () => {
  await removeVariants();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a list the grader cannot see', () => {
  it('loses only the checks that need the list; those that found no list are flagged, with what was on screen', () => {
    // The status check finds a list (the strip of icon labels, captioned with names) and no status in it: a plain failure.
    expect(Object.keys(lost(unmapped)).sort()).toEqual([...FLAGGED, 'bonus.status.shown'].sort());
    expect(unmapped.checks.filter((c) => c.review).map((c) => c.id)).toEqual(FLAGGED);
    for (const id of FLAGGED) {
      const review = unmapped.checks.find((c) => c.id === id)!.review;
      expect(review, id).toMatch(/no online list was recognised|recognised nothing to act on: no list of online users/);
      expect(review, id).toMatch(/on screen: main window '\.'/);
    }
    expect(ref.checks.filter((c) => c.review)).toEqual([]);
  });

  it('every reporter shows the flag for it, and none for the reference', async () => {
    const read = (...p: string[]) => readFile(join(out, ...p), 'utf8');
    expect((unmapped as GradeResult & { needsReview?: string[] }).needsReview).toEqual(FLAGGED);
    expect((ref as GradeResult & { needsReview?: string[] }).needsReview).toBeUndefined();
    const csv = (await read('grades.csv')).split('\n');
    const row = (name: string) => csv.find((l) => l.startsWith(`${name},`) || l.includes(`,${name},`))!;
    expect(row('unmapped')).toContain(FLAGGED.join(' '));
    expect(row('reference')).not.toMatch(/basic\.online_users/);
    expect(await read('unmapped', 'junit.xml')).toMatch(/<property name="review" value="basic\.online_users\.shown"/);
    expect(await read('reference', 'junit.xml')).not.toMatch(/name="review"/);
    expect(await read('unmapped', 'report.html')).toMatch(/review/i);
    expect(await read('index.html')).toMatch(/✗\?/);
    // Gradescope: the note is for staff (stdout of the autograder), never in what students see.
    const gradescope = await read('unmapped', 'results.json');
    expect(gradescope).not.toMatch(/no online list was recognised/);
    expect(stdout).toMatch(/REVIEW/);
    const annotation = stdout.split('\n').find((l) => l.startsWith('::error') && l.includes('basic.online_users.shown'));
    expect(annotation, stdout.split('\n').filter((l) => l.startsWith('::')).join('\n')).toMatch(/to review/);
    expect(stdout).not.toMatch(/reference: [a-z_.]+ lost/);
  });
});
