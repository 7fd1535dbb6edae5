// TCP adapter for the fake server: node:net sockets become Connections.

import net from 'node:net';
import { LineSplitter, type LineEvent } from '../protocol/lines.js';
import type { CloseInfo, Connection, Listener } from './transport.js';

/** A harness fault while setting up the network (never a student's fault). */
export class ListenError extends Error {
  constructor(
    readonly code: 'server.portInUse' | 'server.listenFailed',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Bytes a client may send on one connection, over-long lines included (they
 * are skipped, not kept, but still cost the grader time). A session of the
 * reference client sends a few kB; past this the server stops reading.
 */
export const MAX_CONNECTION_BYTES = 2 * 1024 * 1024;

class TcpConnection implements Connection {
  readonly remote: string;
  readonly local: string;
  private lineListeners: ((e: LineEvent) => void)[] = [];
  private closeListeners: ((i: CloseInfo) => void)[] = [];
  private backlog: LineEvent[] = [];
  private closeInfo: CloseInfo | undefined;
  private closedLocally = false;
  private error: string | undefined;

  constructor(private readonly socket: net.Socket) {
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    this.local = `${socket.localAddress}:${socket.localPort}`;
    socket.setNoDelay(true);
    const splitter = new LineSplitter();
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_CONNECTION_BYTES) {
        this.error = `the client sent more than ${MAX_CONNECTION_BYTES / 1024 / 1024} MiB on this connection (the grader's limit)`;
        this.destroy();
        return;
      }
      for (const event of splitter.push(chunk)) this.emitLine(event);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.error ??= err.code ?? err.message;
    });
    socket.on('close', () => {
      const info: CloseInfo = { by: this.closedLocally ? 'local' : 'peer', partialBytes: splitter.pending };
      if (this.error) info.error = this.error;
      this.closeInfo = info;
      for (const l of this.closeListeners) l(info);
    });
  }

  private emitLine(event: LineEvent): void {
    // Lines that arrive before anyone listens are kept, not lost.
    if (this.lineListeners.length === 0) this.backlog.push(event);
    for (const l of this.lineListeners) l(event);
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed || this.socket.writableEnded) return resolve();
      // A write to a peer that is gone is not our error: the close event reports it.
      this.socket.write(bytes, () => resolve());
    });
  }

  end(): void {
    this.closedLocally = true;
    this.socket.end();
  }

  destroy(): void {
    this.closedLocally = true;
    this.socket.resetAndDestroy();
  }

  onLine(listener: (event: LineEvent) => void): void {
    this.lineListeners.push(listener);
    const backlog = this.backlog;
    this.backlog = [];
    for (const e of backlog) listener(e);
  }

  onClose(listener: (info: CloseInfo) => void): void {
    this.closeListeners.push(listener);
    if (this.closeInfo) listener(this.closeInfo);
  }
}

/**
 * A Listener over a net.Server that is (or will be) listening at host:port:
 * ours, or one handed to us from a sandbox's network namespace, which may
 * arrive after the client was told where to connect.
 */
export function tcpListener(host: string, port: number, server: Promise<net.Server>): Listener {
  const sockets = new Set<net.Socket>();
  const listeners: ((c: Connection) => void)[] = [];
  const pending: Connection[] = [];
  void server.then(
    (srv) =>
      srv.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        const conn = new TcpConnection(socket);
        if (listeners.length === 0) pending.push(conn);
        for (const l of listeners) l(conn);
      }),
    () => undefined,
  );
  return {
    host,
    port,
    onConnection(listener) {
      listeners.push(listener);
      for (const c of pending.splice(0)) listener(c);
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      const srv = await server.catch(() => undefined);
      if (srv?.listening) await new Promise<void>((done) => srv.close(() => done()));
    },
  };
}

/** Listen on host:port (0 for an ephemeral port). */
export function listenTcp(host = '127.0.0.1', port = 0): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new ListenError('server.portInUse', `port ${port} on ${host} is already in use`)
          : new ListenError('server.listenFailed', `cannot listen on ${host}:${port}: ${err.message}`),
      );
    });
    server.listen({ host, port, exclusive: true }, () => {
      const addr = server.address() as net.AddressInfo;
      resolve(tcpListener(host, addr.port, Promise.resolve(server)));
    });
  });
}
