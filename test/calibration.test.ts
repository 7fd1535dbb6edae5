// Calibration: the reference client scores full marks, every mutant loses
// exactly the checks its manifest names, and the same seed gives the same score.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMutants, materialiseMutant } from '../src/mutants.js';
import { chat } from '../src/packs/chat/index.js';
import { lost, startGrader, type Grader } from './helpers/grading.js';

const reference = fileURLToPath(new URL('../examples/reference-client', import.meta.url));
let grader: Grader;

beforeAll(async () => {
  grader = await startGrader();
});
afterAll(async () => {
  await grader?.close();
});

describe('calibration', () => {
  it('the reference client scores 100/100 and 20/20 bonus', async () => {
    const r = await grader.grade(reference);
    expect(lost(r)).toEqual({});
    expect([r.score.points, r.score.max, r.score.bonus, r.score.bonusMax]).toEqual([100, 100, 20, 20]);
  }, 120_000);

  for (const mutant of listMutants(chat)) {
    it(`mutant ${mutant.name} loses exactly ${mutant.fails.join(', ')}`, async () => {
      const m = await materialiseMutant(chat, mutant.name);
      try {
        const r = await grader.grade(m.dir);
        const details = lost(r);
        // On mismatch, the message shows what each lost check said.
        expect(Object.keys(details).sort(), JSON.stringify(details, null, 1)).toEqual([...mutant.fails].sort());
        expect(r.checks.filter((c) => c.status === 'error')).toEqual([]);
      } finally {
        await m.dispose();
      }
    }, 180_000);
  }

  it('the same client and seed give the same score, run after run', async () => {
    const names = ['reference', 'local_echo', 'members_first_only'];
    for (const name of names) {
      const m = name === 'reference' ? { dir: reference, dispose: async () => {} } : await materialiseMutant(chat, name);
      try {
        const runs = [];
        for (let i = 0; i < 2; i++) runs.push(await grader.grade(m.dir, { seed: 'repeat-me' }));
        const summary = runs.map((r) => ({ points: r.score.points, bonus: r.score.bonus, lost: Object.keys(lost(r)).sort() }));
        expect(summary[1]).toEqual(summary[0]);
      } finally {
        await m.dispose();
      }
    }
  }, 300_000);
});
