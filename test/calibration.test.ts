// Calibration: the reference client scores full marks and every mutant loses
// exactly the checks its manifest names, graded together as one class (the
// way a TA grades: several at once, within one --jobs limit, so a verdict
// that depends on grading alone shows here), twice with different seeds
// (--repeat 2: no verdict may vary); and the same seed gives the same wire
// and score.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMutants, materialiseMutant } from '../src/mutants.js';
import { chat } from '../src/packs/chat/index.js';
import type { GradeResult } from '../src/results.js';
import type { Varied } from '../src/cli/class.js';
import { gradeCalibrationClass, lost, startGrader, type Grader } from './helpers/grading.js';

const reference = fileURLToPath(new URL('../examples/reference-client', import.meta.url));
let grader: Grader;
let gradings: Map<string, GradeResult>[];
let varied: Varied[];

beforeAll(async () => {
  grader = await startGrader();
  ({ gradings, varied } = await gradeCalibrationClass(chat, { repeat: 2 }));
}, 900_000);
afterAll(async () => {
  await grader?.close();
});

describe('calibration', () => {
  it('grades the class twice, with different seeds, and no verdict varies', () => {
    expect(gradings).toHaveLength(2);
    expect(gradings.map((g) => g.size)).toEqual([listMutants(chat).length + 1, listMutants(chat).length + 1]);
    expect(varied).toEqual([]);
  });

  it('the reference client scores 100/100 and 20/20 bonus', () => {
    for (const g of gradings) {
      const r = g.get('reference')!;
      expect(lost(r)).toEqual({});
      expect([r.score.points, r.score.max, r.score.bonus, r.score.bonusMax]).toEqual([100, 100, 20, 20]);
      expect(r.checks.filter((c) => c.review)).toEqual([]);
    }
  });

  for (const mutant of listMutants(chat)) {
    it(`mutant ${mutant.name} loses exactly ${mutant.fails.join(', ')}`, () => {
      for (const g of gradings) {
        const r = g.get(mutant.name)!;
        const details = lost(r);
        // On mismatch, the message shows what each lost check said.
        expect(Object.keys(details).sort(), `seed ${r.seed}: ${JSON.stringify(details, null, 1)}`).toEqual([...mutant.fails].sort());
        expect(r.checks.filter((c) => c.status === 'error')).toEqual([]);
        // What the grader could not find is flagged, and nothing else.
        const flagged = Object.fromEntries(r.checks.filter((c) => c.review).map((c) => [c.id, c.review]));
        expect(Object.keys(flagged).sort(), `seed ${r.seed}: ${JSON.stringify(flagged, null, 1)}`).toEqual([...mutant.review].sort());
      }
    });
  }

  it('the same client and seed give the same wire (names, ids, texts) and the same score, run after run', async () => {
    const names = ['reference', 'local_echo', 'members_first_only'];
    for (const name of names) {
      const m = name === 'reference' ? { dir: reference, dispose: async () => {} } : await materialiseMutant(chat, name);
      try {
        const runs = [];
        for (let i = 0; i < 2; i++) runs.push(await gradeWithWire(m.dir, 'repeat-me'));
        const [a, b] = runs as [Graded, Graded];
        expect(b.summary, name).toEqual(a.summary);
        // Everything the server said (names, ids, texts, in order) is the same.
        expect(b.server, name).toEqual(a.server);
        expect(a.server.session?.length, name).toBeGreaterThan(10);
        // So is what the client said, except that a run may end before its last lines arrive.
        for (const run of new Set([...Object.keys(a.client), ...Object.keys(b.client)])) {
          const [x, y] = [a.client[run] ?? [], b.client[run] ?? []];
          const shorter = x.length <= y.length ? x : y;
          expect((x.length <= y.length ? y : x).slice(0, shorter.length), `${name}, ${run} run`).toEqual(shorter);
        }
        if (name === 'reference') {
          // The seed is what decides it: another seed, other names, ids and texts.
          const other = await gradeWithWire(m.dir, 'another-seed');
          expect(other.summary).toEqual(a.summary);
          expect(other.server.session).toHaveLength(a.server.session!.length);
          expect(other.server.session).not.toEqual(a.server.session);
        }
      } finally {
        await m.dispose();
      }
    }
  }, 400_000);
});

interface Graded {
  summary: { points: number; bonus: number; lost: string[] };
  /** Wire lines per run kind, without timings (they are not seeded). */
  server: Record<string, string[]>;
  client: Record<string, string[]>;
}

async function gradeWithWire(dir: string, seed: string): Promise<Graded> {
  const server: Record<string, string[]> = {};
  const client: Record<string, string[]> = {};
  const r = await grader.grade(dir, {
    seed,
    onWire: (run, e) => {
      if (e.dir === 's>c') (server[run] ??= []).push(e.text);
      if (e.dir === 'c>s') (client[run] ??= []).push(e.text);
    },
  });
  return { summary: { points: r.score.points, bonus: r.score.bonus, lost: Object.keys(lost(r)).sort() }, server, client };
}
