// The fake server's only view of the network: a connection delivers line
// events and a close, and takes bytes. TCP is one adapter (tcp.ts); an
// WebSocket adapter (ws.ts) is another, without touching the core.

import type { LineEvent } from '../protocol/lines.js';

/** Why a connection ended. */
export interface CloseInfo {
  /** 'peer' when the client closed, 'local' when we did. */
  by: 'peer' | 'local';
  /** Transport error text, when there was one (e.g. ECONNRESET). */
  error?: string;
  /** Bytes of an unterminated last line, if the peer closed mid-line. */
  partialBytes: number;
}

/** One client connection, transport-agnostic. */
export interface Connection {
  /** e.g. "127.0.0.1:53122" */
  readonly remote: string;
  /** Where it connected to, e.g. "127.0.0.2:40111". */
  readonly local: string;
  write(bytes: Uint8Array): Promise<void>;
  /** Graceful close. */
  end(): void;
  /** Abrupt close (TCP reset). */
  destroy(): void;
  onLine(listener: (event: LineEvent) => void): void;
  onClose(listener: (info: CloseInfo) => void): void;
  /** Transport-level observations for the transcript (a WebSocket binary message); optional. */
  onNote?(listener: (text: string) => void): void;
}

/** A listening endpoint handing out connections. */
export interface Listener {
  readonly host: string;
  readonly port: number;
  /** The address a client is given, when it is a URL (WebSocket: ws://host:port/). */
  readonly url?: string;
  onConnection(listener: (conn: Connection) => void): void;
  close(): Promise<void>;
}
