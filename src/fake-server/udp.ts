// A datagram channel on one multicast group, for packs whose protocol is
// datagrams rather than lines. The group is joined by a small bridge process
// (agent/mcast_bridge.py) that runs where the program under test runs: as a
// companion in its sandbox (attach(): the run hands us a Unix socket and
// starts bridgeCommand() there), or beside the grader (open(), for `grade
// serve` and tests). So the grader never joins the group itself. The
// channel records every datagram like a session records lines, and every
// wait on it is bounded. It knows nothing of any protocol.
//
// Bridge framing (both ways, over the Unix socket the grader listens on):
// u32 big-endian length of the rest, u16 big-endian header length, a JSON
// header, then the payload bytes. Headers are capped at 4 KiB and payloads
// at 64 KiB; a larger frame ends the channel as a harness fault.
//   bridge -> grader: hello {source}, datagram {src, sport, ttl, ts, size} + bytes,
//                     reply {id, ok, ts | connected, error}, error {text}
//   grader -> bridge: send {id} + bytes, connect {id, host, port, within}

import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnTracked, type TrackedProcess } from '../proc/index.js';
import type { Outcome, TranscriptEntry, WaitOptions } from './session.js';

/** The agent folder (the bridge lives beside the Tk agent), from src/ and dist/ alike. */
const AGENT_DIR = resolve(fileURLToPath(new URL('../../agent', import.meta.url)));

const MAX_HEADER = 4096;
const MAX_PAYLOAD = 65536;
const MAX_FRAME = 2 + MAX_HEADER + MAX_PAYLOAD;
/** Datagrams kept per channel; a flood beyond this is counted, not stored. */
const MAX_KEPT = 5000;
const MAX_KEPT_BYTES = 8 * 1024 * 1024;

/** A harness fault of the channel (never the student's fault). */
export class ChannelError extends Error {
  constructor(
    readonly code: 'server.bridgeFailed' | 'server.bridgeProtocol' | 'server.bridgeClosed',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The bridge's command line, for a starter that runs it elsewhere (as a
 * companion of the program under test, in its sandbox): `python` and the
 * agent folder as that place sees them, and the socket path it connects to.
 */
export function bridgeCommand(python: string, agentDir: string, socket: string, group: string, port: number): string[] {
  return [python, '-I', join(agentDir, 'mcast_bridge.py'), '--socket', socket, '--group', group, '--port', String(port)];
}

/** One datagram heard on the group, from the program under test or anyone else on it. */
export interface Datagram {
  entry: TranscriptEntry;
  /** Sender address, "127.0.0.1:40211". */
  src: string;
  /** The IP TTL it arrived with (IP_RECVTTL), when the bridge could read it. */
  ttl: number | undefined;
  /** Kernel receive time on the channel's clock (ms): spacing between datagrams is the sender's own. */
  at: number;
  /** Its real size in bytes. */
  size: number;
}

/** What a channel records, and where its live log goes. */
export interface DatagramChannelOptions {
  group: string;
  port: number;
  /** Called with every transcript entry as it is recorded (live wire log). */
  onEntry?: (entry: TranscriptEntry) => void;
}

interface Frame {
  header: Record<string, unknown>;
  payload: Buffer;
}

const describe = (text: string): string => JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text);

/** Text of a datagram for transcripts: UTF-8 (lossy), one trailing newline dropped. */
function textOf(bytes: Buffer): { text: string; valid: boolean } {
  let valid = true;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    valid = false;
    text = bytes.toString('utf8');
  }
  return { text: text.endsWith('\n') ? text.slice(0, -1) : text, valid };
}

export class DatagramChannel {
  readonly transcript: TranscriptEntry[] = [];
  private readonly heard: Datagram[] = [];
  private readonly epoch = performance.now();
  private readonly wallEpoch = Date.now();
  private readonly wakers = new Set<() => void>();
  private readonly pending = new Map<number, (header: Record<string, unknown>) => void>();
  private nextId = 1;
  private keptBytes = 0;
  private dropped = 0;
  private closedWhy: string | undefined;
  private socket: net.Socket | undefined;

  private readonly hello: Promise<Record<string, unknown>>;
  /** What open() started and must stop. */
  private owned: { dir: string; bridge?: TrackedProcess } | undefined;

  private constructor(
    readonly group: string,
    readonly port: number,
    private readonly onEntry: ((e: TranscriptEntry) => void) | undefined,
    private readonly server: net.Server,
  ) {
    this.hello = new Promise<Record<string, unknown>>((ok, fail) => {
      server.once('connection', (socket) => {
        server.on('connection', (other) => other.destroy());
        this.attach(socket, ok, fail);
      });
    });
    this.hello.catch(() => undefined); // observed by ready()
  }

  /**
   * A channel whose bridge will connect to `server` (a Unix socket we listen
   * on): the bridge is started elsewhere, beside the program under test
   * (bridgeCommand). Call ready() before the program starts.
   */
  static attach(server: net.Server, opts: DatagramChannelOptions): DatagramChannel {
    return new DatagramChannel(opts.group, opts.port, opts.onEntry, server);
  }

