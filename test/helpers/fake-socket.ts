// A stand-in for the net.Socket an AgentLink reads: the test decides exactly
// which bytes arrive in which read, so timing bugs are driven, not waited for.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

export class FakeSocket extends EventEmitter {
  readonly written: string[] = [];
  destroyed = false;
  writable = true;

  setNoDelay(): this {
    return this;
  }

  setEncoding(): this {
    return this;
  }

  write(text: string): boolean {
    this.written.push(text);
    return true;
  }

  /** Deliver one read's worth of bytes. */
  deliver(text: string): void {
    this.emit('data', Buffer.from(text));
  }

  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      this.writable = false;
      this.emit('close');
    }
    return this;
  }

  asSocket(): Socket {
    return this as unknown as Socket;
  }
}

/** JSON lines, as one chunk. */
export const lines = (...objs: unknown[]): string => objs.map((o) => `${JSON.stringify(o)}\n`).join('');
