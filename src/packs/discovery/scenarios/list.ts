// The peer list: announced peers shown with their URLs, never itself,
// silent peers forgotten on time, and bad datagrams survived (in a run of
// their own).

import { setTimeout as delay } from 'node:timers/promises';
import { fail, pass, type CheckScript } from '../../../check.js';
import type { DiscoveryRun } from '../run.js';
import { departures, wave } from './fixtures.js';

/** Junk a receiver must ignore, each with how the transcript names it. */
function junk(run: DiscoveryRun): [string, Buffer][] {
  const n = () => run.names.name();
  const url = run.names.url();
  const big = `ANNOUNCE ${n()} ${url} note=${'x'.repeat(60)}`;
  return [
    ['an unknown message', Buffer.from(`HELLO ${n()}`)],
    ['ANNOUNCE without a URL', Buffer.from(`ANNOUNCE ${n()}`)],
    ['ANNOUNCE alone', Buffer.from('ANNOUNCE')],
    ['REQUEST with two names', Buffer.from(`REQUEST ${n()} ${n()}`)],
    ['BYE without a name', Buffer.from('BYE\n')],
    ['a URL that is not tcp://', Buffer.from(`ANNOUNCE ${n()} http://127.0.0.1:80`)],
    ['a port out of range', Buffer.from(`ANNOUNCE ${n()} tcp://127.0.0.1:99999`)],
    ['a bad metadata token', Buffer.from(`ANNOUNCE ${n()} ${url} Status=up =x key=`)],
    ['double spaces', Buffer.from(`ANNOUNCE  ${n()}  ${url}`)],
    ['an empty datagram', Buffer.alloc(0)],
    ['invalid UTF-8', Buffer.concat([Buffer.from(`ANNOUNCE ${n()} `), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from(` ${url}`)])],
    ['binary noise', Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + run.env.rng.int(256)) % 256))],
    ['a 1025-byte ANNOUNCE (over the limit)', Buffer.from(`${big} pad=${'z'.repeat(1100)}`).subarray(0, 1025)],
    ['a 60000-byte datagram', Buffer.from(`ANNOUNCE ${n()} ${url} ${'a=b '.repeat(15_000)}`.slice(0, 60_000))],
  ];
}

export const list: CheckScript<DiscoveryRun>[] = [
  {
    id: 'discovery.list.shown',
    run: 'session',
    phase: 1,
    async script(run) {
      const w = await wave(run);
      const wanted = [...w.plain, w.status.sim, w.silent, w.leaving];
      const expected = `the list shows ${wanted.map((s) => `${s.name} with ${s.url}`).join(', ')}`;
      if (!w.shown.ok) return fail(expected, w.shown.failure.actual);
      const r = await run.gui((ui) => (wanted.every((s) => ui.peers?.some((p) => p.name === s.name && p.url === s.url)) ? true : undefined), 'each peer\'s URL beside it');
      if (r.ok) return pass();
      const peers = (await run.ui()).peers ?? [];
      const missing = wanted.filter((s) => !peers.some((p) => p.name === s.name && p.url === s.url));
      return fail(expected, `no URL (or another one) beside ${missing.map((s) => s.name).join(', ')}: ${await run.describeUi()}`);
    },
  },
  {
    id: 'discovery.list.no_self',
    run: 'session',
    phase: 1,
    async script(run) {
      // The wave appearing is the barrier: the peer's own ANNOUNCEs came back to it before.
      const w = await wave(run);
      if (!w.shown.ok) await run.barrier();
      else await delay(run.limits.grace);
      const now = (await run.ui()).peers?.find((p) => p.name === run.self);
      const seen = run.selfSeen ?? (now ? { t: run.now(), text: now.text } : undefined);
      return seen ? fail(`${run.self} (this peer) never in its own list`, `the list showed ${JSON.stringify(seen.text)} at +${Math.round(seen.t)} ms`) : pass();
    },
  },
  {
    id: 'discovery.list.expiry',
    run: 'session',
    phase: 2,
    delayCanPass: true,
    async script(run) {
      const { silent } = await departures(run);
      const S = run.S;
      const name = silent.sim.name;
      const expected = `${name} removed between ${2 * S} and ${3 * S} ms after its last ANNOUNCE (2 to 3 intervals)`;
      const evidence = run.transcriptSince(silent.last - 1);
      if (!silent.listed) return { status: 'failed', expected, actual: `${name} was never listed`, evidence };
      if (silent.gone === undefined) {
        const actual = run.client?.exitStatus() ? run.describeExit() : `still listed ${Math.round(run.now() - silent.last)} ms after its last ANNOUNCE`;
        return { status: 'failed', expected, actual, evidence };
      }
      const after = Math.round(silent.gone - silent.last);
      if (after < 2 * S) return { status: 'failed', expected, actual: `removed ${after} ms after its last ANNOUNCE, before two intervals`, evidence };
      return { status: 'passed', evidence };
    },
  },
  {
    id: 'discovery.robust.malformed',
    run: 'malformed',
    phase: 0,
    async script(run) {
      await run.ready();
      const client = run.client!;
      const before = client.tracebacks().length;
      for (const [label, bytes] of junk(run)) await run.wire.send(bytes, { label: `(${label})` });
      const valid = run.sims.add({ live: false });
      await run.sims.announce(valid);
      const shown = await run.listed([valid.name], `${valid.name} listed after the bad datagrams`);
      const tb = client.tracebacks().slice(before);
      const exit = client.exitStatus();
      if (exit) return fail('the peer keeps running after bad datagrams', run.describeExit());
      if (tb.length) return fail('no traceback after bad datagrams', `a traceback: ${tb[0]!.trim().split('\n').slice(-3).map((l) => l.trim()).join(' | ')}`);
      try {
        // Not stopped (DISCOVERY.md): answered within the time any change may take.
        await (await run.gotDriver()).sync(run.limits.gui);
      } catch {
        return fail('the window answers after bad datagrams', `no answer within ${run.limits.gui} ms`);
      }
      return shown.ok ? pass() : fail(`${valid.name} listed after the bad datagrams (${valid.url})`, shown.failure.actual);
    },
  },
];
