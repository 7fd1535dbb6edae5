// One peer run and the fixtures its checks share. The grader joins a fresh
// multicast group through the bridge, launches the student's peer on it,
// and plays simulated peers there; fixtures are memoized so each check asks
// for the state it needs and judges only its own requirement. Times are on
// the channel's clock; a datagram's `at` is the kernel's receive time, so
// the spacing between a peer's datagrams is the peer's own.

import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { HarnessFault, Memo, type Limits } from '../../check.js';
import { DatagramChannel, bridgeCommand, type Datagram } from '../../fake-server/udp.js';
import type { Outcome, TranscriptEntry } from '../../fake-server/session.js';
import type { ClientProcess } from '../../launcher.js';
import type { PackRun, RunEnv } from '../../pack.js';
import { PeerNames, randomGroup } from './names.js';
import { parseDatagram, verbOf, type Parsed } from './protocol.js';
import { SimPeers } from './sims.js';
import { PeerDriver, describePeers, type PeerUi } from './ui.js';

/**
 * The --interval each run gives the peer, in seconds: short where rhythm and
 * expiry are measured, long where an ANNOUNCE must stand out from the rhythm.
 */
export const INTERVALS: Readonly<Record<string, number>> = { session: 0.4, reply: 6, malformed: 4, static: 1 };

/** What Tk says when the display it was given is gone (never the peer's fault). */
const DISPLAY_LOST = /couldn't connect to display|X connection to \S+ broken/;

/** A datagram of the student's peer, with how it parses. */
export interface PeerDatagram {
  d: Datagram;
  verb: string;
  parsed: Parsed;
}

async function freeTcpPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', () => ok()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

export class DiscoveryRun implements PackRun {
  readonly names: PeerNames;
  readonly self: string;
  /** The interval given to the peer, in ms. */
  readonly S: number;
  readonly group: string;
  readonly mport: number;
  tcpPort = 0;
  channel: DatagramChannel | undefined;
  client: ClientProcess | undefined;
  driver: PeerDriver | undefined;
  /** When the peer's own name was first seen in its list, if ever. */
  selfSeen: { t: number; text: string } | undefined;
  private readonly memo = new Memo();
  /** The peers the grader plays; live ones announce every half interval. */
  readonly sims: SimPeers;
  private readonly parsed: PeerDatagram[] = [];

  constructor(
    readonly env: RunEnv,
    readonly kind: string,
  ) {
    this.names = new PeerNames(env.rng);
    this.self = this.names.name({ argv: true });
    this.S = (INTERVALS[kind] ?? 1) * 1000;
    ({ group: this.group, port: this.mport } = randomGroup());
    this.sims = new SimPeers(() => this.wire, this.names, this.S / 2, (names) => this.driver?.setKnown(names));
  }

  get limits(): Limits {
    return this.env.limits;
  }

