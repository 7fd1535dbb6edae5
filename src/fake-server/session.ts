// One client connection as a scenario scripts it. Waiting is a loop over
// typed events (a line, the close, the deadline), so a timeout is just one
// more observed event and every wait is bounded.

import { performance } from 'node:perf_hooks';
import { deadlineTimer } from '../load/deadlines.js';
import { format, lenientParse, type LenientResult } from '../protocol/codec.js';
import type { ClientMessage, ServerMessage } from '../protocol/grammar.js';
import type { LineEvent } from '../protocol/lines.js';
import type { CloseInfo, Connection } from './transport.js';

/** One line or event of a connection's life, both ways, timestamped. */
export interface TranscriptEntry {
  /** Milliseconds since the server started (monotonic, shared by its sessions). */
  t: number;
  dir: 'c>s' | 's>c' | 'note';
  /** The line as text without its ending (lossy for invalid UTF-8), or the note. */
  text: string;
  /** Raw bytes as sent or received, line ending excluded. */
  raw?: Buffer;
  /** Inbound lines: how they parse. */
  parsed?: LenientResult<'c2s'>;
  /** Outbound lines sent on behalf of a simulated user (or peer): who; for datagrams heard, where they came from. */
  peer?: string;
  crlf?: boolean;
}

/** An inbound line, as matchers see it. */
export interface Inbound {
  entry: TranscriptEntry;
  text: string;
  crlf: boolean;
  /** The parsed message, when the line is valid (possibly non-strictly). */
  message: ClientMessage | undefined;
  /** Tolerances the lenient parse needed. */
  tolerances: string[];
}

/** Why a step did not see what it waited for. */
export interface StepFailure {
  step: string;
  expected: string;
  actual: string;
  reason: 'timeout' | 'closed' | 'mismatch';
}

/** A wait's outcome: the value, or a typed failure. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; failure: StepFailure };

/** Options of every bounded wait. */
export interface WaitOptions {
  within: number;
  step: string;
}

/** A message type, or a predicate over inbound lines. */
export type Matcher = ClientMessage['type'] | ((line: Inbound) => boolean);

export interface ExpectOptions extends WaitOptions {
  /** Describes what is awaited, for failure texts (defaults to the type). */
  expected?: string;
  /** The very next line must match (otherwise lines that do not match are skipped). */
  next?: boolean;
}

/**
 * What a session keeps of a client that floods it. The transcript (for
 * reports) keeps its first `head` and last `tail` entries with a note of
 * what was left out between; past `lines` inbound lines (over-long ones
 * and transport notes included) the server closes the connection, as a
 * real server would (a session of the reference client has well under a
 * hundred). Bytes are capped by the transport.
 */
export const SESSION_CAPS = { head: 100, tail: 400, lines: 2000 };

const describeLine = (l: Inbound): string => JSON.stringify(l.text.length > 120 ? `${l.text.slice(0, 120)}...` : l.text);

/** A scripted view of one connection. */
export class Session {
  readonly transcript: TranscriptEntry[] = [];
  private inbox: Inbound[] = [];
  private cursor = 0;
  private closeInfo: CloseInfo | undefined;
  private wakers = new Set<() => void>();
  private lineListeners: ((l: Inbound) => void)[] = [];
  /** The note standing for the entries left out of the transcript, once there are some. */
  private received = 0;
  private floodClosed = false;
  private omitted: { entry: TranscriptEntry; lines: number; bytes: number } | undefined;

  constructor(
    readonly conn: Connection,
    private readonly epoch: number,
    readonly id: number,
  ) {
    this.note(`connected from ${conn.remote} to ${conn.local}`);
    conn.onLine((e) => this.receive(e));
    conn.onNote?.((text) => this.admit() && this.note(text));
    conn.onClose((info) => {
      this.closeInfo = info;
      const how = info.by === 'peer' ? 'client closed the connection' : 'server closed the connection';
      this.note(info.error ? `${how} (${info.error})` : how);
      this.wake();
    });
  }

  private now(): number {
    return Math.round((performance.now() - this.epoch) * 10) / 10;
  }

  /** Adds a note (our own action or an observation) to the transcript. */
  note(text: string): void {
    this.keep({ t: this.now(), dir: 'note', text });
  }

  /** Append to the transcript, leaving out the middle of a long one (head and tail stay). */
  private keep(entry: TranscriptEntry): void {
    const { head, tail } = SESSION_CAPS;
    this.transcript.push(entry);
    if (this.transcript.length <= head + tail + (this.omitted ? 1 : 0)) return;
    if (!this.omitted) {
      this.omitted = { entry: { t: this.transcript[head]!.t, dir: 'note', text: '' }, lines: 0, bytes: 0 };
      this.transcript.splice(head, 0, this.omitted.entry);
    }
    const [gone] = this.transcript.splice(head + 1, 1);
    this.omitted.lines++;
    this.omitted.bytes += gone!.raw?.length ?? gone!.text.length;
    this.omitted.entry.text = `... ${this.omitted.lines} entries (${this.omitted.bytes} bytes) left out of this transcript ...`;
  }

  private wake(): void {
    for (const w of [...this.wakers]) w();
  }

  /** Count one thing the client sent (a line, an over-long one, a transport note); past the cap, close. */
  private admit(): boolean {
    if (this.received++ < SESSION_CAPS.lines) return true;
    if (!this.closeInfo && !this.floodClosed) {
      this.floodClosed = true;
      this.note(`client sent more than ${SESSION_CAPS.lines} lines; the server closed the connection`);
      this.conn.destroy();
    }
    return false;
  }

