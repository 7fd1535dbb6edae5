// Load never changes a verdict: the runner runs again a check that failed
// while its run was starved, and makes it an error when it cannot be judged.
// Each window's load is scripted (test/helpers/load.ts); no client starts.
import { describe, expect, it } from 'vitest';
import { fail, pass, type Verdict } from '../src/check.js';
import { MAX_RERUNS, type GradeOptions } from '../src/grade.js';
import { Limiter } from '../src/limiter.js';
import { deadlineExpired } from '../src/load/deadlines.js';
import type { Pack } from '../src/pack.js';
import type { CheckResult } from '../src/results.js';
import { FakeRun, fakePack, gradeFake } from './helpers/fake-pack.js';
import { CLIENT_STARVED, STARVED, scriptedLoad } from './helpers/load.js';

const grade = (pack: Pack, opts: Partial<GradeOptions> = {}) => gradeFake(pack, { jobs: 1, ...opts });

const byId = (checks: CheckResult[]) => Object.fromEntries(checks.map((c) => [c.id, c]));

/** A script that fails its first `times` calls and passes after, drawing one number of its run's stream each time. */
function failsFirst(times: number, draws: number[] = []) {
  let calls = 0;
  return async (run: FakeRun): Promise<Verdict> => {
    draws.push(run.env.rng.next());
    return calls++ < times ? fail('a line', `nothing (call ${calls})`) : pass();
  };
}

