// The runner (gradeSubmission) over a pack made of data: seeding, verdicts,
// the faults that stop a run, weights, what a result keeps. No client starts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HarnessFault, StepFailed, limitsFor, pass, type Verdict } from '../src/check.js';
import { verdictOf, stopsRun } from '../src/verdict.js';
import { FakeRun, fakePack, fakeRubric, gradeFake } from './helpers/fake-pack.js';
import { makeXwd } from './helpers/xwd.js';

const ALL = fakeRubric.checks.map((c) => c.id);

const grade = gradeFake;

/** A script that reports three draws of its run's random stream as its evidence. */
const draws = async (run: FakeRun): Promise<Verdict> => ({
  status: 'passed',
  evidence: [0, 1, 2].map((i) => ({ t: i, dir: 'note' as const, text: String(run.env.rng.next()) })),
});

describe('seeding', () => {
  const pack = fakePack({ 'core.one.a': ['first', draws], 'core.two.a': ['second', draws] });
  const seen = async (seed: string, checks = ALL) => {
    const r = await grade(pack, { seed, checks });
    return Object.fromEntries(r.checks.filter((c) => c.transcript).map((c) => [c.id, c.transcript!.map((l) => l.text)]));
  };

  it('gives each run the same data for the same seed, and other data for another seed', async () => {
    const a = await seen('s1');
    expect(Object.keys(a)).toEqual(['core.one.a', 'core.two.a']);
    expect(await seen('s1')).toEqual(a);
    const b = await seen('s2');
    expect(b['core.one.a']).not.toEqual(a['core.one.a']);
    // Runs draw from streams of their own: two runs never see the same data.
    expect(a['core.two.a']).not.toEqual(a['core.one.a']);
  });

  it('does not change a run\'s data when other runs are deselected', async () => {
    const full = await seen('s1');
    const alone = await seen('s1', ['core.two.a']);
    expect(alone).toEqual({ 'core.two.a': full['core.two.a'] });
  });

  it('records the seed in the result', async () => {
    expect((await grade(pack, { seed: 'repeat-me' })).seed).toBe('repeat-me');
  });
});

describe('verdicts from what a script throws', () => {
  it('sorts the student\'s failures from our errors', () => {
    const coded = (code: string, message = 'm') => Object.assign(new Error(message), { code });
    expect(verdictOf(new StepFailed('a JOIN', 'nothing'))).toEqual({ status: 'failed', expected: 'a JOIN', actual: 'nothing' });
    expect(verdictOf(new HarnessFault('static.noReport', 'no report'))).toEqual({ status: 'error', code: 'static.noReport', message: 'no report' });
    expect(verdictOf(coded('probe.actionFailed', 'no Send button'))).toEqual({ status: 'failed', expected: 'the GUI control for this action', actual: 'no Send button' });
    expect(verdictOf(coded('probe.flooded', 'over 64 MiB'))).toEqual({ status: 'failed', expected: "probe traffic within the grader's limits", actual: 'over 64 MiB' });
    for (const code of ['env.noDisplay', 'probe.timeout', 'client.spawnFailed', 'server.portInUse', 'proc.killFailed', 'sandbox.setupFailed']) {
      expect(verdictOf(coded(code, 'why'))).toEqual({ status: 'error', code, message: 'why' });
    }
    // Only those prefixes, and only as a prefix: anything else is our bug.
    for (const thrown of [new Error('oops'), coded('student.x'), coded('xenv.noDisplay'), coded('env'), Object.assign(new Error('n'), { code: 42 })]) {
      const v = verdictOf(thrown);
      expect(v).toMatchObject({ status: 'error', code: 'grader.bug' });
    }
    expect(verdictOf(new Error('oops'))).toEqual({ status: 'error', code: 'grader.bug', message: 'oops (this is a chatgrade bug; please report it)' });
    expect(verdictOf('a string')).toEqual({ status: 'error', code: 'grader.bug', message: 'a string (this is a chatgrade bug; please report it)' });
    expect(verdictOf(undefined)).toMatchObject({ code: 'grader.bug', message: 'undefined (this is a chatgrade bug; please report it)' });
  });

  it('turns each into its check\'s result', async () => {
    const r = await grade(
      fakePack({
        'core.one.a': async () => {
          throw new StepFailed('REGISTER ann', 'nothing within 2000 ms');
        },
        'core.one.b': async () => {
          throw Object.assign(new Error('no answer to sync'), { code: 'probe.timeout' });
        },
        'core.two.a': async () => {
          throw new TypeError('x is undefined');
        },
      }),
    );
    const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(by['core.one.a']).toMatchObject({ status: 'failed', points: 0, max: 6, expected: 'REGISTER ann', actual: 'nothing within 2000 ms' });
    expect(by['core.one.a']!.error).toBeUndefined();
    expect(by['core.one.b']).toMatchObject({ status: 'error', points: 0, error: { code: 'probe.timeout', message: 'no answer to sync' } });
    expect(by['core.two.a']).toMatchObject({ status: 'error', error: { code: 'grader.bug' } });
    expect(by['extra.three.a']).toMatchObject({ status: 'passed', points: 5, max: 5 });
    expect(r.score.unmeasured).toEqual(['core.one.b', 'core.two.a']);
    expect(r.errors).toEqual([]);
  });

  it('gives a check that never ends an error at its deadline', async () => {
    const r = await grade(fakePack({ 'core.one.a': () => new Promise<Verdict>(() => {}) }), { timeoutScale: 0.0001 });
    expect(r.checks.find((c) => c.id === 'core.one.a')).toMatchObject({ status: 'error', error: { code: 'grader.deadline', message: 'the check did not finish within 6 ms' } });
  });
});

