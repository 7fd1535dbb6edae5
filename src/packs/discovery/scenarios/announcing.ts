// Announcing: REQUEST on joining, the ANNOUNCE format (and a real TCP
// listener behind its URL), the periodic rhythm, and TTL 1.

import { HarnessFault, fail, pass, type CheckScript } from '../../../check.js';
import { DiscoveryRun } from '../run.js';
import { GAPS, rhythm } from './fixtures.js';

export const announcing: CheckScript<DiscoveryRun>[] = [
  {
    id: 'discovery.request.sent',
    run: 'session',
    phase: 0,
    async script(run) {
      const want = `REQUEST ${run.self}`;
      const first = await run.joined();
      if (!first.ok) return fail(`${want} as the first datagram`, first.failure.actual);
      const h = first.value[0]!;
      if (h.parsed.ok && h.parsed.message.type === 'REQUEST' && h.parsed.message.name === run.self) return pass();
      return fail(`${want} as the first datagram (a trailing newline allowed)`, `the first datagram was ${DiscoveryRun.show(h)}`);
    },
  },
  {
    id: 'discovery.announce.format',
    run: 'session',
    phase: 0,
    async script(run) {
      const url = `tcp://127.0.0.1:${run.tcpPort || '<port>'}`;
      const joined = await run.joined();
      if (!joined.ok) return fail(`ANNOUNCE ${run.self} ${url}`, joined.failure.actual);
      const got = await run.wire.waitFor(() => run.announces()[0], { within: run.limits.line, step: 'the first ANNOUNCE' });
      if (!got.ok) return fail(`ANNOUNCE ${run.self} tcp://127.0.0.1:${run.tcpPort} after joining`, got.failure.actual);
      const h = got.value;
      const want = `ANNOUNCE ${run.self} tcp://127.0.0.1:${run.tcpPort} followed by key=value metadata only`;
      if (!h.parsed.ok) return fail(want, DiscoveryRun.show(h));
      const m = h.parsed.message;
      if (m.type !== 'ANNOUNCE' || m.name !== run.self || m.url !== `tcp://127.0.0.1:${run.tcpPort}`) return fail(want, DiscoveryRun.show(h));
      const probe = await run.wire.canConnect('127.0.0.1', run.tcpPort, run.limits.line);
      if (!probe) throw new HarnessFault('server.bridgeClosed', 'the bridge did not answer a TCP probe');
      return probe.connected ? pass() : fail(`the peer listening on TCP port ${run.tcpPort} (given with --port)`, `a connection to 127.0.0.1:${run.tcpPort} failed: ${probe.error ?? 'refused'}`);
    },
  },
  {
    id: 'discovery.announce.ttl',
    run: 'session',
    phase: 0,
    async script(run) {
      // The datagrams of joining (REQUEST and ANNOUNCE), whatever else is heard later: the same verdict alone or in the full run.
      const got = await run.first(2);
      const heard = got.ok ? got.value : run.heard().slice(0, 2);
      if (heard.length === 0) return fail('datagrams with TTL 1', got.ok ? 'no datagram' : got.failure.actual);
      if (heard.some((h) => h.d.ttl === undefined)) throw new HarnessFault('server.noTtl', 'the bridge could not read the TTL of the peer\'s datagrams');
      const off = heard.filter((h) => h.d.ttl !== 1);
      return off.length ? fail('datagrams sent with TTL 1 (IP_MULTICAST_TTL 1)', off.map((h) => `${DiscoveryRun.show(h)} arrived with TTL ${h.d.ttl}`).join('; ')) : pass();
    },
  },
  {
    id: 'discovery.announce.periodic',
    run: 'session',
    phase: 3,
    async script(run) {
      const r = await rhythm(run);
      const want = `${GAPS} consecutive gaps of ${run.S} ms ± ${run.S / 4} ms between ANNOUNCEs (--interval ${run.S / 1000})`;
      const evidence = run.transcriptSince((r.times[0] ?? 0) - 1);
      const excused = r.hiccups ? [`${r.hiccups} late ANNOUNCE(s) of an otherwise exact rhythm excused as the machine's load (gaps ${r.gaps.join(', ')} ms)`] : undefined;
      if (r.window) return { status: 'passed', evidence, ...(excused ? { nonStrict: excused } : {}) };
      const shown = r.gaps.length ? `gaps of ${r.gaps.join(', ')} ms` : 'no gap measured';
      return { status: 'failed', expected: want, actual: `${shown}${r.stopped ? `: ${r.stopped}` : ''}`, evidence };
    },
  },
];