describe('a check that failed in a starved window', () => {
  it('is run again in a fresh run with the same data, and the new verdict stands', async () => {
    const created: FakeRun[] = [];
    const draws: number[] = [];
    const load = scriptedLoad((n) => (n === 0 ? STARVED : undefined));
    const told: string[] = [];
    const r = await grade(fakePack({ 'core.one.a': failsFirst(1, draws) }, { created }), { load, onCheck: (c) => told.push(`${c.id} ${c.status}`) });
    const a = byId(r.checks)['core.one.a']!;
    expect(a).toMatchObject({ status: 'passed', points: 6 });
    expect(a.load?.reruns).toEqual([{ from: expect.any(Number), to: expect.any(Number), why: "the grader's event loop was held up for 1000 ms", actual: 'nothing (call 1)' }]);
    expect(a.load?.starved).toBe(false);
    // One run for all four checks, and one more for the check run again, after waiting for calm.
    expect(created.map((c) => c.kind)).toEqual(['main', 'main']);
    expect(created.every((c) => c.disposed)).toBe(true);
    expect(load.calmed).toBe(1);
    expect(draws[1]).toBe(draws[0]);
    // The first verdict is never told: only the final one.
    expect(told.filter((t) => t.startsWith('core.one.a'))).toEqual(['core.one.a passed']);
    expect(r.score.points).toBe(20);
  });

  it('stands when the run again fails in a calm window', async () => {
    const created: FakeRun[] = [];
    const r = await grade(fakePack({ 'core.one.a': failsFirst(5) }, { created }), { load: scriptedLoad((n) => (n === 0 ? STARVED : undefined)) });
    expect(byId(r.checks)['core.one.a']).toMatchObject({ status: 'failed', actual: 'nothing (call 2)', load: { starved: false, reruns: [expect.objectContaining({ actual: 'nothing (call 1)' })] } });
    expect(created).toHaveLength(2);
  });

  it(`is an error (load.starved) when it failed starved in all ${MAX_RERUNS + 1} attempts, never the client's failure`, async () => {
    const created: FakeRun[] = [];
    const told: CheckResult[] = [];
    const r = await grade(fakePack({ 'core.one.a': failsFirst(99) }, { created }), { load: scriptedLoad(() => STARVED), onCheck: (c) => told.push(c) });
    const a = byId(r.checks)['core.one.a']!;
    expect(a.status).toBe('error');
    expect(a.error?.code).toBe('load.starved');
    expect(a.error?.message).toBe(
      "did not pass in any of the 3 times it was run, each time while the grader or the client was starved (the grader's event loop was held up for 1000 ms; the last time: nothing (call 3)); it could not be judged on this machine now: grade it again with fewer --jobs or on a quieter machine",
    );
    expect(a.load?.reruns?.map((x) => x.actual)).toEqual(['nothing (call 1)', 'nothing (call 2)']);
    expect([a.expected, a.actual]).toEqual([undefined, undefined]);
    expect(created).toHaveLength(1 + MAX_RERUNS);
    expect(r.score.unmeasured).toEqual(['core.one.a']);
    // The checks that passed, starved or not, stand.
    expect(byId(r.checks)['core.one.b']!.status).toBe('passed');
    expect(told.filter((c) => c.id === 'core.one.a').map((c) => c.status)).toEqual(['error']);
  });

  it('is run again when an earlier window of its run was starved (a fixture it shares may be spoilt)', async () => {
    const created: FakeRun[] = [];
    // Windows 0 and 1 are core.one.a and core.one.b in the first run: the client starves in a, b fails in calm.
    const r = await grade(fakePack({ 'core.one.b': failsFirst(1) }, { created }), { load: scriptedLoad((n) => (n === 0 ? CLIENT_STARVED : undefined)) });
    const b = byId(r.checks)['core.one.b']!;
    expect(b.status).toBe('passed');
    expect(b.load?.reruns?.[0]?.why).toBe('an earlier window of the run was starved (core.one.a: the client was stopped for 1000 ms)');
    expect(created).toHaveLength(2);
    // The grader held up at the end of the earlier window counts too (a fixture computed there ends with its
    // own deadline); held up only before its end, it does not.
    const tail = await grade(fakePack({ 'core.one.b': failsFirst(1) }), { load: scriptedLoad((n) => (n === 0 ? STARVED : undefined)) });
    expect(byId(tail.checks)['core.one.b']!.load?.reruns?.[0]?.why).toBe("an earlier window of the run was starved (core.one.a: the grader's event loop was held up for 1000 ms)");
    const again: FakeRun[] = [];
    const early = { loopMaxMs: 1000, loopTotalMs: 1000, loopTailMs: 0 };
    const g = await grade(fakePack({ 'core.one.a': failsFirst(1), 'core.one.b': failsFirst(1) }, { created: again }), { load: scriptedLoad((n) => (n === 0 ? early : undefined)) });
    expect(byId(g.checks)['core.one.a']).toMatchObject({ status: 'failed', load: { starved: false } });
    expect(byId(g.checks)['core.one.b']).toMatchObject({ status: 'failed', load: { starved: false } });
    expect(again).toHaveLength(1);
  });

  it('is not run again when it failed in a calm run; a starved pass is not run again either', async () => {
    const created: FakeRun[] = [];
    const load = scriptedLoad((n) => (n === 1 ? STARVED : undefined));
    const r = await grade(fakePack({ 'core.one.a': failsFirst(1) }, { created }), { load });
    expect(byId(r.checks)['core.one.a']).toMatchObject({ status: 'failed', load: { starved: false } });
    expect(byId(r.checks)['core.one.a']!.load?.reruns).toBeUndefined();
    expect(byId(r.checks)['core.one.b']).toMatchObject({ status: 'passed', load: { starved: true } });
    expect(created).toHaveLength(1);
    expect(load.calmed).toBe(0);
  });

  it('runs again a pass that rests on an event not coming too soon (delayCanPass), when its window was starved anywhere', async () => {
    const verdicts = [pass(), fail('removed after two intervals', 'removed 600 ms after, before two intervals')];
    const script = async (): Promise<Verdict> => verdicts.shift() ?? pass();
    const early = { loopMaxMs: 800, loopTotalMs: 800, loopTailMs: 0 };
    const r = await grade(fakePack({ 'core.one.a': script }, { delayCanPass: ['core.one.a'] }), { load: scriptedLoad((n) => (n === 0 ? early : undefined)) });
    expect(byId(r.checks)['core.one.a']).toMatchObject({ status: 'failed', actual: 'removed 600 ms after, before two intervals' });
    expect(byId(r.checks)['core.one.a']!.load?.reruns).toEqual([expect.objectContaining({ actual: 'passed', why: "the grader's event loop was held up for 800 ms" })]);
    // Passed only while starved, every time: an error, never a pass the delay may have made.
    const s = await grade(fakePack({ 'core.one.a': async () => pass() }, { delayCanPass: ['core.one.a'] }), { load: scriptedLoad(() => early) });
    expect(byId(s.checks)['core.one.a']).toMatchObject({ status: 'error', error: { code: 'load.starved' } });
    expect(byId(s.checks)['core.one.a']!.error!.message).toMatch(/^passed only while the grader or the client was starved, .* in each of the 3 times it was run \(/);
    // Without delayCanPass, a starved pass stands.
    const t = await grade(fakePack({ 'core.one.a': async () => pass() }), { load: scriptedLoad(() => early) });
    expect(byId(t.checks)['core.one.a']!.status).toBe('passed');
  });

  it('in a pack whose failures rest only on deadlines, runs again a failure only when one of its waits ran out', async () => {
    const byDeadline = (pack: Pack): Pack => ({ ...pack, failsOnlyByDeadline: true });
    // A wait of the check's own that runs out, as every bounded wait of the grader reports it.
    const ranOut = () => new Promise<void>((resolve) => setTimeout(() => (deadlineExpired(), resolve()), 1));
    let waits = 0;
    const waitsThenFailsFirst = async (): Promise<Verdict> => {
      await ranOut();
      return waits++ === 0 ? fail('a line', 'nothing') : pass();
    };
    const timed = await grade(byDeadline(fakePack({ 'core.one.a': waitsThenFailsFirst })), { load: scriptedLoad((n) => (n === 0 ? STARVED : undefined)) });
    expect(byId(timed.checks)['core.one.a']).toMatchObject({ status: 'passed', load: { reruns: [expect.objectContaining({ actual: 'nothing' })] } });
    // What came was judged and was wrong: load cannot have made it so, and nothing runs again.
    const created: FakeRun[] = [];
    const judged = await grade(byDeadline(fakePack({ 'core.one.a': failsFirst(1) }, { created })), { load: scriptedLoad((n) => (n === 0 ? STARVED : undefined)) });
    expect(byId(judged.checks)['core.one.a']).toMatchObject({ status: 'failed', actual: 'nothing (call 1)', load: { starved: true } });
    expect(byId(judged.checks)['core.one.a']!.load?.reruns).toBeUndefined();
    expect(created).toHaveLength(1);
    // A starved earlier window passes its starvation on only if a wait ran out in it (a fixture cut short).
    const calm = await grade(byDeadline(fakePack({ 'core.one.b': failsFirst(1) })), { load: scriptedLoad((n) => (n === 0 ? STARVED : undefined)) });
    expect(byId(calm.checks)['core.one.b']).toMatchObject({ status: 'failed', load: { starved: false } });
    const cut = await grade(byDeadline(fakePack({ 'core.one.a': async () => (await ranOut(), pass()), 'core.one.b': failsFirst(1) })), { load: scriptedLoad((n) => (n === 0 ? STARVED : undefined)) });
    expect(byId(cut.checks)['core.one.b']).toMatchObject({ status: 'passed', load: { reruns: [expect.objectContaining({ why: expect.stringMatching(/^an earlier window of the run was starved \(core\.one\.a: /) })] } });
  });

  it('runs again only the suspects of that run, together, in their order', async () => {
    const calls: string[] = [];
    const logged = (id: string, script: (run: FakeRun) => Promise<Verdict>) => async (run: FakeRun) => {
      calls.push(id);
      return script(run);
    };
    const pack = fakePack({ 'core.one.a': logged('a', failsFirst(1)), 'core.one.b': logged('b', async () => pass()), 'core.two.a': logged('c', failsFirst(1)) });
    const r = await grade(pack, { load: scriptedLoad((n) => (n === 0 ? CLIENT_STARVED : undefined)) });
    expect(calls).toEqual(['a', 'b', 'c', 'a', 'c']);
    expect(r.checks.map((c) => c.status)).toEqual(['passed', 'passed', 'passed', 'passed']);
  });

  it('also runs again a fault of ours in a starved run (a start-up limit), and forgets the fault once a run starts', async () => {
    let calls = 0;
    const startsLate = async (): Promise<Verdict> => {
      if (calls++ === 0) throw Object.assign(new Error('the sandbox did not start within 10000 ms'), { code: 'sandbox.setupFailed' });
      return pass();
    };
    const r = await grade(fakePack({ 'core.one.a': startsLate }), { load: scriptedLoad((n) => (n === 0 ? CLIENT_STARVED : undefined)) });
    expect(r.checks.map((c) => c.status)).toEqual(['passed', 'passed', 'passed', 'passed']);
    expect(byId(r.checks)['core.one.b']!.load?.reruns?.[0]).toMatchObject({ actual: 'the sandbox did not start within 10000 ms [sandbox.setupFailed]' });
    expect(r.errors).toEqual([]);
  });

  it('keeps the fault that stopped a run when the run again stops too, and never runs a bug of ours again', async () => {
    const created: FakeRun[] = [];
    const stops = async (): Promise<Verdict> => {
      throw Object.assign(new Error('the sandbox did not start within 10000 ms'), { code: 'sandbox.setupFailed' });
    };
    const bug = async (): Promise<Verdict> => {
      throw new TypeError('x is undefined');
    };
    const r = await grade(fakePack({ 'core.one.a': ['a', stops], 'core.two.a': ['b', bug] }, { created }), { load: scriptedLoad(() => STARVED) });
    expect(r.errors).toEqual([{ code: 'sandbox.setupFailed', message: 'the a run could not start: the sandbox did not start within 10000 ms' }]);
    expect(byId(r.checks)['core.one.a']!.error?.code).toBe('load.starved');
    expect(byId(r.checks)['core.two.a']!.error?.code).toBe('grader.bug');
    expect(created.map((c) => c.kind).sort()).toEqual(['a', 'a', 'a', 'b', 'main']);
  });

  it('reports every window to the limiter: an adaptive one backs off when the machine is overloaded, not for a short hold', async () => {
    const limiter = new Limiter(8, { min: 1, growMs: 1e9 });
    await grade(fakePack(), { limiter, load: scriptedLoad((n) => (n === 2 ? { loopMaxMs: 1500 } : n === 3 ? { loopMaxMs: 600 } : undefined)) });
    expect(limiter.limit).toBe(4);
  });

  it('keeps the numbers of every window in the result', async () => {
    const r = await grade(fakePack(), { load: scriptedLoad(() => ({ wallMs: 812.6, loopMaxMs: 33.4, client: { waitMs: 20.2, cpuMs: 140.6, stoppedMs: 0 }, pressure: { cpuSomeMs: 90.5, memorySomeMs: 3, memoryFullMs: 1.2 } })) });
    const load = byId(r.checks)['core.one.a']!.load!;
    expect(load).toEqual({ from: expect.any(Number), to: load.from + 813, starved: false, graderDelayMs: 33, clientWaitMs: 20, clientCpuMs: 141, clientStoppedMs: 0, cpuStallMs: 91, memoryStallMs: 1 });
  });
});