describe('a fault that stops a whole run', () => {
  it('is recorded once in result.errors, and every check of that run is unmeasured without running', async () => {
    const calls: string[] = [];
    const spawnFailed = async (): Promise<Verdict> => {
      calls.push('spawn');
      throw Object.assign(new Error('cannot start /nope: ENOENT'), { code: 'client.spawnFailed' });
    };
    const never = async (): Promise<Verdict> => {
      calls.push('never');
      return pass();
    };
    const r = await grade(fakePack({ 'core.one.a': ['gui', spawnFailed], 'core.one.b': ['gui', never], 'core.two.a': ['gui', never] }));
    expect(calls).toEqual(['spawn']);
    expect(r.errors).toEqual([{ code: 'client.spawnFailed', message: 'the gui run could not start: cannot start /nope: ENOENT' }]);
    const status = Object.fromEntries(r.checks.map((c) => [c.id, [c.status, c.error?.code]]));
    expect(status).toEqual({
      'core.one.a': ['error', 'client.spawnFailed'],
      'core.one.b': ['error', 'client.spawnFailed'],
      'core.two.a': ['error', 'client.spawnFailed'],
      // Another run is not affected.
      'extra.three.a': ['passed', undefined],
    });
  });

  it('is only a fault of starting: a check\'s own harness error stops nothing', async () => {
    expect(['client.spawnFailed', 'env.noAgent', 'env.noDisplay', 'env.noPython', 'probe.listenFailed', 'server.listenFailed', 'server.portInUse', 'sandbox.setupFailed'].filter(stopsRun)).toHaveLength(8);
    expect(['probe.timeout', 'probe.noHello', 'probe.closed', 'grader.bug', 'grader.deadline', 'static.noReport', 'client'].some(stopsRun)).toBe(false);
    const calls: string[] = [];
    const r = await grade(
      fakePack({
        'core.one.a': async () => {
          throw new HarnessFault('probe.timeout', 'no answer');
        },
        'core.one.b': async () => {
          calls.push('b');
          return pass();
        },
      }),
    );
    expect(calls).toEqual(['b']);
    expect(r.errors).toEqual([]);
  });
});

