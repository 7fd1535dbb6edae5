// What the grader could not find is said as such: the reference client with
// its online list never put on screen loses the checks that need the list,
// and each of them is flagged for a person to look at, with what was on
// screen. The reference itself is never flagged (calibration.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lost, startGrader, type Grader } from './helpers/grading.js';
import { removeVariants, variant } from './helpers/variant.js';

let grader: Grader;

beforeAll(async () => {
  grader = await startGrader();
});
afterAll(async () => {
  await grader?.close();
  await removeVariants();
});

const LIST_UNMAPPED = [['        self.user_list.pack(fill="both", expand=True, padx=5, pady=5)\n', ''] as const];

describe('a list the grader cannot see', () => {
  it('loses only the checks that need the list; those that found no list are flagged for review, with what was on screen', async () => {
    const r = await grader.grade(await variant(LIST_UNMAPPED));
    const flagged = ['basic.online_users.shown', 'basic.online_users.updated', 'bonus.robust.malformed', 'conv.invite.multi', 'conv.invite.sent'];
    // The status check finds a list (the strip of icon labels, captioned with names) and no status in it: a plain failure.
    expect(Object.keys(lost(r)).sort()).toEqual([...flagged, 'bonus.status.shown'].sort());
    expect(r.checks.filter((c) => c.review).map((c) => c.id)).toEqual(flagged);
    for (const id of flagged) {
      const review = r.checks.find((c) => c.id === id)!.review;
      expect(review, id).toMatch(/no online list was recognised|recognised nothing to act on: no list of online users/);
      expect(review, id).toMatch(/on screen: main window '\.'/);
    }
  }, 120_000);
});
