// One client run and the fixtures its checks share. A fixture is a setup
// step (connect, register, open a conversation...) done once and memoized
// with its evidence, so each check asks for the state it needs and judges
// only its own requirement: a client that breaks one step still has every
// later check measured, the fake server carrying on as if it had not.

import { setTimeout as delay } from 'node:timers/promises';
import { HarnessFault, Memo, StepFailed, type Limits } from '../../../check.js';
import type { Group, ServerMessage } from '../../../protocol/grammar.js';
import { FakeServer } from '../../../fake-server/server.js';
import type { Inbound, Matcher, Outcome, Session, TranscriptEntry } from '../../../fake-server/session.js';
import type { ClientProcess } from '../../../launcher.js';
import { deadlineTimer } from '../../../load/deadlines.js';
import type { PackRun, RunEnv } from '../../../pack.js';
import { TkDriver } from '../../../probe/driver.js';
import { ExplicitDriver } from '../../../probe/explicit.js';
import type { ChatUi, Driver } from '../../../probe/ui.js';
import { Names } from '../names.js';
import { tracebackSummary } from './traceback.js';

/** A chat client started for one run, seen through its probe as a chat UI. */
export interface LaunchedClient extends ClientProcess {
  /** Undefined when the probe never connected (then GUI checks are harness errors). */
  driver: Driver | undefined;
  setKnownUsers(users: string[]): void;
}

/** The chat pack's view of a client process: a TkDriver over the agent, or an ExplicitDriver. */
export function chatClient(proc: ClientProcess, opts: { self: string; knownUsers: string[]; ui: Readonly<Record<string, string>>; commandTimeoutMs: number }): LaunchedClient {
  const link = proc.link;
  const tk = link && proc.probeMode === 'tk-agent' ? new TkDriver(link, { self: opts.self, knownUsers: opts.knownUsers, ui: opts.ui, timeScale: 1, commandTimeoutMs: opts.commandTimeoutMs, lobby: true }) : undefined;
  const conn = proc.channel ?? link?.connection();
  const driver = tk ?? (conn ? new ExplicitDriver(conn, { timeScale: 1, commandTimeoutMs: opts.commandTimeoutMs }) : undefined);
  return { ...proc, driver, setKnownUsers: (users) => tk?.setKnownUsers(users) };
}

/** The simulated user a server message speaks for, if any (not the client's own user). */
function speaker(m: ServerMessage, self: string): string | undefined {
  const who = m.type === 'SEND_MESSAGE' ? m.from : m.type === 'INVITATION' ? m.inviter : m.type === 'STATUS' || m.type === 'ICON' ? m.user : undefined;
  return who === self ? undefined : who;
}

/** Shared fact: a run of this client waited the whole start-up limit and it never connected (value: the limit, ms). */
const NEVER_CONNECTS = 'chat.neverConnects';

/** Where the fake server listens, per run kind: the host check's run alone uses 127.0.0.2. */
export function hostFor(kind: string): string {
  return kind === 'host' ? '127.0.0.2' : '127.0.0.1';
}

export class SessionRun implements PackRun {
  readonly names: Names;
  readonly self: string;
  readonly startedAt = performance.now();
  server: FakeServer | undefined;
  client: LaunchedClient | undefined;
  /** Other users the server has announced as online, in order. */
  online: string[] = [];
  /** Members of the conversations the client is in, as the server sees them. */
  readonly conversations = new Map<string, string[]>();
  /** Conversation windows already claimed by a conversation (fixtures.ts). */
  readonly claimed = new Set<string>();
  private readonly memo = new Memo();
  private readonly disposers: (() => Promise<void>)[] = [];
  /** Every peer ever announced, so the GUI interpreter recognises their names. */
  private knownPeers = new Set<string>();
  private lastSend = 0;
  /** Tokens of the texts the server sent in SEND_MESSAGE, in order. */
  private readonly tokens: string[] = [];

  constructor(
    readonly env: RunEnv,
    readonly kind: string,
  ) {
    this.names = new Names(env.rng);
    this.self = this.names.self();
  }

  get limits(): Limits {
    return this.env.limits;
  }

