// Small pieces the sandbox needs: a TCP listener on the host, an X
// authority file, and a promise settled from outside.

import { createServer, type Server } from 'node:net';

/** A promise with its resolve and reject. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: Error): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A listener nobody asked for must not become an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** Listen on host, on `port` or a free one. */
export function listenNow(host: string, port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}

/**
 * An X authority file holding one MIT-MAGIC-COOKIE-1 for any display
 * (family "wild"): Xvfb started with it accepts only clients that hold it.
 * Format: per field a 2-byte big-endian length, then the bytes.
 */
export function xauthority(cookie: Buffer): Buffer {
  const field = (b: Buffer): Buffer => Buffer.concat([u16(b.length), b]);
  return Buffer.concat([u16(0xffff), field(Buffer.alloc(0)), field(Buffer.alloc(0)), field(Buffer.from('MIT-MAGIC-COOKIE-1')), field(cookie)]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
