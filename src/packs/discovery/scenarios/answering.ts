// Answering: an ANNOUNCE after another peer's REQUEST, none after its own.
// The run gives a long interval (6 s), so in the seconds after joining the
// peer's rhythm is silent and any extra ANNOUNCE stands out.

import { setTimeout as delay } from 'node:timers/promises';
import { StepFailed, fail, pass, type CheckScript } from '../../../check.js';
import { DiscoveryRun, type PeerDatagram } from '../run.js';
import { REPLY_WINDOW, SETTLE } from './fixtures.js';

/**
 * After joining: the barrier (a simulated peer listed), then wait until an
 * answer to the peer's own REQUEST can no longer come (SETTLE). Returns when
 * that REQUEST (or, without one, the first datagram) was sent.
 */
function quiet(run: DiscoveryRun): Promise<{ since: number; own: PeerDatagram | undefined }> {
  return run.once('quiet', async () => {
    const joined = await run.joined();
    if (!joined.ok) throw new StepFailed(`the peer on ${run.group}:${run.mport}`, joined.failure.actual);
    await run.mainWindow();
    const own = run.heard().find((h) => h.verb === 'REQUEST');
    const since = (own ?? joined.value[0]!).d.at;
    await run.barrier();
    await delay(Math.max(0, since + SETTLE + run.limits.grace - run.now()));
    return { since, own };
  });
}

const describe = (hs: readonly PeerDatagram[]): string => hs.map((h) => `${DiscoveryRun.show(h)} at +${Math.round(h.d.at)} ms`).join(', ');

type Asked = { answered: true } | { answered: false; late: boolean; want: string; actual: string };

/**
 * Off the rhythm: sooner after the previous ANNOUNCE than any periodic one
 * could be, by the interval given or the peer's own faster rhythm (answers
 * to its own REQUEST, right or wrong, left out).
 */
function offBeatWithin(run: DiscoveryRun, since: number): number {
  const settled = run.announces().map((a) => a.d.at).filter((t) => t > since + SETTLE);
  const gaps = settled.slice(1).map((t, i) => t - settled[i]!);
  return 0.75 * Math.min(run.S, ...gaps);
}

/** A simulated peer's REQUEST, and whether an ANNOUNCE off the rhythm answered it in time. */
async function ask(run: DiscoveryRun, beat: number): Promise<Asked> {
  const asker = run.sims.add({ live: false });
  const sentAt = await run.sims.say(asker, { type: 'REQUEST', name: asker.name });
  const before = run.announces().map((a) => a.d.at).filter((t) => t < sentAt);
  const after = (): PeerDatagram[] => run.announces().filter((a) => a.d.at >= sentAt);
  const offBeat = (all: readonly PeerDatagram[]): PeerDatagram[] => all.filter((a, i) => {
    const prev = i ? all[i - 1]!.d.at : before.at(-1);
    return prev === undefined || a.d.at - prev < beat;
  });
  const answer = (): PeerDatagram | undefined => offBeat(after()).find((a) => a.d.at <= sentAt + REPLY_WINDOW);
  const decided = (): true | undefined => (answer() || offBeat(after()).length ? true : undefined);
  await run.wire.waitFor(decided, { within: sentAt + REPLY_WINDOW + run.limits.line - run.now(), step: `an ANNOUNCE answering ${asker.name}'s REQUEST` });
  if (answer()) return { answered: true };
  const want = `ANNOUNCE ${run.self} ... within ${REPLY_WINDOW} ms of REQUEST ${asker.name}, off its periodic rhythm`;
  const late = offBeat(after())[0];
  if (late) return { answered: false, late: true, want, actual: `its answer came ${Math.round(late.d.at - sentAt)} ms after the REQUEST` };
  const periodic = after();
  if (periodic.length) return { answered: false, late: false, want, actual: `only ANNOUNCEs on its periodic rhythm (every ~${Math.round(beat / 0.75)} ms): ${describe(periodic)}` };
  return { answered: false, late: false, want, actual: `no ANNOUNCE in ${Math.round(run.now() - sentAt)} ms` };
}

export const answering: CheckScript<DiscoveryRun>[] = [
  {
    id: 'discovery.reply.not_own',
    run: 'reply',
    phase: 0,
    async script(run) {
      const q = await quiet(run);
      if (!q.own) return pass(); // no REQUEST of its own to answer
      // Every ANNOUNCE up to then: the one of joining may share the REQUEST's instant, or come just before it.
      const window = run.announces().filter((a) => a.d.at <= q.since + SETTLE);
      if (window.length <= 1) return pass();
      return fail(`one ANNOUNCE (on joining) in the ${SETTLE} ms after its own REQUEST, none in answer to it`, `${window.length} ANNOUNCEs: ${describe(window)}`);
    },
  },
  {
    id: 'discovery.reply.sent',
    run: 'reply',
    phase: 1,
    async script(run) {
      const q = await quiet(run);
      // A late answer may be a loaded machine's doing: one more REQUEST, from another peer, decides.
      const beat = offBeatWithin(run, q.since);
      const first = await ask(run, beat);
      if (first.answered) return pass();
      if (!first.late) return fail(first.want, first.actual);
      const again = await ask(run, beat);
      return again.answered ? pass() : fail(first.want, `${first.actual}; asked again, ${again.actual}`);
    },
  },
];