  /** Run fn once per key; later callers get the same promise. */
  once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.memo.once(key, fn);
  }

  /** Listen and launch the client (once). */
  start(): Promise<LaunchedClient> {
    return this.once('start', async () => {
      this.server = await FakeServer.listen({ listener: await this.env.listen(hostFor(this.kind)) });
      if (this.env.onWire) {
        const onWire = this.env.onWire;
        this.server.onSession((s) => {
          const push = s.transcript.push.bind(s.transcript);
          s.transcript.push = (...items: TranscriptEntry[]) => {
            for (const i of items) onWire(i);
            return push(...items);
          };
        });
      }
      const host = this.server.host;
      const port = String(this.server.port);
      if (this.kind === 'host') await this.setTrap(this.server.port);
      const proc = await this.env.launch({ args: ['--host', host, '--port', port, '--user', this.self], vars: { host, port, user: this.self } });
      this.client = chatClient(proc, { self: this.self, knownUsers: [this.self], ui: this.env.ui, commandTimeoutMs: this.limits.line });
      return this.client;
    });
  }

  /**
   * The client's connection, waited for within the start-up limit, or
   * decided earlier without changing the verdict: the client exits; it
   * connects to the trap (the host run); or another run of the same client
   * already waited the whole limit in vain and this client's window is up.
   */
  connection(): Promise<Outcome<Session>> {
    return this.once('connection', async () => {
      const client = await this.start();
      const next = this.server!.nextConnection({ within: this.limits.startup, step: 'client start-up' });
      const outcome = await this.unlessExited(Promise.race([next, this.trapped, this.knownNotToConnect(client)]), client, 'before connecting');
      if (!outcome.ok && outcome.failure.reason === 'timeout' && this.kind !== 'host') this.env.shared.set(NEVER_CONNECTS, this.limits.startup);
      return outcome;
    });
  }

  private trapped: Promise<Outcome<Session>> = new Promise(() => undefined);

  /**
   * The host run's trap: the same port on 127.0.0.1, where nothing should
   * connect. A client that ignores --host connects there at once, and
   * fails then, not after the whole start-up limit.
   */
  private async setTrap(port: number): Promise<void> {
    const trap = await this.env.listen('127.0.0.1', port).catch(() => undefined);
    if (!trap) return;
    this.disposers.push(() => trap.close());
    this.trapped = new Promise((resolve) =>
      trap.onConnection((conn) => {
        conn.destroy();
        resolve({ ok: false, failure: { step: 'client start-up', expected: `a connection to ${this.server!.host}:${port}`, actual: `the client connected to 127.0.0.1:${port} instead of the host it was given (${this.server!.host})`, reason: 'mismatch' } });
      }),
    );
  }

  /** Resolves with a failure once another run saw this client never connect, and this client's main window is up too (so it is past its start-up). */
  private async knownNotToConnect(client: LaunchedClient): Promise<Outcome<Session>> {
    const waited = await this.env.shared.when<number>(NEVER_CONNECTS);
    if (!client.driver) return new Promise(() => undefined);
    await client.driver.waitFor((ui) => ui.main, { within: this.limits.startup, step: 'the main window' }).catch(() => new Promise(() => undefined));
    return { ok: false, failure: { step: 'client start-up', expected: `a connection to ${this.server!.host}:${this.server!.port}`, actual: `no connection: the client did not connect to the port it was given (another run of it waited the whole ${waited} ms, and its window is up here too)`, reason: 'timeout' } };
  }

  /** How the client ended, for failure texts: status and the last line of its traceback. */
  describeExit(): string {
    const exit = this.client?.exitStatus();
    if (!exit) return 'the client is still running';
    const tb = this.client!.tracebacks();
    const last = tb.length ? `: ${tracebackSummary(tb[0]!, this.env.dir)}` : '';
    return `the client exited (${exit.signal ? `killed by ${exit.signal}` : `status ${exit.code}`})${last}`;
  }

  /**
   * `wait`, or a failure as soon as the client process exits: a dead client
   * will not connect or change its GUI, so waiting out the limit would only
   * make the report slower.
   */
  private async unlessExited<T>(wait: Promise<Outcome<T>>, client: LaunchedClient, when: string): Promise<Outcome<T>> {
    const exited = client.exited.then(async (): Promise<Outcome<T>> => {
      // Let a connection or change that raced the exit be seen first.
      await delay(20);
      return { ok: false, failure: { step: when, expected: when, actual: `${this.describeExit()} ${when}`, reason: 'closed' } };
    });
    return Promise.race([wait, exited]);
  }

  /** The session, or a StepFailed naming why there is none. */
  async session(): Promise<Session> {
    const c = await this.connection();
    if (!c.ok) throw new StepFailed(`a connection to ${this.server?.host}:${this.server?.port}`, c.failure.actual);
    return c.value;
  }

  /** The client's first line (REGISTER expected), waited for once. */
  registration(): Promise<Outcome<Inbound>> {
    return this.once('registration', async () => {
      const s = await this.session();
      return s.expect(() => true, { within: this.limits.line, step: 'first line after connecting', expected: `REGISTER ${this.self}`, next: true });
    });
  }

  /** The driver, or a harness fault when the probe never connected. */
  async driver(): Promise<Driver> {
    const client = await this.start();
    if (!client.driver) throw new HarnessFault('probe.noAgent', 'the probe agent never reported from inside the client, so its GUI cannot be seen');
    return client.driver;
  }

  /** The main window, waited for once within the start-up limit. */
  mainWindow(): Promise<Outcome<string>> {
    return this.once('mainWindow', async () => {
      return this.gui((ui) => ui.main, 'the main window to appear', this.limits.startup);
    });
  }

  /** Connected and registered (as far as the client managed), with the first list announced. */
  ready(): Promise<void> {
    return this.once('ready', async () => {
      await this.registration();
      await this.mainWindow();
    });
  }

  /** Ids of the windows (and conversation tabs) on screen now, to tell later what an action or event made appear. */
  async windowIds(): Promise<Set<string>> {
    return new Set((await this.driver()).ui().windows.map((w) => w.id));
  }

  /**
   * For a failure after a GUI action that produced nothing expected: what
   * the driver did, and any window that appeared since `before` (an error
   * dialog, a half-built window), so the student can act on it.
   */
  private async whatHappened(before: ReadonlySet<string>): Promise<string> {
    const d = await this.driver();
    const tried = d.lastTried?.length ? [`the grader ${d.lastTried.join('; ')}`] : [];
    const shown = d.ui().windows.filter((w) => !before.has(w.id)).map((w) => {
      const texts = w.texts.slice(0, 3).join(' | ');
      return `${w.kind === 'other' ? 'a' : `a ${w.kind}`} window '${w.title}'${texts ? ` showing "${texts.length > 120 ? `${texts.slice(0, 120)}...` : texts}"` : ''}`;
    });
    return [...tried, ...(shown.length ? [`then appeared: ${shown.join('; ')}`] : [])].join('; ');
  }

  /** Send as the server, remembering when (for the silence before the responsiveness probe). */
  async send(message: ServerMessage): Promise<void> {
    const s = await this.session();
    this.lastSend = performance.now();
    if (message.type === 'SEND_MESSAGE') {
      // The transcript is where the server's texts show: tell the probe their tokens first.
      this.tokens.push(this.names.tokenOf(message.text));
      this.client?.driver?.setTokens?.(this.tokens);
    }
    await s.send(message, speaker(message, this.self));
  }

  /**
   * The first conversation event is about to happen: whatever views are on
   * screen now (a welcome, lobby or server tab, a log window) are never a
   * conversation's, whatever they look like.
   */
  async beginConversations(): Promise<void> {
    (await this.driver()).freezeLobby?.();
  }

  /** Announce the online users (the current user is always included, first). */
  async announce(others: string[]): Promise<void> {
    this.online = [...others];
    for (const o of others) this.knownPeers.add(o);
    this.client?.setKnownUsers([this.self, ...this.knownPeers]);
    await this.send({ type: 'ONLINE_USERS', users: [this.self, ...others] });
  }

  /** A new peer, announced online. */
  async newPeer(): Promise<string> {
    const peer = this.names.user();
    await this.announce([...this.online, peer]);
    return peer;
  }

  /** Wait for a line matching; a failure comes back as an Outcome. */
  async expectLine(matcher: Matcher, step: string, expected: string): Promise<Outcome<Inbound>> {
    const s = await this.session();
    return s.expect(matcher, { within: this.limits.line, step, expected });
  }

  /** expectLine after a GUI action: a failure also says what the driver did and what appeared since `before`. */
  async expectAfter(before: ReadonlySet<string>, matcher: Matcher, step: string, expected: string): Promise<Outcome<Inbound>> {
    const line = await this.expectLine(matcher, step, expected);
    if (line.ok) return line;
    const more = await this.whatHappened(before);
    return more ? { ok: false, failure: { ...line.failure, actual: `${line.failure.actual} (${more})` } } : line;
  }

  /** Wait until fn(ui) gives a value; on timeout, the failure says what was last seen. */
  async gui<T>(fn: (ui: ChatUi) => T | undefined, step: string, within = this.limits.gui): Promise<Outcome<T>> {
    const d = await this.driver();
    const wait = d.waitFor(fn, { within, step }).then(
      (value): Outcome<T> => ({ ok: true, value }),
      (err: Error & { code?: string }): Outcome<T> => {
        if (err.code !== 'probe.timeout') throw err;
        return { ok: false, failure: { step, expected: step, actual: err.message, reason: 'timeout' } };
      },
    );
    return this.unlessExited(wait, this.client!, `while waiting for ${step}`);
  }

  /**
   * The barrier of negative checks: a harmless visible change (one more user
   * online), waited for in the GUI; whatever the event under test was going
   * to do has been done by then. Then a short fixed grace. A GUI that never
   * shows the change gets a probe sync and a longer grace instead.
   */
  async barrier(): Promise<void> {
    const marker = this.names.user();
    await this.announce([...this.online, marker]);
    const seen = this.listBlind ? undefined : await this.gui((ui) => (ui.users?.includes(marker) ? true : undefined), 'barrier', this.limits.barrier);
    if (!seen?.ok) {
      this.listBlind = true;
      const d = await this.driver();
      await d.sync(this.limits.sync).catch(() => undefined);
      await delay(this.limits.grace * 4);
    }
    await delay(this.limits.grace);
  }

  /**
   * Set once a wait for the online list to show announced users ran out in
   * this run: later waits on the list (barriers, a person waiting to see
   * whom to invite) are decided at once, as waiting again would see the
   * same. Only this run's own history decides it, so a check alone meets
   * the same (its run replays the checks before it).
   */
  listBlind = false;

  /**
   * Set once an INVITATION brought no invitation window within the limit:
   * later conversations are opened by the fallback (the user starts the
   * chat) at once, as waiting again would see the same; like listBlind,
   * only this run's own history decides it.
   */
  invitationBlind = false;

  /**
   * Set once a wait for a conversation's members ran out with no member
   * shown in any conversation view: later waits on members are decided at
   * once, as the client never showed a member; like listBlind, only this
   * run's own history decides it.
   */
  membersBlind = false;

  /** Milliseconds since the server last sent anything. */
  silenceMs(): number {
    return performance.now() - this.lastSend;
  }

  /** Tell the client its conversations, as the server does after any change. */
  async sendConversations(): Promise<void> {
    const conversations: Group[] = [...this.conversations].map(([conv, members]) => ({ conv, members }));
    if (conversations.length) await this.send({ type: 'CONVERSATIONS', conversations });
  }

  /** Mark every conversation window open now as taken (e.g. those opened by the user's own invitations). */
  claimAll(): void {
    for (const c of this.client?.driver?.ui().conversations ?? []) this.claimed.add(c.window);
  }

  /** Transcript lines of a conversation window now. */
  async transcriptOf(window: string): Promise<string[]> {
    const d = await this.driver();
    return d.ui().conversations.find((c) => c.window === window)?.transcript ?? [];
  }

  /** Members shown by a conversation window now. */
  async membersOf(window: string): Promise<string[] | undefined> {
    const d = await this.driver();
    return d.ui().conversations.find((c) => c.window === window)?.members;
  }

  /** Whether the window is still open. */
  async isOpen(window: string): Promise<boolean> {
    return (await this.driver()).ui().conversations.some((c) => c.window === window);
  }

  /** The exit status, once the client has exited within `within` ms. */
  async waitExit(within: number): Promise<{ code: number | null; signal: string | null } | undefined> {
    const client = await this.start();
    let timer: NodeJS.Timeout | undefined;
    const ranOut = new Promise<undefined>((resolve) => {
      timer = deadlineTimer(within, () => resolve(undefined)).unref();
    });
    return Promise.race([client.exited, ranOut]).finally(() => clearTimeout(timer));
  }

  /** The session's transcript around a moment, for a check's evidence. */
  transcriptSince(t: number, max = 12): TranscriptEntry[] {
    const s = this.server?.sessions[0];
    if (!s) return [];
    const since = s.transcript.filter((e) => e.t >= t);
    return (since.length ? since : s.transcript).slice(-max);
  }

  /** Milliseconds on the server's transcript clock. */
  now(): number {
    return this.server ? performance.now() - this.server.epoch : 0;
  }

  stderr(): string | undefined {
    return this.client?.stderr();
  }

  probeMode(): string | undefined {
    return this.client?.probeMode;
  }

  /** The chat UI as the grader understands it now, for a lost check's report. */
  seen(): Record<string, unknown> | undefined {
    const ui = this.client?.driver?.ui();
    if (!ui) return undefined;
    return {
      users: ui.users ?? null,
      statuses: ui.statuses,
      conversations: ui.conversations.map((c) => ({ title: c.title, members: c.members ?? null, transcript: c.transcript.slice(-20) })),
      invitations: ui.invitations.map((i) => ({ title: i.title, text: i.text })),
      windows: ui.windows.map((w) => `${w.kind}: ${w.title}`),
    };
  }

  /** Stop everything this run started. */
  async dispose(): Promise<void> {
    for (const d of this.disposers.splice(0)) await d().catch(() => undefined);
    await this.client?.kill().catch(() => undefined);
    await this.server?.close().catch(() => undefined);
  }
}