describe('what a result keeps', () => {
  it('cuts a wire line over 300 characters, keeping its length (and the peer it was for)', async () => {
    const text = (n: number) => 'x'.repeat(n);
    const r = await grade(
      fakePack({
        'core.one.a': async () => ({
          status: 'passed',
          evidence: [
            { t: 1.6, dir: 'c>s', text: text(300) },
            { t: 2.4, dir: 's>c', text: text(301) },
            { t: 3, dir: 'note', text: `${text(299)}é${text(200)}` },
            { t: 4, dir: 's>c', text: 'SEND_MESSAGE c1 bob hi', peer: 'bob' },
          ],
        }),
      }),
    );
    expect(r.checks.find((c) => c.id === 'core.one.a')!.transcript).toEqual([
      { t: 2, dir: 'c>s', text: text(300) },
      { t: 2, dir: 's>c', text: `${text(300)}... (301 characters)` },
      { t: 3, dir: 'note', text: `${text(299)}é... (500 characters)` },
      { t: 4, dir: 's>c', text: 'SEND_MESSAGE c1 bob hi', peer: 'bob' },
    ]);
  });

  it('falls back to the run\'s transcript for evidence, except for errors', async () => {
    const created: FakeRun[] = [];
    const pack = fakePack(
      {
        'core.one.a': async (run) => {
          run.transcript.push({ t: 0, dir: 'c>s', text: 'REGISTER ann' });
          return pass();
        },
        'core.one.b': async () => {
          throw new HarnessFault('probe.timeout', 'late');
        },
      },
      { created },
    );
    const r = await grade(pack);
    const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(by['core.one.a']!.transcript).toEqual([{ t: 0, dir: 'c>s', text: 'REGISTER ann' }]);
    expect(by['core.one.b']!.transcript).toBeUndefined();
    expect(created.every((run) => run.disposed)).toBe(true);
  });

  it('keeps the last 8000 characters of each run\'s client stderr, saying when it cut', async () => {
    const long = `HEAD${'-'.repeat(7996)}TAIL`;
    const pack = fakePack({ 'core.two.a': ['other', async () => pass()], 'extra.three.a': ['quiet', async () => pass()] }, { logs: { main: long, other: 'x'.repeat(8000) } });
    const r = await grade(pack);
    expect(r.logs).toEqual([
      { scenario: 'main', stderr: `${'-'.repeat(7996)}TAIL`, truncated: true },
      { scenario: 'other', stderr: 'x'.repeat(8000), truncated: false },
    ]);
  });

  it('passes the run its limits for --timeout-scale', async () => {
    const created: FakeRun[] = [];
    await grade(fakePack({}, { created }), { timeoutScale: 2.5 });
    expect(created[0]!.env.limits).toEqual(limitsFor(2.5));
  });
});

