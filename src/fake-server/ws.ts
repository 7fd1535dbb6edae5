// WebSocket adapters for the fake server: one text message is one protocol
// line, without its "\n". Both ways of listening hand the core the same
// Connection: a real `ws` server (loopback TCP, or a Unix socket path that a
// sandbox relay forwards to), and mock-socket's in-memory Server for a client
// in the same realm. The worker-thread client (src/js/inprocess.ts) reaches a
// mock Server in its own realm through a MessageSocket over its port.

import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { Server as MockServer } from 'mock-socket';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_LINE_BYTES } from '../protocol/grammar.js';
import type { LineEvent } from '../protocol/lines.js';
import { ListenError } from './tcp.js';
import type { CloseInfo, Connection, Listener } from './transport.js';

/** The least a WebSocket peer must offer the adapter: text out, messages and a close in. */
export interface MessageSocket {
  readonly remote: string;
  readonly local: string;
  send(text: string): void;
  /** Graceful close (1000). */
  close(): void;
  /** Abrupt close, as a reset. */
  terminate(): void;
  onMessage(cb: (data: string | Uint8Array, binary: boolean) => void): void;
  onClose(cb: (info: { error?: string }) => void): void;
}

/** Largest message a real server accepts; a bigger one closes the connection (ws code 1009). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

const strict = new TextDecoder('utf-8', { fatal: true });
const lossy = new TextDecoder('utf-8');

/**
 * One text message as the line splitter would have reported it: a line over
 * the limit is `tooLong`, bytes that are not UTF-8 are `invalidUtf8`. A
 * message that itself ends with "\n" or "\r\n" carries a line ending it
 * should not, reported as `crlf` (the codec's non-strict line ending).
 */
export function messageLine(bytes: Uint8Array, maxBytes = MAX_LINE_BYTES): LineEvent {
  let raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let crlf = false;
  if (raw.at(-1) === 0x0a) [raw, crlf] = [raw.subarray(0, -1), true];
  if (raw.at(-1) === 0x0d) [raw, crlf] = [raw.subarray(0, -1), true];
  if (raw.length > maxBytes) return { kind: 'tooLong', bytes: raw.length, head: lossy.decode(raw.subarray(0, 60)) };
  try {
    return { kind: 'line', raw, text: strict.decode(raw), crlf };
  } catch {
    return { kind: 'invalidUtf8', raw, text: lossy.decode(raw), crlf };
  }
}

/** A WebSocket peer as a Connection; what arrives before anyone listens is kept. */
export class WsConnection implements Connection {
  readonly remote: string;
  readonly local: string;
  private lineListeners: ((e: LineEvent) => void)[] = [];
  private noteListeners: ((t: string) => void)[] = [];
  private closeListeners: ((i: CloseInfo) => void)[] = [];
  private backlog: LineEvent[] = [];
  private notes: string[] = [];
  private closeInfo: CloseInfo | undefined;
  private closedLocally = false;
  /** Server bytes not yet ended by "\n" (sendRaw may split a line over writes). */
  private outgoing = Buffer.alloc(0);

  constructor(private readonly socket: MessageSocket) {
    this.remote = socket.remote;
    this.local = socket.local;
    socket.onMessage((data, binary) => {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      if (binary) this.emitNote(`client sent a binary message of ${bytes.byteLength} bytes (lines are text messages), ignored`);
      else this.emitLine(messageLine(bytes));
    });
    socket.onClose(({ error }) => {
      if (this.closeInfo) return;
      const info: CloseInfo = { by: this.closedLocally ? 'local' : 'peer', partialBytes: 0 };
      if (error) info.error = error;
      this.closeInfo = info;
      for (const l of this.closeListeners) l(info);
    });
  }

  private emitLine(event: LineEvent): void {
    if (this.lineListeners.length === 0) this.backlog.push(event);
    for (const l of this.lineListeners) l(event);
  }

  private emitNote(text: string): void {
    if (this.noteListeners.length === 0) this.notes.push(text);
    for (const l of this.noteListeners) l(text);
  }