  /** Start the bridge here, in the grader's own network, and wait (bounded) for it: for `grade serve` and tests. */
  static async open(opts: DatagramChannelOptions & { python: string; within: number }): Promise<DatagramChannel> {
    const dir = await mkdtemp(join(os.tmpdir(), 'chatgrade-mcast-'));
    const path = join(dir, 'bridge.sock');
    const server = net.createServer();
    await new Promise<void>((ok, fail) => server.once('error', fail).listen(path, () => ok()));
    const channel = new DatagramChannel(opts.group, opts.port, opts.onEntry, server);
    channel.owned = { dir };
    try {
      const bridge = await spawnTracked(opts.python, bridgeCommand(opts.python, AGENT_DIR, path, opts.group, opts.port).slice(1), { outputCapBytes: 64 * 1024 });
      channel.owned.bridge = bridge;
      await channel.ready(opts.within, bridge.exited.then(() => bridge.stderr().text));
      return channel;
    } catch (err) {
      await channel.close();
      throw err;
    }
  }

  /**
   * Wait (bounded) until the bridge has joined the group and said hello; a
   * ChannelError when it reports a failure, or `exited` resolves first (with
   * what it wrote).
   */
  async ready(within: number, exited?: Promise<string>): Promise<void> {
    const where = `${this.group}:${this.port}`;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new ChannelError('server.bridgeFailed', `the multicast bridge did not join ${where} within ${within} ms`)), within);
    });
    const died = exited?.then((stderr): never => {
      throw new ChannelError('server.bridgeFailed', `the multicast bridge exited before joining ${where}: ${stderr.trim().slice(-400)}`);
    });
    died?.catch(() => undefined);
    try {
      const h = await Promise.race([this.hello, timeout, ...(died ? [died] : [])]);
      this.note(`joined ${where} through the bridge (sending from ${String(h.source)})`);
    } finally {
      clearTimeout(timer);
    }
  }

  private attach(socket: net.Socket, hello: (h: Record<string, unknown>) => void, refused: (e: Error) => void): void {
    this.socket = socket;
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 4) {
        const size = buffer.readUInt32BE(0);
        if (size > MAX_FRAME || size < 2) return this.fault(`the bridge sent a frame of ${size} bytes`);
        if (buffer.length < 4 + size) break;
        const headLen = buffer.readUInt16BE(4);
        if (headLen > MAX_HEADER || 2 + headLen > size) return this.fault(`the bridge sent a header of ${headLen} bytes`);
        let header: Record<string, unknown>;
        try {
          header = JSON.parse(buffer.subarray(6, 6 + headLen).toString('utf8')) as Record<string, unknown>;
        } catch {
          return this.fault('the bridge sent a header that is not JSON');
        }
        const frame: Frame = { header, payload: Buffer.from(buffer.subarray(6 + headLen, 4 + size)) };
        buffer = buffer.subarray(4 + size);
        if (header.type === 'hello') hello(header);
        else if (header.type === 'error') refused(new ChannelError('server.bridgeFailed', String(header.text)));
        else this.receive(frame);
      }
    });
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => this.fault('the multicast bridge went away'));
  }

  private fault(why: string): void {
    if (this.closedWhy) return;
    this.closedWhy = why;
    this.socket?.destroy();
    for (const reply of this.pending.values()) reply({ ok: false, error: why });
    this.pending.clear();
    this.wake();
  }

  private receive({ header, payload }: Frame): void {
    if (header.type === 'reply') {
      const id = Number(header.id);
      this.pending.get(id)?.(header);
      this.pending.delete(id);
      return;
    }
    if (header.type !== 'datagram') return;
    if (this.heard.length >= MAX_KEPT || this.keptBytes + payload.length > MAX_KEPT_BYTES) {
      if (this.dropped++ === 0) this.note(`more than ${MAX_KEPT} datagrams or ${MAX_KEPT_BYTES} bytes heard: later datagrams are not recorded`);
      return;
    }
    this.keptBytes += payload.length;
    const src = `${String(header.src)}:${String(header.sport)}`;
    const { text, valid } = textOf(payload);
    const at = typeof header.ts === 'number' ? this.toClock(header.ts * 1000) : this.now();
    const entry: TranscriptEntry = { t: at, dir: 'c>s', text, raw: payload, peer: src };
    this.record(entry);
    if (!valid) this.note('that datagram was not valid UTF-8');
    this.heard.push({ entry, src, ttl: typeof header.ttl === 'number' ? header.ttl : undefined, at, size: Number(header.size ?? payload.length) });
    this.wake();
  }

  private record(entry: TranscriptEntry): void {
    this.transcript.push(entry);
    this.onEntry?.(entry);
  }

  private wake(): void {
    for (const w of [...this.wakers]) w();
  }

  private request(header: Record<string, unknown>, payload: Buffer = Buffer.alloc(0)): Promise<Record<string, unknown>> {
    if (this.closedWhy || !this.socket) return Promise.resolve({ ok: false, error: this.closedWhy ?? 'the bridge is not connected' });
    const id = this.nextId++;
    const head = Buffer.from(JSON.stringify({ ...header, id }), 'utf8');
    const frame = Buffer.alloc(6);
    frame.writeUInt32BE(2 + head.length + payload.length, 0);
    frame.writeUInt16BE(head.length, 4);
    return new Promise((ok) => {
      this.pending.set(id, ok);
      this.socket!.write(Buffer.concat([frame, head, payload]));
    });
  }

  /** Milliseconds on the channel's clock (its transcript's `t`). */
  now(): number {
    return Math.round((performance.now() - this.epoch) * 10) / 10;
  }

  /** A wall-clock time (Date.now() or a kernel timestamp, ms) on the channel's clock. */
  toClock(wallMs: number): number {
    return Math.round((wallMs - this.wallEpoch) * 10) / 10;
  }

  /** Every datagram heard so far, in arrival order. */
  get datagrams(): readonly Datagram[] {
    return this.heard;
  }

  get isClosed(): boolean {
    return this.closedWhy !== undefined;
  }

  /** Adds a note (our own action or an observation) to the transcript. */
  note(text: string): void {
    this.record({ t: this.now(), dir: 'note', text });
  }

  /**
   * Send one datagram onto the group (TTL 1), speaking for `peer`; `label`
   * replaces the text in the transcript (for junk). Resolves with its
   * transcript entry, whose `t` is when it left.
   */
  async send(bytes: Uint8Array, opts: { peer?: string; label?: string } = {}): Promise<TranscriptEntry> {
    const payload = Buffer.from(bytes).subarray(0, 65507);
    const entry: TranscriptEntry = { t: this.now(), dir: 's>c', text: opts.label ?? textOf(payload).text, raw: payload, ...(opts.peer ? { peer: opts.peer } : {}) };
    const reply = await this.request({ type: 'send' }, payload);
    if (reply.ok !== true) throw new ChannelError('server.bridgeClosed', `could not send a datagram: ${String(reply.error)}`);
    entry.t = typeof reply.ts === 'number' ? this.toClock(reply.ts * 1000) : entry.t;
    this.record(entry);
    return entry;
  }

  /** Whether a TCP connection to host:port can be made from the bridge's network (undefined: no answer). */
  async canConnect(host: string, port: number, within: number): Promise<{ connected: boolean; error?: string } | undefined> {
    const reply = await Promise.race([
      this.request({ type: 'connect', host, port, within: within / 1000 }),
      new Promise<undefined>((ok) => setTimeout(() => ok(undefined), within + 1000).unref()),
    ]);
    if (!reply || reply.ok !== true) return undefined;
    return { connected: reply.connected === true, ...(typeof reply.error === 'string' ? { error: reply.error } : {}) };
  }

  /**
   * Resolve with `poll`'s first non-undefined result, re-evaluated on every
   * datagram; a typed failure at the deadline or when the bridge goes away.
   */
  waitFor<T>(poll: (heard: readonly Datagram[]) => T | undefined, opts: WaitOptions & { expected?: string }): Promise<Outcome<T>> {
    return new Promise((done) => {
      const since = this.heard.length;
      const finish = (o: Outcome<T>): void => {
        clearTimeout(timer);
        this.wakers.delete(check);
        done(o);
      };
      const seen = (): string => {
        const fresh = this.heard.slice(since);
        return fresh.length ? `heard ${fresh.slice(-4).map((d) => describe(d.entry.text)).join(', ')}${fresh.length > 4 ? ` (${fresh.length} datagrams)` : ''}` : 'heard nothing new';
      };
      const failure = (reason: 'timeout' | 'closed'): Outcome<T> => ({
        ok: false,
        failure: { step: opts.step, expected: opts.expected ?? opts.step, actual: reason === 'timeout' ? `${seen()} in ${Math.round(opts.within)} ms` : `${seen()}, then ${this.closedWhy}`, reason },
      });
      const check = (): void => {
        const value = poll(this.heard);
        if (value !== undefined) return finish({ ok: true, value });
        if (this.closedWhy) finish(failure('closed'));
      };
      const timer = setTimeout(() => finish(failure('timeout')), Math.max(0, opts.within));
      this.wakers.add(check);
      check();
    });
  }

  /** Stop the bridge and forget the socket. */
  async close(): Promise<void> {
    this.fault('the channel was closed');
    if (this.owned) {
      await this.owned.bridge?.kill(200).catch(() => undefined);
      await new Promise<void>((ok) => this.server.close(() => ok()));
      await rm(this.owned.dir, { recursive: true, force: true });
    }
    if (this.dropped) this.note(`${this.dropped} datagrams were not recorded (over the limit)`);
  }
}