  private receive(event: LineEvent): void {
    if (!this.admit()) return;
    if (event.kind === 'tooLong') {
      this.note(`client sent a line of ${event.bytes} bytes (over the limit), skipped`);
      return;
    }
    const parsed = lenientParse(event.text, 'c2s', { crlf: event.crlf });
    const entry: TranscriptEntry = { t: this.now(), dir: 'c>s', text: event.text, raw: event.raw, parsed, crlf: event.crlf };
    this.keep(entry);
    if (event.kind === 'invalidUtf8') this.note('that line was not valid UTF-8');
    const line: Inbound = {
      entry,
      text: event.text,
      crlf: event.crlf,
      message: parsed.ok ? parsed.message : undefined,
      tolerances: parsed.ok ? parsed.tolerances : [],
    };
    this.inbox.push(line);
    for (const l of this.lineListeners) l(line);
    this.wake();
  }

  /** Every inbound line so far (consumed or not). */
  get lines(): readonly Inbound[] {
    return this.inbox;
  }

  /** Lines not yet consumed by expect(). */
  get unread(): readonly Inbound[] {
    return this.inbox.slice(this.cursor);
  }

  get isClosed(): boolean {
    return this.closeInfo !== undefined;
  }

  /** Called for every inbound line as it arrives (the reference server's dispatch). */
  onLine(listener: (line: Inbound) => void): void {
    this.lineListeners.push(listener);
  }

  /** Resolve when `poll` returns a value, or on close/deadline; bounded. */
  private waitUntil<T>(poll: () => Outcome<T> | undefined, onEnd: (reason: 'timeout' | 'closed') => StepFailure, within: number): Promise<Outcome<T>> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (o: Outcome<T>): void => {
        clearTimeout(timer);
        this.wakers.delete(check);
        resolve(o);
      };
      const check = (): void => {
        const result = poll();
        if (result) return finish(result);
        if (this.closeInfo) finish({ ok: false, failure: onEnd('closed') });
      };
      timer = deadlineTimer(Math.max(0, within), () => finish({ ok: false, failure: onEnd('timeout') }));
      this.wakers.add(check);
      check();
    });
  }

  /**
   * Wait for a line matching `matcher`; consumes it and the lines before it.
   * With `next`, the first unread line must match.
   */
  expect(matcher: Matcher, opts: ExpectOptions): Promise<Outcome<Inbound>> {
    const test = typeof matcher === 'string' ? (l: Inbound) => l.message?.type === matcher : matcher;
    const expected = opts.expected ?? (typeof matcher === 'string' ? matcher : 'a matching line');
    const start = this.cursor;
    const skipped = (): string => {
      const seen = this.inbox.slice(start, this.cursor);
      return seen.length ? `got ${seen.map(describeLine).join(', ')}` : 'got nothing';
    };
    return this.waitUntil<Inbound>(
      () => {
        while (this.cursor < this.inbox.length) {
          const line = this.inbox[this.cursor++]!;
          if (test(line)) return { ok: true, value: line };
          if (opts.next) return { ok: false, failure: { step: opts.step, expected, actual: `got ${describeLine(line)} instead`, reason: 'mismatch' } };
        }
        return undefined;
      },
      (reason) => ({
        step: opts.step,
        expected,
        actual:
          reason === 'timeout'
            ? `${skipped()} in ${opts.within} ms`
            : `${skipped()}, then the ${this.closeInfo?.by === 'local' ? 'server' : 'client'} closed the connection`,
        reason,
      }),
      opts.within,
    );
  }

  /** Send a message as the server; `peer` names the simulated user it speaks for (reports draw it as that user's arrow). */
  send(message: ServerMessage, peer?: string): Promise<void> {
    return this.sendLine(format(message), peer);
  }

  /** Send one line of text (a line ending is added). */
  sendLine(text: string, peer?: string): Promise<void> {
    const raw = Buffer.from(text, 'utf8');
    this.keep({ t: this.now(), dir: 's>c', text, raw, ...(peer ? { peer } : {}) });
    return this.conn.write(Buffer.concat([raw, Buffer.from('\n')]));
  }

  /**
   * Send raw bytes, optionally split into several writes: `chunks` gives the
   * sizes of the leading writes; the rest goes last. `gapMs` spaces the
   * writes so they leave as separate TCP segments.
   */
  async sendRaw(bytes: Uint8Array, opts: { chunks?: number[]; gapMs?: number; label?: string } = {}): Promise<void> {
    const buf = Buffer.from(bytes);
    this.keep({ t: this.now(), dir: 's>c', text: opts.label ?? buf.toString('utf8').replace(/\n$/, ''), raw: buf });
    let offset = 0;
    for (const size of [...(opts.chunks ?? []), buf.length]) {
      const piece = buf.subarray(offset, Math.min(buf.length, offset + size));
      offset += piece.length;
      if (piece.length) await this.conn.write(piece);
      if (offset < buf.length && opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
      if (offset >= buf.length) break;
    }
  }

  /** Abrupt close (reset), as when the server crashes. */
  drop(): void {
    this.note('server dropped the connection');
    this.conn.destroy();
  }

  /** Graceful close. */
  close(): void {
    this.conn.end();
  }

  /** Wait for the connection to close (by either side). */
  closed(opts: WaitOptions): Promise<Outcome<CloseInfo>> {
    return this.waitUntil<CloseInfo>(
      () => (this.closeInfo ? { ok: true, value: this.closeInfo } : undefined),
      () => ({ step: opts.step, expected: 'the connection to close', actual: `still open after ${opts.within} ms`, reason: 'timeout' }),
      opts.within,
    );
  }
}
