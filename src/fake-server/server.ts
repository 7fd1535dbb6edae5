// The fake server: a listener plus the sessions of the clients that connect.
// It owns what it starts: close() ends every connection and the listener.

import { performance } from 'node:perf_hooks';
import { deadlineTimer } from '../load/deadlines.js';
import { Session, type Outcome, type TranscriptEntry, type WaitOptions } from './session.js';
import { listenTcp } from './tcp.js';
import type { Listener } from './transport.js';

/** How to listen; `transport` swaps TCP for another adapter, `listener` brings one ready-made. */
export interface ServerOptions {
  host?: string;
  port?: number;
  transport?: (host: string, port: number) => Promise<Listener>;
  listener?: Listener;
  /**
   * A long-lived server for people (`chatgrade serve`): at most this many
   * connections open at once, and closed sessions are forgotten. Default: a
   * grading run's server, which keeps every session and accepts
   * MAX_CONNECTIONS in all.
   */
  maxOpen?: number;
}

/** Connections a run's server accepts: a client needs one; more are closed at once and counted. */
export const MAX_CONNECTIONS = 8;

export class FakeServer {
  readonly sessions: Session[] = [];
  readonly epoch = performance.now();
  private waiting: ((s: Session) => void)[] = [];
  private claimed = 0;
  private sessionListeners: ((s: Session) => void)[] = [];

  private refused = 0;

  private opened = 0;

  private constructor(
    private readonly listener: Listener,
    maxOpen?: number,
  ) {
    listener.onConnection((conn) => {
      if (maxOpen === undefined ? this.sessions.length >= MAX_CONNECTIONS : this.sessions.length >= maxOpen) {
        conn.destroy();
        // Said once, in the client's own session, where reports look.
        if (maxOpen === undefined && ++this.refused === 1) this.sessions[0]?.note(`the client opened more than ${MAX_CONNECTIONS} connections; the server closes every further one at once`);
        return;
      }
      const session = new Session(conn, this.epoch, ++this.opened);
      this.sessions.push(session);
      if (maxOpen !== undefined) {
        conn.onClose(() => {
          const at = this.sessions.indexOf(session);
          if (at >= 0) this.sessions.splice(at, 1);
        });
      }
      for (const l of this.sessionListeners) l(session);
      this.waiting.shift()?.(session);
    });
  }

  static async listen(opts: ServerOptions = {}): Promise<FakeServer> {
    if (opts.listener) return new FakeServer(opts.listener, opts.maxOpen);
    const listen = opts.transport ?? listenTcp;
    return new FakeServer(await listen(opts.host ?? '127.0.0.1', opts.port ?? 0), opts.maxOpen);
  }

  get host(): string {
    return this.listener.host;
  }

  get port(): number {
    return this.listener.port;
  }

  /** Called for every new connection (the reference server's hook). */
  onSession(listener: (s: Session) => void): void {
    this.sessionListeners.push(listener);
    for (const s of this.sessions) listener(s);
  }

  /** The next connection not yet handed out, waiting for it if need be. */
  nextConnection(opts: WaitOptions): Promise<Outcome<Session>> {
    const ready = this.sessions[this.claimed];
    if (ready) {
      this.claimed++;
      return Promise.resolve({ ok: true, value: ready });
    }
    return new Promise((resolve) => {
      const take = (s: Session): void => {
        clearTimeout(timer);
        this.claimed++;
        resolve({ ok: true, value: s });
      };
      const timer = deadlineTimer(opts.within, () => {
        this.waiting = this.waiting.filter((w) => w !== take);
        resolve({
          ok: false,
          failure: {
            step: opts.step,
            expected: `a connection to ${this.host}:${this.port}`,
            actual: `no connection in ${opts.within} ms`,
            reason: 'timeout',
          },
        });
      });
      this.waiting.push(take);
    });
  }

  /** All sessions' transcripts merged in time order, each line tagged with its session. */
  transcript(): (TranscriptEntry & { session: number })[] {
    return this.sessions
      .flatMap((s) => s.transcript.map((e) => ({ ...e, session: s.id })))
      .sort((a, b) => a.t - b.t);
  }

  async close(): Promise<void> {
    await this.listener.close();
  }
}
