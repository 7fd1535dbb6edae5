// `grade serve --pack discovery`: a few simulated peers on a multicast group,
// so a student can watch their peer find others by hand, with a live log of
// every datagram. The simulated peers behave as the handout says: REQUEST
// and ANNOUNCE on joining, ANNOUNCE every interval, an answer to every
// REQUEST after a short random delay, BYE when stopped.

import { Chalk } from 'chalk';
import { DatagramChannel } from '../../fake-server/udp.js';
import type { TranscriptEntry } from '../../fake-server/session.js';
import { Rng, newSeed } from '../../random.js';
import { PeerNames } from './names.js';
import { encodeMessage, parseDatagram, type DiscoveryMessage } from './protocol.js';

export interface ServeDiscoveryOptions {
  /** Default: the handout's 239.255.42.99 and 4299, so a peer started with its defaults finds them. */
  group?: string;
  mport?: number;
  /** How many simulated peers (default 3, at most 20). */
  peers?: number;
  /** Seconds between their ANNOUNCEs (default 2). */
  interval?: number;
  /** The Python that runs the bridge. */
  python: string;
  color?: boolean;
  write: (text: string) => void;
  /** Seeds the peers' names (default: fresh). */
  seed?: string;
}

/** A running `serve`: stop() says BYE for every simulated peer and leaves the group. */
export interface ServingDiscovery {
  group: string;
  mport: number;
  peers: string[];
  stop(): Promise<void>;
}

export async function serveDiscovery(opts: ServeDiscoveryOptions): Promise<ServingDiscovery> {
  const chalk = new Chalk({ level: opts.color ? 1 : 0 });
  const group = opts.group ?? '239.255.42.99';
  const mport = opts.mport ?? 4299;
  const intervalMs = Math.max(0.1, opts.interval ?? 2) * 1000;
  const rng = new Rng(opts.seed ?? newSeed());
  const names = new PeerNames(rng);
  const peers = Array.from({ length: Math.min(20, Math.max(1, opts.peers ?? 3)) }, (_, i) => ({
    name: names.name(),
    url: `tcp://127.0.0.1:${5001 + i}`,
    status: names.status(),
  }));
  const ours = new Set(peers.map((p) => p.name));
  const log = (e: TranscriptEntry): void => {
    const t = (e.t / 1000).toFixed(3).padStart(8);
    const who = (e.peer ?? '').padEnd(22);
    const line = e.dir === 'c>s' ? `${chalk.green(`${who} >`)} ${e.text}` : e.dir === 's>c' ? `${chalk.cyan(`${who} <`)} ${e.text}` : `${chalk.dim(`${''.padEnd(22)} *`)} ${chalk.dim(e.text)}`;
    opts.write(`${chalk.dim(t)} ${line}\n`);
  };
  const channel = await DatagramChannel.open({ group, port: mport, python: opts.python, within: 10_000, onEntry: log });
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const say = (peer: (typeof peers)[number], m: DiscoveryMessage): void => {
    channel.send(encodeMessage(m), { peer: peer.name }).catch(() => undefined);
  };
  const announce = (peer: (typeof peers)[number]): void => say(peer, { type: 'ANNOUNCE', name: peer.name, url: peer.url, meta: [['status', peer.status]] });

  let heard = 0;
  const listen = setInterval(() => {
    for (const d of channel.datagrams.slice(heard)) {
      const parsed = parseDatagram(d.entry.raw ?? Buffer.alloc(0));
      if (!parsed.ok) channel.note(`ignored: ${parsed.reason}`);
      else if (parsed.message.type === 'REQUEST' && !ours.has(parsed.message.name)) {
        for (const p of peers) later(rng.int(500), () => announce(p));
      }
    }
    heard = channel.datagrams.length;
  }, 20);
  timers.add(listen);

  opts.write(`chatgrade discovery peers on ${group}:${mport} (loopback, TTL 1); Ctrl-C says BYE and stops\n`);
  opts.write(chalk.dim(`  ">" heard on the group, "<" said by a simulated peer; try: python3 peer.py --name NAME --port 6000 --group ${group} --mport ${mport}\n`));
  peers.forEach((p, i) => {
    // Staggered, as peers that started at different moments would be.
    later(i * 150, () => {
      say(p, { type: 'REQUEST', name: p.name });
      announce(p);
      const beat = setInterval(() => announce(p), intervalMs);
      timers.add(beat);
    });
  });

  let stopped = false;
  return {
    group,
    mport,
    peers: peers.map((p) => p.name),
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all(peers.map((p) => channel.send(encodeMessage({ type: 'BYE', name: p.name }), { peer: p.name }).catch(() => undefined)));
      await channel.close();
    },
  };
}
