// The WebSocket adapters: one text message is one line, with the TCP
// adapter's semantics for over-long lines and invalid UTF-8; a binary
// message is noted, not a crash; server lines leave as one message each.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket as MockWebSocket } from 'mock-socket';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FakeServer } from '../src/fake-server/server.js';
import type { Session } from '../src/fake-server/session.js';
import { listenMock, listenWs, messageLine, wsTransport } from '../src/fake-server/ws.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A ws client that collects what it receives; waits are bounded. */
function client(url: string) {
  const ws = new WebSocket(url);
  const received: string[] = [];
  let closed = false;
  const waiters = new Set<() => void>();
  ws.on('message', (d, binary) => {
    received.push(binary ? `(binary)` : d.toString());
    for (const w of waiters) w();
  });
  ws.on('close', () => {
    closed = true;
    for (const w of waiters) w();
  });
  ws.on('error', () => undefined);
  cleanup.push(() => ws.terminate());
  const until = (ok: () => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => ok() && (waiters.delete(check), clearTimeout(t), resolve());
      const t = setTimeout(() => (waiters.delete(check), reject(new Error(`timed out waiting for ${what}`))), 3000);
      waiters.add(check);
      check();
    });
  return { ws, received, until, isClosed: () => closed, opened: new Promise<void>((r) => ws.once('open', () => r())) };
}

async function session(server: FakeServer): Promise<Session> {
  const next = await server.nextConnection({ within: 3000, step: 'connect' });
  if (!next.ok) throw new Error(next.failure.actual);
  return next.value;
}

describe('messageLine', () => {
  it('maps a message onto the line splitter events', () => {
    expect(messageLine(Buffer.from('REGISTER alice'))).toMatchObject({ kind: 'line', text: 'REGISTER alice', crlf: false });
    expect(messageLine(Buffer.from('REGISTER alice\r\n'))).toMatchObject({ kind: 'line', text: 'REGISTER alice', crlf: true });
    expect(messageLine(Buffer.from([0x41, 0xff]))).toMatchObject({ kind: 'invalidUtf8', text: 'A\ufffd' });
    expect(messageLine(Buffer.alloc(5000, 0x41))).toMatchObject({ kind: 'tooLong', bytes: 5000 });
  });
});

describe('listenWs (the ws package)', () => {
  it('carries lines both ways on loopback, one message per line', async () => {
    const server = await FakeServer.listen({ host: '127.0.0.2', transport: wsTransport });
    cleanup.push(() => server.close());
    const c = client(`ws://127.0.0.2:${server.port}/`);
    await c.opened;
    const s = await session(server);
    c.ws.send('REGISTER alice');
    c.ws.send(Buffer.from([0x53, 0x54, 0x41, 0x54, 0x55, 0x53, 0x20, 0xc3, 0x28]), { binary: false });
    c.ws.send('x'.repeat(5000));
    c.ws.send(Buffer.from('GOODBYE'), { binary: true });
    c.ws.send('GOODBYE');
    expect((await s.expect('REGISTER', { within: 3000, step: 'register' })).ok).toBe(true);
    expect((await s.expect('GOODBYE', { within: 3000, step: 'goodbye' })).ok).toBe(true);
    const notes = s.transcript.filter((e) => e.dir === 'note').map((e) => e.text);
    expect(notes).toContain('that line was not valid UTF-8');
    expect(notes.some((n) => /line of 5000 bytes/.test(n))).toBe(true);
    expect(notes.some((n) => /binary message of 7 bytes/.test(n))).toBe(true);
    expect(s.lines.map((l) => l.text)).toEqual(['REGISTER alice', 'STATUS \ufffd(', 'GOODBYE']);

    await s.sendRaw(Buffer.from('ONLINE_USERS alice bob\nSTATUS bob aw'), { chunks: [5] });
    await s.sendRaw(Buffer.from([...Buffer.from('ay\nX '), 0xff, 0x0a]));
    await c.until(() => c.received.length === 3, 'three messages');
    expect(c.received).toEqual(['ONLINE_USERS alice bob', 'STATUS bob away', 'X \ufffd']);
    s.drop();
    await c.until(() => c.isClosed(), 'the close');
    expect((await s.closed({ within: 1000, step: 'closed' })).ok).toBe(true);
  });

  it('listens on a Unix socket path and reports the address it was told to advertise', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'chatgrade-ws-')), 'fake.sock');
    const listener = await listenWs({ path, advertise: { host: '127.0.0.1', port: 40123 } });
    cleanup.push(() => listener.close());
    expect([listener.host, listener.port, listener.url]).toEqual(['127.0.0.1', 40123, 'ws://127.0.0.1:40123/']);
    const accepted = new Promise<string>((resolve) => listener.onConnection((conn) => conn.onLine((e) => e.kind === 'line' && resolve(e.text))));
    const ws = new WebSocket(`ws+unix://${path}`);
    cleanup.push(() => ws.terminate());
    ws.on('open', () => ws.send('REGISTER bob'));
    await expect(accepted).resolves.toBe('REGISTER bob');
  });

  it('reports a port in use as a harness error with a code', async () => {
    const first = await listenWs({ host: '127.0.0.1', port: 0 });
    cleanup.push(() => first.close());
    await expect(listenWs({ host: '127.0.0.1', port: first.port })).rejects.toMatchObject({ code: 'server.portInUse' });
  });
});

describe('listenMock (mock-socket, same realm)', () => {
  it('carries lines both ways without a port, and notes a binary message', async () => {
    const server = await FakeServer.listen({ host: '127.0.0.1', port: 41999, transport: async (h, p) => listenMock(h, p) });
    cleanup.push(() => server.close());
    const ws = new MockWebSocket('ws://127.0.0.1:41999/');
    const got: string[] = [];
    ws.onmessage = (e: { data: string }) => got.push(e.data);
    await new Promise<void>((r) => (ws.onopen = () => r()));
    // Sent first, so its note is in the transcript by the time REGISTER arrives.
    ws.send(new Uint8Array([1, 2, 3]).buffer);
    ws.send('REGISTER carol');
    const s = await session(server);
    expect((await s.expect('REGISTER', { within: 2000, step: 'register' })).ok).toBe(true);
    await s.send({ type: 'ONLINE_USERS', users: ['carol'] });
    expect(got).toEqual(['ONLINE_USERS carol']);
    expect(s.transcript.some((e) => /binary message of 3 bytes/.test(e.text))).toBe(true);
    ws.close();
    expect((await s.closed({ within: 2000, step: 'closed' })).ok).toBe(true);
  });
});