  /**
   * Each complete line leaves as one text message. Text messages must be
   * UTF-8, so bytes that are not (the malformed-input check) arrive with
   * U+FFFD in their place, as a browser would show them.
   */
  async write(bytes: Uint8Array): Promise<void> {
    if (this.closeInfo || this.closedLocally) return;
    this.outgoing = Buffer.concat([this.outgoing, bytes]);
    for (let nl = this.outgoing.indexOf(0x0a); nl >= 0; nl = this.outgoing.indexOf(0x0a)) {
      const line = this.outgoing.subarray(0, nl);
      this.outgoing = this.outgoing.subarray(nl + 1);
      try {
        this.socket.send(lossy.decode(line));
      } catch {
        // A peer that is gone is not our error: its close reports it.
        return;
      }
    }
  }

  end(): void {
    this.closedLocally = true;
    this.socket.close();
  }

  destroy(): void {
    this.closedLocally = true;
    this.socket.terminate();
  }

  onLine(listener: (event: LineEvent) => void): void {
    this.lineListeners.push(listener);
    for (const e of this.backlog.splice(0)) listener(e);
  }

  onNote(listener: (text: string) => void): void {
    this.noteListeners.push(listener);
    for (const t of this.notes.splice(0)) listener(t);
  }

  onClose(listener: (info: CloseInfo) => void): void {
    this.closeListeners.push(listener);
    if (this.closeInfo) listener(this.closeInfo);
  }
}

/** Hands out connections as they come, keeping those that arrive before anyone listens. */
class Acceptor {
  private listeners: ((c: Connection) => void)[] = [];
  private pending: Connection[] = [];

  accept(conn: Connection): void {
    if (this.listeners.length === 0) this.pending.push(conn);
    for (const l of this.listeners) l(conn);
  }

  onConnection(listener: (c: Connection) => void): void {
    this.listeners.push(listener);
    for (const c of this.pending.splice(0)) listener(c);
  }
}

/** A Listener whose connections are accepted by hand (adapters in other realms feed it). */
export function manualListener(host: string, port: number, close: () => Promise<void>): Listener & { url: string; accept(conn: Connection): void } {
  const acceptor = new Acceptor();
  return {
    host,
    port,
    url: wsUrl(host, port),
    accept: (conn) => acceptor.accept(conn),
    onConnection: (l) => acceptor.onConnection(l),
    close,
  };
}

/** The URL a client is given for host:port. */
export function wsUrl(host: string, port: number): string {
  return `ws://${host.includes(':') ? `[${host}]` : host}:${port}/`;
}

/** Where a real WebSocket server listens: loopback TCP, or a Unix socket path (then `advertise` is the address the client is told, e.g. a sandbox relay's). */
export type WsTarget = { host: string; port: number } | { path: string; advertise?: { host: string; port: number } };

function wsSocket(ws: WebSocket, req: IncomingMessage, local: string): MessageSocket {
  const remote = req.socket.remoteAddress ? `${req.socket.remoteAddress}:${req.socket.remotePort}` : 'unix socket';
  let error: string | undefined;
  ws.on('error', (err: Error & { code?: string }) => {
    error = err.code ?? err.message;
  });
  return {
    remote,
    local,
    send: (text) => ws.send(text),
    close: () => ws.close(1000),
    terminate: () => ws.terminate(),
    onMessage: (cb) => ws.on('message', (data: Buffer, isBinary: boolean) => cb(data, isBinary)),
    onClose: (cb) => ws.on('close', (code: number) => cb({ error: error ?? (code === 1000 || code === 1005 ? undefined : `close code ${code}`) })),
  };
}

/**
 * WebSocket on an http server (listening already, or fed sockets by hand):
 * each upgraded connection becomes a Connection of the returned Listener.
 */
function wsOn(http: HttpServer, where: { host: string; port: number; local: string }, closeServer: () => Promise<void>): Listener & { url: string } {
  // Invalid UTF-8 must reach the core as a line to report, not close the connection.
  const wss = new WebSocketServer({ server: http, maxPayload: MAX_MESSAGE_BYTES, skipUTF8Validation: true });
  // wss repeats the http server's errors, which whoever listens reports.
  wss.on('error', () => undefined);
  const listener = manualListener(where.host, where.port, async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((done) => wss.close(() => done()));
    await closeServer();
  });
  wss.on('connection', (ws, req) => listener.accept(new WsConnection(wsSocket(ws, req, where.local))));
  const { accept: _accept, ...visible } = listener;
  return visible;
}

