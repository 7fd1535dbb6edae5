// A raw TCP client for tests: collects lines, waits for them with a bounded timeout.
import net from 'node:net';

export class RawClient {
  readonly lines: string[] = [];
  private buf = '';
  private waiters = new Set<() => void>();
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        this.lines.push(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 1);
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Wait until `n` lines have arrived in total; bounded. */
  waitLines(n: number, within = 2000): Promise<string[]> {
    return this.until(() => this.lines.length >= n, within, () => `${n} lines, got ${JSON.stringify(this.lines)}`).then(() => this.lines.slice(0, n));
  }

  waitClosed(within = 2000): Promise<void> {
    return this.until(() => this.closed, within, () => 'the connection to close');
  }

  private until(cond: () => boolean, within: number, what: () => string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!cond()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${within} ms waiting for ${what()}`));
      }, within);
      this.waiters.add(check);
      check();
    });
  }

  /** Take all lines received so far and clear them. */
  take(): string[] {
    return this.lines.splice(0);
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
