// Selecting checks never changes a verdict: every check run alone on the
// reference client passes, and a fixed sample of mutant checks run alone gets
// the verdict the full run gives (the mutant's manifest).
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMutants, materialiseMutant } from '../src/mutants.js';
import { chat } from '../src/packs/chat/index.js';
import type { GradeResult } from '../src/results.js';
import { startGrader, type Grader } from './helpers/grading.js';

const reference = fileURLToPath(new URL('../examples/reference-client', import.meta.url));
const ids = chat.rubric.checks.map((c) => c.id);
let grader: Grader;

beforeAll(async () => {
  grader = await startGrader();
});
afterAll(async () => {
  await grader?.close();
});

/** The verdict of `id` when it is the only check selected. */
async function alone(dir: string, id: string): Promise<string> {
  const r: GradeResult = await grader.grade(dir, { only: [id] });
  const c = r.checks.find((x) => x.id === id)!;
  expect(r.checks.filter((x) => x.id !== id).every((x) => x.status === 'skipped')).toBe(true);
  return c.status === 'passed' ? 'passed' : `${c.status}: ${c.error?.message ?? `expected ${c.expected}; actual ${c.actual}`}`;
}

/** Up to `max` items at once, results in order. */
async function inParallel<T, R>(items: readonly T[], max: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(max, items.length) }, worker));
  return out;
}

// A fixed sample: for each mutant picked, one check it loses and one it keeps,
// each run alone (the full-run verdicts are the manifest, held by calibration).
const SAMPLE: [mutant: string, lost: string, kept: string][] = [
  ['no_goodbye', 'basic.goodbye.sent', 'basic.goodbye.clean_exit'],
  ['no_exit_after_goodbye', 'basic.goodbye.clean_exit', 'basic.goodbye.sent'],
  ['invite_first_only', 'conv.invite.multi', 'conv.invite.sent'],
  ['status_missing', 'bonus.status.sent', 'bonus.icons.shown'],
  ['local_echo', 'conv.send.own_once', 'conv.send.sent'],
  ['online_users_add_only', 'basic.online_users.updated', 'basic.online_users.shown'],
  ['leave_all', 'conv.leave.sent', 'conv.multiple.routing'],
  ['own_invitation_window', 'conv.invitation.not_own', 'conv.invite.sent'],
];

describe('selection does not change verdicts', () => {
  it(`every check run alone passes on the reference client (${ids.length} checks)`, async () => {
    const verdicts = await inParallel(ids, 2, (id) => alone(reference, id));
    const failed = Object.fromEntries(ids.map((id, i) => [id, verdicts[i]]).filter(([, v]) => v !== 'passed'));
    expect(failed).toEqual({});
  }, 600_000);

  it('a sample of mutant checks run alone get their full-run verdicts', async () => {
    const manifest = new Map(listMutants(chat).map((m) => [m.name, m.fails]));
    const cases = SAMPLE.flatMap(([mutant, lost, kept]) => [
      { mutant, id: lost, want: false },
      { mutant, id: kept, want: true },
    ]);
    for (const c of cases) expect(manifest.get(c.mutant)?.includes(c.id), `${c.mutant} ${c.id}`).toBe(!c.want);
    const seen = await inParallel(SAMPLE, 2, async ([mutant, lost, kept]) => {
      const m = await materialiseMutant(chat, mutant);
      try {
        return [await alone(m.dir, lost), await alone(m.dir, kept)];
      } finally {
        await m.dispose();
      }
    });
    const got = seen.flat();
    const wrong = cases.flatMap((c, i) => ((got[i] === 'passed') === c.want ? [] : [`${c.mutant} ${c.id}: ${got[i]}`]));
    expect(wrong).toEqual([]);
  }, 600_000);
});
