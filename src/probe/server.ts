// The per-client probe server: listens on loopback, hands out a random token
// and accepts exactly one agent whose hello carries it. Anything else that
// connects (a port scanner, a stale client, a wrong token) is dropped.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { deadlineTimer } from '../load/deadlines.js';
import { AgentLink, ProbeError, type HelloEvent } from './link.js';

/** Options for ProbeServer.start. */
export interface ProbeServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** How long a connection may take to say hello, ms. Default 10000. */
  helloLimit?: number;
  /** Accept a hello in explicit mode (a client describing its own GUI). Default true. */
  acceptExplicit?: boolean;
}

const MAX_HELLO = 64 * 1024;

/** A listening probe server for one client. */
export class ProbeServer {
  readonly token = randomBytes(16).toString('hex');
  private accepted: AgentLink | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly waiters = new Set<(link: AgentLink | Error) => void>();
  private isClosed = false;
  private readonly refusedList: string[] = [];

  private server: Server | undefined;

  private constructor(
    server: Promise<Server>,
    readonly host: string,
    readonly port: number,
    private readonly helloLimit: number,
    private readonly acceptExplicit: boolean,
  ) {
    void server.then(
      (srv) => {
        this.server = srv;
        if (this.isClosed) srv.close();
        else srv.on('connection', (s) => this.onConnection(s));
      },
      () => undefined,
    );
  }

  /** Listen on host:0 and resolve once bound. */
  static start(opts: ProbeServerOptions = {}): Promise<ProbeServer> {
    const host = opts.host ?? '127.0.0.1';
    const server = createServer();
    return new Promise((resolve, reject) => {
      server.once('error', (e) => reject(new ProbeError('probe.listenFailed', `cannot listen on ${host}: ${e.message}`)));
      server.listen(0, host, () => {
        const addr = server.address();
        const port = typeof addr === 'object' && addr ? addr.port : 0;
        resolve(ProbeServer.adopt({ host, port, server: Promise.resolve(server) }, opts));
      });
    });
  }

  /** A probe server over a listener made elsewhere (e.g. inside a sandbox's network), which may arrive later. */
  static adopt(at: { host: string; port: number; server: Promise<Server> }, opts: ProbeServerOptions = {}): ProbeServer {
    return new ProbeServer(at.server, at.host, at.port, opts.helloLimit ?? 10_000, opts.acceptExplicit ?? true);
  }

  /** "host:port", the value of CHAT_PROBE. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** The environment a client needs to find this server. */
  env(): { CHAT_PROBE: string; CHAT_PROBE_TOKEN: string } {
    return { CHAT_PROBE: this.address, CHAT_PROBE_TOKEN: this.token };
  }

  /** Hellos refused for what they asked (not for a wrong token), for the report. */
  refused(): readonly string[] {
    return this.refusedList;
  }

  /** The accepted agent, once one said hello. */
  link(): AgentLink | undefined {
    return this.accepted;
  }

  /** Resolve with the agent's link once it says hello; reject with 'probe.noHello' after `within` ms. */
  waitHello(within: number): Promise<AgentLink> {
    if (this.accepted) return Promise.resolve(this.accepted);
    if (this.isClosed) return Promise.reject(new ProbeError('probe.closed', 'the probe server is closed'));
    return new Promise((resolve, reject) => {
      const settle = (v: AgentLink | Error): void => {
        clearTimeout(timer);
        this.waiters.delete(settle);
        if (v instanceof Error) reject(v);
        else resolve(v);
      };
      const timer = deadlineTimer(within, () => settle(new ProbeError('probe.noHello', `no agent said hello within ${within} ms`)));
      timer.unref();
      this.waiters.add(settle);
    });
  }

  /** Stop listening and drop every connection, the accepted one included. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const w of [...this.waiters]) w(new ProbeError('probe.closed', 'the probe server was closed before any agent said hello'));
    for (const s of this.sockets) s.destroy();
    this.accepted?.close();
    const srv = this.server;
    if (srv?.listening) await new Promise<void>((r) => srv.close(() => r()));
  }

  private onConnection(socket: Socket): void {
    if (this.accepted || this.isClosed) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const timer = setTimeout(() => socket.destroy(), this.helloLimit).unref();
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const nl = buf.indexOf(10);
      if (nl < 0) {
        if (buf.length > MAX_HELLO) socket.destroy();
        return;
      }
      socket.off('data', onData);
      clearTimeout(timer);
      const hello = this.parseHello(buf.subarray(0, nl).toString('utf8'));
      if (!hello || this.accepted || this.isClosed) {
        socket.destroy();
        return;
      }
      const link = new AgentLink(socket, hello, buf.subarray(nl + 1));
      this.accepted = link;
      // One agent per server: nobody else gets in.
      this.server?.close();
      for (const w of [...this.waiters]) w(link);
    };
    socket.on('data', onData);
  }

  private parseHello(line: string): HelloEvent | undefined {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return undefined;
    }
    if (typeof msg !== 'object' || msg === null) return undefined;
    const m = msg as Record<string, unknown>;
    if (m.type !== 'hello' || typeof m.token !== 'string') return undefined;
    const a = Buffer.from(m.token);
    const b = Buffer.from(this.token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
    if (m.mode === 'explicit' && !this.acceptExplicit) {
      this.refusedList.push('a hello in explicit mode, which this course does not accept');
      return undefined;
    }
    return m as unknown as HelloEvent;
  }
}
