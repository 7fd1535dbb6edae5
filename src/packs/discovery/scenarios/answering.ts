// Answering: an ANNOUNCE after another peer's REQUEST, none after its own.
// The run gives a long interval (4 s), so in the seconds after joining the
// peer's rhythm is silent and any extra ANNOUNCE stands out.

import { setTimeout as delay } from 'node:timers/promises';
import { fail, pass, type CheckScript } from '../../../check.js';
import { DiscoveryRun, type PeerDatagram } from '../run.js';
import { REPLY_WINDOW } from './fixtures.js';

/**
 * After joining: the barrier (a simulated peer listed), then wait until the
 * reply window of the peer's own REQUEST has closed. Returns when that
 * REQUEST (or, without one, the first datagram) was sent.
 */
function quiet(run: DiscoveryRun): Promise<{ since: number; own: PeerDatagram | undefined } | { missing: string }> {
  return run.once('quiet', async () => {
    const joined = await run.joined();
    if (!joined.ok) return { missing: joined.failure.actual };
    await run.mainWindow();
    const own = run.heard().find((h) => h.verb === 'REQUEST');
    const since = (own ?? joined.value[0]!).d.at;
    await run.barrier();
    await delay(Math.max(0, since + REPLY_WINDOW + run.limits.grace - run.now()));
    return { since, own };
  });
}

const describe = (hs: readonly PeerDatagram[]): string => hs.map((h) => `${DiscoveryRun.show(h)} at +${Math.round(h.d.at)} ms`).join(', ');

export const answering: CheckScript<DiscoveryRun>[] = [
  {
    id: 'discovery.reply.not_own',
    run: 'reply',
    phase: 0,
    async script(run) {
      const q = await quiet(run);
      if ('missing' in q) return fail(`the peer on ${run.group}:${run.mport}`, q.missing);
      if (!q.own) return pass(); // no REQUEST of its own to answer
      const window = run.announces().filter((a) => a.d.at > q.since && a.d.at <= q.since + REPLY_WINDOW);
      if (window.length <= 1) return pass();
      return fail(`one ANNOUNCE (on joining) in the second after its own REQUEST, none in answer to it`, `${window.length} ANNOUNCEs: ${describe(window)}`);
    },
  },
  {
    id: 'discovery.reply.sent',
    run: 'reply',
    phase: 1,
    async script(run) {
      const q = await quiet(run);
      if ('missing' in q) return fail(`the peer on ${run.group}:${run.mport}`, q.missing);
      const asker = run.simulate({ live: false });
      const sentAt = await run.say(asker, { type: 'REQUEST', name: asker.name });
      const before = run.announces().map((a) => a.d.at).filter((t) => t < sentAt);
      // The rhythm as the peer keeps it (answers to its own REQUEST, right or wrong, left out).
      const settled = before.filter((t) => t > q.since + REPLY_WINDOW);
      const gaps = settled.slice(1).map((t, i) => t - settled[i]!);
      // Off the rhythm: sooner after the previous ANNOUNCE than any periodic one could be.
      const beat = 0.75 * Math.min(run.S, ...gaps);
      const isReply = (a: PeerDatagram, prev: number | undefined): boolean => a.d.at <= sentAt + REPLY_WINDOW && (prev === undefined || a.d.at - prev < beat);
      const after = (): PeerDatagram[] => run.announces().filter((a) => a.d.at > sentAt);
      const decided = (): true | undefined => (after().some((a) => a.d.at > sentAt + REPLY_WINDOW) || after().some((a, i) => isReply(a, i ? after()[i - 1]!.d.at : before.at(-1))) ? true : undefined);
      await run.wire.waitFor(decided, { within: sentAt + REPLY_WINDOW + run.limits.line - run.now(), step: `an ANNOUNCE answering ${asker.name}'s REQUEST` });
      const answers = after();
      const want = `ANNOUNCE ${run.self} ... within ${REPLY_WINDOW} ms of REQUEST ${asker.name}, off its periodic rhythm`;
      if (answers.some((a, i) => isReply(a, i ? answers[i - 1]!.d.at : before.at(-1)))) return pass();
      if (answers.length === 0) return fail(want, `no ANNOUNCE in ${Math.round(run.now() - sentAt)} ms`);
      const first = answers[0]!;
      if (first.d.at > sentAt + REPLY_WINDOW) return fail(want, `the first ANNOUNCE came ${Math.round(first.d.at - sentAt)} ms after the REQUEST`);
      return fail(want, `only ANNOUNCEs on its periodic rhythm (every ~${Math.round(beat / 0.75)} ms): ${describe(answers)}`);
    },
  },
];