describe('weights and selection', () => {
  it('scores with the course weights, skipped checks counting neither way', async () => {
    const pack = fakePack({ 'core.one.b': async () => ({ status: 'failed', expected: 'e', actual: 'a' }) });
    const r = await grade(pack, { checks: ['core.one.a', 'core.one.b', 'extra.three.a'], weights: { 'core.one.a': 1.5, 'core.one.b': 3, 'core.two.a': 7, 'extra.three.a': 2 } });
    const by = Object.fromEntries(r.checks.map((c) => [c.id, [c.status, c.points, c.max]]));
    expect(by).toEqual({
      'core.one.a': ['passed', 1.5, 1.5],
      'core.one.b': ['failed', 0, 3],
      'core.two.a': ['skipped', 0, 7],
      'extra.three.a': ['passed', 2, 2],
    });
    expect([r.score.points, r.score.max, r.score.bonus, r.score.bonusMax]).toEqual([1.5, 4.5, 2, 2]);
  });

  it('runs the checks of a run by phase, then in declaration order, and reports them by id', async () => {
    const order: string[] = [];
    const note = (id: string) => async () => {
      order.push(id);
      return pass();
    };
    const pack = fakePack(
      { 'core.one.a': note('core.one.a'), 'core.one.b': note('core.one.b'), 'core.two.a': note('core.two.a'), 'extra.three.a': note('extra.three.a') },
      { phases: { 'core.one.a': 5, 'core.two.a': 1, 'extra.three.a': 1 } },
    );
    const r = await grade(pack, { jobs: 1 });
    expect(order).toEqual(['core.one.b', 'core.two.a', 'extra.three.a', 'core.one.a']);
    expect(r.checks.map((c) => c.id)).toEqual([...ALL].sort());
  });

  it('starts the other runs once the first run\'s first check is over, and without it when it is not selected', async () => {
    const order: string[] = [];
    const slow = (id: string) => async () => {
      order.push(`${id} starts`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push(`${id} ends`);
      return pass();
    };
    const pack = fakePack({ 'core.one.a': ['lead', slow('lead')], 'core.one.b': ['lead', slow('lead, second')], 'core.two.a': ['other', slow('other')] });
    await grade(pack, { jobs: 4 });
    expect(order.slice(0, 2)).toEqual(['lead starts', 'lead ends']);
    // The other run then goes along with the rest of the first run.
    expect(order.indexOf('other starts')).toBeGreaterThan(order.indexOf('lead ends'));
    expect(order.indexOf('other starts')).toBeLessThan(order.indexOf('lead, second ends'));
    order.length = 0;
    const r = await grade(pack, { jobs: 4, checks: ['core.two.a'] });
    expect(order).toEqual(['other starts', 'other ends']);
    expect(r.checks.find((c) => c.id === 'core.two.a')!.status).toBe('passed');
  });
});

describe('limitsFor', () => {
  it('scales every limit but the rubric\'s 300 ms of silence', () => {
    expect(limitsFor(1)).toEqual({ startup: 10_000, line: 2_000, gui: 2_000, barrier: 2_000, grace: 100, exit: 3_000, silence: 300, sync: 500, staticCheck: 5_000 });
    expect(limitsFor(2)).toEqual({ startup: 20_000, line: 4_000, gui: 4_000, barrier: 4_000, grace: 200, exit: 6_000, silence: 300, sync: 1_000, staticCheck: 10_000 });
    // A pack's own limits (the chat handout's 5 s for a GUI change) are scaled the same way.
    expect(limitsFor(2, { gui: 5_000, barrier: 5_000 })).toMatchObject({ gui: 10_000, barrier: 10_000, line: 4_000, silence: 300 });
    expect(limitsFor(0.333).grace).toBe(33);
  });
});

describe('screenshots', () => {
  it("a failed check's screenshot is its own run's screen, never another run's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chatgrade-runner-fb-'));
    // Each run gets a screen of its own, told apart by its width.
    const screens: { workdir: string; width: number }[] = [];
    const perRun = {
      level: 'full',
      display: 'Xvfb, one per run',
      newRun: async () => {
        const i = screens.length;
        const screen = { workdir: `/srv/work/run${i}`, width: 10 + i };
        const framebuffer = join(dir, `fb${i}`);
        writeFileSync(framebuffer, makeXwd({ width: screen.width, height: 4, bpp: 32, msb: false, masks: [0xff0000, 0x00ff00, 0x0000ff], value: () => 0xffffff }));
        screens.push(screen);
        return { workdir: screen.workdir, framebuffer, inside: { workdir: screen.workdir, agentDir: '/srv/agent' }, dispose: async () => undefined };
      },
    } as unknown as Sandbox;
    const ranIn: Record<string, string> = {};
    const fails = (kind: string) => async (run: FakeRun): Promise<Verdict> => {
      ranIn[kind] = run.env.dir;
      return { status: 'failed', expected: 'a window', actual: 'another' };
    };
    const [inA, inB] = [ALL[0]!, ALL[1]!];
    const r = await grade(fakePack({ [inA]: ['a', fails('a')], [inB]: ['b', fails('b')] }), { sandbox: perRun, screenshots: true });
    rmSync(dir, { recursive: true, force: true });
    for (const [kind, id] of [['a', inA], ['b', inB]] as const) {
      const own = screens.find((s) => s.workdir === ranIn[kind])!;
      expect(r.checks.find((c) => c.id === id)?.screenshot?.width, kind).toBe(own.width);
    }
    expect(new Set(Object.values(ranIn)).size).toBe(2);
  });
});
