// Every byte a client can send is capped: the probe channel (per message and
// in all), the transcripts kept for reports, the lines and bytes of a
// connection, the number of connections. Past a cap the grader stops
// listening and says why; it never keeps what is over.

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeServer, MAX_CONNECTIONS } from '../src/fake-server/server.js';
import { SESSION_CAPS, type Session } from '../src/fake-server/session.js';
import { MAX_CONNECTION_BYTES } from '../src/fake-server/tcp.js';
import { AgentLink, PROBE_CAPS } from '../src/probe/link.js';
import { RawClient } from './helpers/raw-client.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

/** An AgentLink over a real socket pair; `client` is the client's end. */
async function linkPair(): Promise<{ link: AgentLink; client: net.Socket }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  client.on('error', () => undefined);
  const link = new AgentLink(await accepted, { type: 'hello', token: 't' });
  cleanup.push(() => client.destroy(), () => link.close(), () => server.close());
  return { link, client };
}

/** Write until the peer stops reading (or `limit` bytes); resolves with what was written. */
function pour(socket: net.Socket, chunk: Buffer, limit: number): Promise<number> {
  return new Promise((resolve) => {
    let sent = 0;
    const more = (): void => {
      while (sent < limit && !socket.destroyed) {
        sent += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', more);
      }
      resolve(sent);
    };
    socket.once('close', () => resolve(sent));
    more();
  });
}

describe('probe channel caps', () => {
  it('a message over the per-message cap drops the channel: waits and commands fail with probe.flooded', async () => {
    const { link, client } = await linkPair();
    const waiting = link.waitForTree(() => undefined, { within: 10_000, step: 'the main window' });
    const big = Buffer.alloc(64 * 1024, 'x');
    await pour(client, big, PROBE_CAPS.messageBytes + 10 * big.length);
    await expect(waiting).rejects.toMatchObject({ code: 'probe.flooded', message: expect.stringMatching(/a message longer than 4 MiB/) });
    await expect(link.command({ cmd: 'sync' } as never)).rejects.toMatchObject({ code: 'probe.flooded' });
    expect(link.broken()?.code).toBe('probe.flooded');
    expect(link.agentErrors().join('\n')).toMatch(/the grader's limit/);
  });

  it('well-formed lines past the total cap drop the channel too', async () => {
    const { link, client } = await linkPair();
    let seen = 0;
    link.onEvent(() => seen++);
    const line = Buffer.from(`${JSON.stringify({ type: 'noise', pad: 'x'.repeat(4000) })}\n`);
    const sent = await pour(client, Buffer.concat(Array(64).fill(line)), PROBE_CAPS.totalBytes * 2);
    await link.closed;
    expect(link.broken()?.message).toMatch(/more than 64 MiB in all/);
    expect(sent).toBeLessThan(PROBE_CAPS.totalBytes * 2);
    expect(seen * line.length).toBeLessThanOrEqual(PROBE_CAPS.totalBytes);
  });

  it('a client within the caps keeps its channel', async () => {
    const { link, client } = await linkPair();
    client.write(`${JSON.stringify({ type: 'tree', seq: 1, widgets: [{ path: '.', cls: 'Tk' }] })}\n`);
    await link.waitForTree((t) => (t.has('.') ? true : undefined), { within: 2000, step: 'the tree' });
    expect(link.broken()).toBeUndefined();
    expect(link.isOpen()).toBe(true);
  });
});

describe('fake server caps', () => {
  async function connected(): Promise<{ server: FakeServer; client: RawClient; session: Session }> {
    const server = await FakeServer.listen();
    const client = await RawClient.connect(server.port);
    cleanup.push(() => client.destroy(), () => server.close());
    const next = await server.nextConnection({ within: 2000, step: 'connect' });
    if (!next.ok) throw new Error(next.failure.actual);
    return { server, client, session: next.value };
  }

  it('a long transcript keeps its head and tail, with a note of what was left out', async () => {
    const { client, session } = await connected();
    const n = SESSION_CAPS.head + SESSION_CAPS.tail + 300;
    client.send(Array.from({ length: n }, (_, i) => `STATUS s${i}\n`).join(''));
    await session.expect((l) => l.text === `STATUS s${n - 1}`, { within: 5000, step: 'the last line' });
    const t = session.transcript;
    // The "connected" note, then head lines, the omission note, the tail.
    expect(t.length).toBe(SESSION_CAPS.head + SESSION_CAPS.tail + 1);
    expect(t[SESSION_CAPS.head]!.text).toMatch(/^\.\.\. 301 entries \(\d+ bytes\) left out of this transcript \.\.\.$/);
    expect(t.at(-1)!.text).toBe(`STATUS s${n - 1}`);
    expect(t[1]!.text).toBe('STATUS s0');
    expect(session.lines.length).toBe(n);
  });

  it('past the line cap the server closes the connection, and keeps no more lines', async () => {
    const { client, session } = await connected();
    client.send(Array.from({ length: SESSION_CAPS.lines + 500 }, () => 'STATUS x\n').join(''));
    await client.waitClosed(5000);
    expect(session.lines.length).toBe(SESSION_CAPS.lines);
    expect(session.transcript.map((e) => e.text).join('\n')).toMatch(/more than 2000 lines; the server closed the connection/);
  });

  it('past the byte cap (over-long lines included) the server closes the connection and says why', async () => {
    const { client, session } = await connected();
    const sent = await pour(client.socket, Buffer.alloc(256 * 1024, 'w'), MAX_CONNECTION_BYTES * 4);
    await client.waitClosed(5000);
    expect(sent).toBeLessThan(MAX_CONNECTION_BYTES * 4);
    const closed = await session.closed({ within: 2000, step: 'close' });
    expect(closed.ok && closed.value).toMatchObject({ by: 'local', error: expect.stringMatching(/more than 2 MiB on this connection/) });
  });

  it('connections past the cap are closed at once, and the client\'s own session says so once', async () => {
    const { server, session } = await connected();
    const extra = await Promise.all(Array.from({ length: MAX_CONNECTIONS + 3 }, () => RawClient.connect(server.port)));
    cleanup.push(() => extra.forEach((c) => c.destroy()));
    await Promise.all(extra.slice(MAX_CONNECTIONS - 1).map((c) => c.waitClosed(5000)));
    expect(server.sessions.length).toBe(MAX_CONNECTIONS);
    expect(session.transcript.filter((e) => /more than 8 connections/.test(e.text)).length).toBe(1);
  });
});
