// Calibration of the JavaScript client kind: the reference (examples/ws-client)
// scores full marks in both modes, every mutant (examples/ws-mutants) loses
// exactly the checks its manifest names, and the same seed gives the same score.
import { describe, expect, it } from 'vitest';
import { listMutants, materialiseMutant } from '../src/mutants.js';
import { chat, chatJs } from '../src/packs/chat/index.js';
import { lost } from './helpers/grading.js';
import { gradeJs } from './helpers/grading-js.js';

const pack = { ...chat, ...chatJs };

describe('calibration of JavaScript clients', () => {
  it('the reference scores 100/100 and 20/20 bonus in-process, and says how it ran', async () => {
    const r = await gradeJs(chatJs.reference, { mode: 'in-process' });
    expect(lost(r)).toEqual({});
    expect([r.score.points, r.score.max, r.score.bonus, r.score.bonusMax]).toEqual([100, 100, 20, 20]);
    expect(r.environment).toMatchObject({ probe: 'explicit', clientMode: 'in-process (mock-socket)' });
  }, 60_000);

  it('the reference scores 100/100 and 20/20 bonus in its own process over ws', async () => {
    const r = await gradeJs(chatJs.reference, { mode: 'process' });
    expect(lost(r)).toEqual({});
    expect([r.score.points, r.score.bonus]).toEqual([100, 20]);
    expect(r.environment).toMatchObject({ probe: 'explicit', clientMode: 'process (ws)' });
  }, 120_000);

  for (const mutant of listMutants(pack)) {
    it(`mutant ${mutant.name} loses exactly ${mutant.fails.join(', ')}`, async () => {
      const m = await materialiseMutant(pack, mutant.name);
      try {
        const r = await gradeJs(m.dir, { mode: 'in-process' });
        const details = lost(r);
        expect(Object.keys(details).sort(), JSON.stringify(details, null, 1)).toEqual([...mutant.fails].sort());
      } finally {
        await m.dispose();
      }
    }, 60_000);
  }

  it('the same client and seed give the same score, run after run', async () => {
    for (const name of ['reference', 'local_echo']) {
      const m = name === 'reference' ? { dir: chatJs.reference, dispose: async () => {} } : await materialiseMutant(pack, name);
      try {
        const runs = [];
        for (let i = 0; i < 2; i++) runs.push(await gradeJs(m.dir, { seed: 'repeat-me' }));
        const summary = runs.map((r) => ({ points: r.score.points, bonus: r.score.bonus, lost: Object.keys(lost(r)).sort() }));
        expect(summary[1]).toEqual(summary[0]);
      } finally {
        await m.dispose();
      }
    }
  }, 120_000);
});