/** An http server that answers anything but a WebSocket upgrade with 426. */
function upgradeOnly(): HttpServer {
  return createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('a WebSocket upgrade is required\n');
  });
}

/** A real WebSocket server (the `ws` package) on loopback or a Unix socket path. */
export function listenWs(target: WsTarget): Promise<Listener & { url: string }> {
  const http = upgradeOnly();
  const where = 'path' in target ? target.path : `${target.host}:${target.port}`;
  return new Promise((resolve, reject) => {
    http.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new ListenError('server.portInUse', `${where} is already in use`)
          : new ListenError('server.listenFailed', `cannot listen on ${where}: ${err.message}`),
      );
    });
    const ready = (): void => {
      const [host, port] = 'path' in target ? [target.advertise?.host ?? 'localhost', target.advertise?.port ?? 0] : [target.host, (http.address() as AddressInfo).port];
      const local = 'path' in target ? target.path : `${host}:${port}`;
      resolve(wsOn(http, { host, port, local }, () => new Promise<void>((done) => http.close(() => done()))));
    };
    if ('path' in target) http.listen(target.path, ready);
    else http.listen({ host: target.host, port: target.port, exclusive: true }, ready);
  });
}

/**
 * WebSocket over a TCP server someone else listens with (the sandbox opens
 * it in the client's network namespace and hands it out, maybe later):
 * tcpListener's counterpart.
 */
export function wsListenerOver(host: string, port: number, server: Promise<NetServer>): Listener & { url: string } {
  const http = upgradeOnly();
  void server.then(
    (srv) => srv.on('connection', (socket) => http.emit('connection', socket)),
    () => undefined,
  );
  return wsOn(http, { host, port, local: `${host}:${port}` }, async () => {
    const srv = await server.catch(() => undefined);
    if (srv?.listening) await new Promise<void>((done) => srv.close(() => done()));
  });
}

/** FakeServer's `transport` option for a real WebSocket server on loopback. */
export const wsTransport = (host: string, port: number): Promise<Listener> => listenWs({ host, port });

/** mock-socket's server-side socket (a proxy of the client's WebSocket). */
interface MockServerSocket {
  send(data: string): void;
  close(options?: { code?: number; reason?: string }): void;
  on(type: 'message', cb: (data: unknown) => void): void;
  on(type: 'close', cb: (e: { code?: number }) => void): void;
}

/**
 * mock-socket's Server as a MessageSocket source, for a client in this same
 * realm (its global WebSocket must be mock-socket's). A client's exception
 * thrown while receiving is handed to `onClientError` instead of the server.
 */
export function mockSocket(socket: MockServerSocket, url: string, onClientError: (err: unknown) => void = () => undefined): MessageSocket {
  return {
    remote: 'mock client',
    local: url,
    send: (text) => {
      try {
        socket.send(text);
      } catch (err) {
        onClientError(err);
      }
    },
    close: () => socket.close({ code: 1000 }),
    terminate: () => socket.close({ code: 1006, reason: 'reset' }),
    onMessage: (cb) =>
      socket.on('message', (data) => {
        if (typeof data === 'string') cb(data, false);
        else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) cb(data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength), true);
        else cb(new Uint8Array(0), true);
      }),
    onClose: (cb) => socket.on('close', (e) => cb(e.code === 1006 ? { error: 'connection reset' } : {})),
  };
}

/** mock-socket's Server at ws://host:port/ in this realm: no port is opened. */
export function listenMock(host: string, port: number): Listener & { url: string } {
  const url = wsUrl(host, port);
  const server = new MockServer(url, { mock: false });
  const listener = manualListener(host, port, async () => {
    server.stop();
  });
  server.on('connection', (socket: unknown) => listener.accept(new WsConnection(mockSocket(socket as MockServerSocket, url))));
  const { accept: _accept, ...visible } = listener;
  return visible;
}
