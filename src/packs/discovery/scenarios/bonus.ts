// Bonus: BYE on closing, another peer's BYE handled at once, metadata shown.

import { fail, pass, type CheckScript } from '../../../check.js';
import { DiscoveryRun } from '../run.js';
import { departures, wave } from './fixtures.js';

/** Close the window, once, and wait for the BYE (or anything else) that follows. */
function closeWindow(run: DiscoveryRun) {
  return run.once('quit', async () => {
    await run.ready();
    const d = await run.gotDriver();
    const since = run.heard().length;
    const t = run.now();
    let actionError: string | undefined;
    try {
      await d.quit();
      run.wire.note('closed the peer window');
    } catch (err) {
      actionError = (err as Error).message;
    }
    // The handout sets no time for the BYE, only that closing sends it: wait
    // until the peer has exited (and what it sent just before has come
    // through the bridge), or the exit limit, whichever is first.
    const find = () => run.heard().slice(since).find((h) => h.verb === 'BYE');
    const waiting = run.wire.waitFor(find, { within: run.limits.exit, step: 'closing the window', expected: `BYE ${run.self}` });
    const bye = await run.unlessExited(waiting, 'without a BYE', 3 * run.limits.grace);
    return { t, actionError, bye };
  });
}

export const bonus: CheckScript<DiscoveryRun>[] = [
  {
    id: 'discovery.metadata.shown',
    run: 'session',
    phase: 1,
    async script(run) {
      const w = await wave(run);
      const { sim, word } = w.status;
      const expected = `"${word}" beside ${sim.name} (it announced status=${word})`;
      const says = (rest: string): boolean => rest.toLowerCase().split(/[^a-z]+/).includes(word);
      const r = await run.gui((ui) => (ui.peers?.some((p) => p.name === sim.name && says(p.rest)) ? true : undefined), `status ${word} beside ${sim.name}`);
      if (r.ok) return pass();
      const entry = (await run.ui()).peers?.find((p) => p.name === sim.name);
      return fail(expected, entry ? `its entry reads ${JSON.stringify(entry.text)}` : `${sim.name} is not listed: ${await run.describeUi()}`);
    },
  },
  {
    id: 'discovery.bye.handled',
    run: 'session',
    phase: 2,
    // A BYE the grader sent late leaves the peer's own expiry inside the limit.
    delayCanPass: true,
    async script(run) {
      const { leaving } = await departures(run);
      const name = leaving.sim.name;
      const limit = 1.5 * run.S;
      const expected = `${name} removed within ${limit} ms of its BYE (its expiry could start ${2 * run.S} ms after its last ANNOUNCE)`;
      const evidence = run.transcriptSince(leaving.last - 1);
      if (!leaving.listed) return { status: 'failed', expected, actual: `${name} was never listed`, evidence };
      if (leaving.gone === undefined) {
        const actual = run.client?.exitStatus() ? run.describeExit() : `still listed ${Math.round(run.now() - leaving.bye!)} ms after its BYE`;
        return { status: 'failed', expected, actual, evidence };
      }
      return { status: 'passed', evidence };
    },
  },
  {
    id: 'discovery.bye.sent',
    run: 'session',
    phase: 9,
    async script(run) {
      const q = await closeWindow(run);
      const want = `BYE ${run.self} after the window is closed`;
      if (q.actionError) return fail('a way to close the window', q.actionError);
      if (!q.bye.ok) return fail(want, q.bye.failure.actual);
      const h = q.bye.value;
      const ok = h.parsed.ok && h.parsed.message.type === 'BYE' && h.parsed.message.name === run.self;
      return ok ? pass() : fail(`${want} (exactly, a trailing newline allowed)`, DiscoveryRun.show(h));
    },
  },
];
