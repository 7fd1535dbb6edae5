// Small pieces the sandbox needs: its error, a TCP listener on the host, an
// X authority file, a promise settled from outside, and whether a path is
// open to every user.

import { statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname } from 'node:path';

/** A sandbox could not be set up: a harness fault, never the student's. */
export class SandboxError extends Error {
  constructor(
    readonly code: 'sandbox.unavailable' | 'sandbox.setupFailed',
    message: string,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

/** Whether process `pid` exists (a lock's or a cgroup's owner). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

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

/**
 * The first of `paths` that a uid which is neither owner nor group cannot
 * reach (a folder on the way without o+x, or the path itself without o+rx),
 * with the folder that stops it; undefined when every one can be reached.
 */
export function closedToOthers(paths: readonly string[]): { path: string; blocker: string } | undefined {
  for (const path of paths) {
    const chain: string[] = [];
    for (let p = path; ; p = dirname(p)) {
      chain.unshift(p);
      if (dirname(p) === p) break;
    }
    for (const p of chain) {
      let mode: number;
      try {
        mode = statSync(p).mode;
      } catch {
        return { path, blocker: p };
      }
      const need = p === path ? 0o005 : 0o001;
      if ((mode & need) !== need) return { path, blocker: p };
    }
  }
  return undefined;
}