  /** Run fn once per key; later callers get the same promise. */
  once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.memo.once(key, fn);
  }

  /**
   * Launch the peer with the bridge as its companion (same sandbox, same
   * network), once the bridge has joined the group.
   */
  start(): Promise<ClientProcess> {
    return this.once('start', async () => {
      const { inside, server } = await this.env.unixListen('mcast-bridge');
      const channel = DatagramChannel.attach(server, { group: this.group, port: this.mport, onEntry: this.env.onWire });
      this.channel = channel;
      this.tcpPort = await freeTcpPort();
      const vars = { name: this.self, port: String(this.tcpPort), group: this.group, mport: String(this.mport), interval: String(this.S / 1000) };
      let proc: ClientProcess;
      try {
        proc = await this.env.launch({
          args: ['--name', vars.name, '--port', vars.port, '--group', vars.group, '--mport', vars.mport, '--interval', vars.interval],
          vars,
          companions: ({ agentDir, python }) => [bridgeCommand(python, agentDir, inside, this.group, this.mport)],
          ready: () => channel.ready(this.limits.startup),
        });
      } catch (err) {
        // The bridge is ours: a setup that failed around it is a harness fault.
        const e = err as Error & { code?: string };
        if (e.code?.startsWith('sandbox.')) throw new HarnessFault(e.code, e.message);
        throw err;
      }
      this.client = proc;
      if (proc.link && proc.probeMode === 'tk-agent') {
        const driver = new PeerDriver(proc.link, { self: this.self, knownUsers: [], ui: this.env.ui, commandTimeoutMs: this.limits.line });
        this.driver = driver;
        driver.onChange(() => {
          const own = this.selfSeen ? undefined : driver.ui().peers?.find((p) => p.name === this.self);
          if (own) this.selfSeen = { t: this.now(), text: own.text };
        });
      }
      return proc;
    });
  }

  /** The open channel (after start). */
  get wire(): DatagramChannel {
    if (!this.channel) throw new HarnessFault('grader.bug', 'the channel is used before the run started');
    return this.channel;
  }

  /** Every datagram the student's peer sent so far (it is alone on the group with the bridge); each parsed once. */
  heard(): readonly PeerDatagram[] {
    const all = this.channel?.datagrams ?? [];
    for (const d of all.slice(this.parsed.length)) {
      const raw = d.entry.raw ?? Buffer.alloc(0);
      this.parsed.push({ d, verb: verbOf(raw), parsed: parseDatagram(raw) });
    }
    return this.parsed;
  }

  /** The peer's ANNOUNCEs (by their first word, well-formed or not). */
  announces(): PeerDatagram[] {
    return this.heard().filter((h) => h.verb === 'ANNOUNCE');
  }

  /** The first `n` datagrams: the first within the start-up limit, each next within the line limit. */
  first(n: number): Promise<Outcome<PeerDatagram[]>> {
    return this.once(`first:${n}`, async () => {
      if (n > 1) {
        const before = await this.first(n - 1);
        if (!before.ok) return before;
      } else {
        await this.start();
      }
      const step = n === 1 ? 'the peer\'s first datagram' : `the peer's datagram number ${n}`;
      const within = n === 1 ? this.limits.startup : this.limits.line;
      const got = await this.unlessExited(this.wire.waitFor((ds) => (ds.length >= n ? true : undefined), { within, step, expected: `datagrams on ${this.group}:${this.mport}` }), step);
      return got.ok ? { ok: true, value: this.heard().slice(0, n) } : got;
    });
  }

  /** The peer's first datagram (it has joined the group), or a failure. */
  joined(): Promise<Outcome<PeerDatagram[]>> {
    return this.first(1);
  }

  /** The peer window, waited for once within the start-up limit. */
  mainWindow(): Promise<Outcome<string>> {
    return this.once('mainWindow', () => this.gui((ui) => ui.main, 'the peer window to appear', this.limits.startup));
  }

  /** Joined and on screen (as far as the peer managed). */
  ready(): Promise<void> {
    return this.once('ready', async () => {
      await this.joined();
      await this.mainWindow();
    });
  }

  /** The driver, or a harness fault when the probe never connected. */
  async gotDriver(): Promise<PeerDriver> {
    await this.start();
    if (!this.driver) throw new HarnessFault('probe.noAgent', 'the probe agent never reported from inside the peer, so its window cannot be seen');
    return this.driver;
  }

  /** Wait until fn(ui) gives a value; on timeout the failure says what the window showed. */
  async gui<T>(fn: (ui: PeerUi) => T | undefined, step: string, within = this.limits.gui): Promise<Outcome<T>> {
    const d = await this.gotDriver();
    const wait = d.waitFor(fn, { within, step }).then(
      (value): Outcome<T> => ({ ok: true, value }),
      (err: Error & { code?: string }): Outcome<T> => {
        if (err.code !== 'probe.timeout') throw err;
        return { ok: false, failure: { step, expected: step, actual: err.message, reason: 'timeout' } };
      },
    );
    return this.unlessExited(wait, `while waiting for ${step}`);
  }

  /** The window now. */
  async ui(): Promise<PeerUi> {
    return (await this.gotDriver()).ui();
  }

  /** How the peer ended, for failure texts; a harness fault when it died because our X server went away. */
  describeExit(): string {
    const exit = this.client?.exitStatus();
    if (!exit) return 'the peer is still running';
    const lost = DISPLAY_LOST.exec(this.client!.stderr());
    if (lost) throw new HarnessFault('env.displayLost', `the X server went away under the peer (${lost[0]})`);
    const tb = this.client!.tracebacks();
    const said = tb.length ? tb[0]! : this.client!.stderr();
    const last = said.trim() ? `: ${said.trim().split('\n').at(-1)!.slice(0, 200)}` : '';
    const reuse = /Address already in use/.test(this.client!.stderr()) ? ' (the grader\'s simulated peers share the UDP port: set SO_REUSEADDR before bind)' : '';
    return `the peer exited (${exit.signal ? `killed by ${exit.signal}` : `status ${exit.code}`})${last}${reuse}`;
  }

  /**
   * `wait`, or a failure as soon as the peer exits (a dead peer sends and
   * shows nothing more), once `settleMs` have let what raced the exit (a
   * datagram still crossing the bridge) be seen first.
   */
  async unlessExited<T>(wait: Promise<Outcome<T>>, when: string, settleMs = 20): Promise<Outcome<T>> {
    const client = this.client ?? (await this.start());
    const exited = client.exited.then(async (): Promise<Outcome<T>> => {
      await delay(settleMs);
      return { ok: false, failure: { step: when, expected: when, actual: `${this.describeExit()} ${when}`, reason: 'closed' } };
    });
    return Promise.race([wait, exited]);
  }

  /** Wait until every name is listed; the outcome carries the window as last seen. */
  async listed(names: readonly string[], step: string, within = this.limits.gui): Promise<Outcome<PeerUi>> {
    const r = await this.gui((ui) => (names.every((n) => ui.peers?.some((p) => p.name === n)) ? ui : undefined), step, within);
    if (r.ok) this.wire.note(`the window lists ${names.join(', ')}`);
    return r;
  }

  /**
   * The barrier of negative checks: a new simulated peer announces and is
   * waited for in the list; whatever came before has been handled by then.
   * A window that never shows it gets a probe sync and a longer grace.
   */
  async barrier(): Promise<void> {
    const marker = this.sims.add();
    const seen = await this.listed([marker.name], 'the barrier peer to be listed', this.limits.barrier);
    if (!seen.ok) {
      await (await this.gotDriver()).sync(this.limits.sync).catch(() => undefined);
      await delay(this.limits.grace * 4);
    }
    await delay(this.limits.grace);
  }

  /** When `name` is first seen missing from the list (the list itself shown), on the channel clock; bounded. */
  async goneAt(name: string, within: number): Promise<number | undefined> {
    const r = await this.gui((ui) => (ui.peers && !ui.peers.some((p) => p.name === name) ? this.now() : undefined), `${name} to leave the list`, Math.max(0, within));
    if (r.ok) this.wire.note(`the window no longer lists ${name}`);
    return r.ok ? r.value : undefined;
  }

  /**
   * Wait until the peer's own clock has reached `t`: a datagram of its sent
   * at or after `t`. A loaded machine delays the peer's timers and this
   * alike. Bounded by `t` plus `slack` on our clock.
   */
  async peerReaches(t: number, slack: number): Promise<boolean> {
    const r = await this.wire.waitFor((ds) => (ds.some((d) => d.at >= t) ? true : undefined), { within: Math.max(0, t - this.now()) + slack, step: 'the peer\'s clock' });
    return r.ok;
  }

  /** The peer's REQUEST, ANNOUNCE or BYE text for failure messages. */
  static show(h: PeerDatagram | undefined): string {
    if (!h) return 'nothing';
    const text = h.d.entry.text;
    return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text) + (h.parsed.ok ? '' : ` (${h.parsed.reason})`);
  }

  /** What the window lists now, for failure texts. */
  async describeUi(): Promise<string> {
    return describePeers(await this.ui());
  }

  /** The session's evidence: what was said and heard since `t`, heartbeats left out. */
  transcriptSince(t: number, max = 14): TranscriptEntry[] {
    const all = (this.channel?.transcript ?? []).filter((e) => !this.sims.isRoutine(e));
    const since = all.filter((e) => e.t >= t);
    return (since.length ? since : all).slice(-max);
  }

  /** Milliseconds on the channel's clock. */
  now(): number {
    return this.channel?.now() ?? 0;
  }

  stderr(): string | undefined {
    return this.client?.stderr();
  }

  probeMode(): string | undefined {
    return this.client?.probeMode;
  }

  /** The peer window as the grader understands it now, for a lost check's report. */
  seen(): Record<string, unknown> | undefined {
    const ui = this.driver?.ui();
    if (!ui) return undefined;
    return {
      peers: ui.peers?.map((p) => ({ name: p.name, url: p.url ?? null, rest: p.rest, text: p.text })) ?? null,
      windows: ui.windows.map((w) => `${w.kind}: ${w.title}`),
    };
  }

  async dispose(): Promise<void> {
    this.sims.stop();
    await this.client?.kill().catch(() => undefined);
    await this.channel?.close().catch(() => undefined);
  }
}
