// Calibration of the discovery pack: the reference peer scores full marks,
// every mutant loses exactly the checks its manifest names, a check run
// alone gives its full-run verdict, and the same seed gives the same score.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMutants, materialiseMutant } from '../src/mutants.js';
import { discovery } from '../src/packs/discovery/index.js';
import type { GradeResult } from '../src/results.js';
import { lost, startGrader, type Grader } from './helpers/grading.js';

let grader: Grader;

beforeAll(async () => {
  grader = await startGrader();
});
afterAll(async () => {
  await grader?.close();
});

const grade = (dir: string, opts: { seed?: string; only?: string[] } = {}): Promise<GradeResult> => grader.grade(dir, { ...opts, pack: discovery });

describe('discovery calibration', () => {
  it('the reference peer scores 100/100 and 10/10 bonus', async () => {
    const r = await grade(discovery.reference);
    expect(lost(r)).toEqual({});
    expect([r.score.points, r.score.max, r.score.bonus, r.score.bonusMax]).toEqual([100, 100, 10, 10]);
  }, 60_000);

  for (const mutant of listMutants(discovery)) {
    it(`mutant ${mutant.name} loses exactly ${mutant.fails.join(', ')}`, async () => {
      const m = await materialiseMutant(discovery, mutant.name);
      try {
        const r = await grade(m.dir);
        const details = lost(r);
        expect(Object.keys(details).sort(), JSON.stringify(details, null, 1)).toEqual([...mutant.fails].sort());
        expect(r.checks.filter((c) => c.status === 'error')).toEqual([]);
      } finally {
        await m.dispose();
      }
    }, 90_000);
  }

  it('a check run alone gives its full-run verdict', async () => {
    // One check per fixture it could share, on a mutant that fails some of them.
    const m = await materialiseMutant(discovery, 'forgets_early');
    try {
      for (const id of ['discovery.list.expiry', 'discovery.bye.handled', 'discovery.announce.periodic', 'discovery.reply.sent', 'discovery.list.no_self']) {
        const r = await grade(m.dir, { only: [id] });
        const verdict = r.checks.find((c) => c.id === id)!.status;
        expect(verdict, id).toBe(id === 'discovery.list.expiry' ? 'failed' : 'passed');
      }
    } finally {
      await m.dispose();
    }
  }, 120_000);

  it('the same peer and seed give the same score, run after run', async () => {
    for (const name of ['reference', 'announce_late']) {
      const m = name === 'reference' ? { dir: discovery.reference, dispose: async () => {} } : await materialiseMutant(discovery, name);
      try {
        const runs = [];
        for (let i = 0; i < 2; i++) runs.push(await grade(m.dir, { seed: 'repeat-me' }));
        const summary = runs.map((r) => ({ points: r.score.points, bonus: r.score.bonus, lost: Object.keys(lost(r)).sort() }));
        expect(summary[1]).toEqual(summary[0]);
      } finally {
        await m.dispose();
      }
    }
  }, 120_000);
});
