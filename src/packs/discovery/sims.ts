// The peers the grader plays on the group: each has a seeded name, URL and
// metadata; live ones announce on a heartbeat, and every message they send
// is a transcript entry (heartbeats marked routine, so evidence skips them).

import type { TranscriptEntry } from '../../fake-server/session.js';
import type { DatagramChannel } from '../../fake-server/udp.js';
import type { PeerNames } from './names.js';
import { encodeMessage, type DiscoveryMessage, type Meta } from './protocol.js';

/** A peer the grader plays on the group. */
export interface SimPeer {
  name: string;
  url: string;
  meta: Meta[];
  /** Announced on every heartbeat while true. */
  live: boolean;
}

export class SimPeers {
  private readonly all: SimPeer[] = [];
  private readonly routine = new WeakSet<TranscriptEntry>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly wire: () => DatagramChannel,
    private readonly names: PeerNames,
    /** Milliseconds between heartbeats. */
    private readonly beatMs: number,
    /** Told every name played so far, as each new one joins (the GUI reader must know them). */
    private readonly onNames: (names: string[]) => void,
  ) {}

  /** A new simulated peer; with `live` (the default), announced on every heartbeat from now on. */
  add(opts: { meta?: Meta[]; live?: boolean } = {}): SimPeer {
    const sim: SimPeer = { name: this.names.name(), url: this.names.url(), meta: opts.meta ?? this.names.extraMeta(), live: opts.live ?? true };
    this.all.push(sim);
    this.onNames(this.all.map((s) => s.name));
    if (sim.live) this.startHeartbeat();
    return sim;
  }

  /** Send a message as a simulated peer; resolves with when it left (channel clock). */
  async say(sim: SimPeer, message: DiscoveryMessage, routine = false): Promise<number> {
    const newline = sim.name.length % 2 === 0; // both framings, stable per name
    const entry = await this.wire().send(encodeMessage(message, newline), { peer: sim.name });
    if (routine) this.routine.add(entry);
    return entry.t;
  }

  announce(sim: SimPeer, routine = false): Promise<number> {
    return this.say(sim, { type: 'ANNOUNCE', name: sim.name, url: sim.url, meta: sim.meta }, routine);
  }

  /** Whether an entry is a heartbeat (left out of evidence). */
  isRoutine(entry: TranscriptEntry): boolean {
    return this.routine.has(entry);
  }

  /** Live peers announce every beat: well inside any expiry a peer may use, whatever the load. */
  private startHeartbeat(): void {
    if (this.heartbeat) return;
    const beat = (): void => {
      for (const s of this.all) if (s.live) this.announce(s, true).catch(() => undefined);
    };
    this.heartbeat = setInterval(beat, this.beatMs);
    beat();
  }

  stop(): void {
    clearInterval(this.heartbeat);
  }
}
