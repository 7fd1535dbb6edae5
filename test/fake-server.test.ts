import { afterEach, describe, expect, it } from 'vitest';
import { FakeServer } from '../src/fake-server/server.js';
import { RawClient } from './helpers/raw-client.js';

let server: FakeServer | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await server?.close();
  server = undefined;
});

async function connected(): Promise<{ client: RawClient; session: import('../src/fake-server/session.js').Session }> {
  server ??= await FakeServer.listen();
  const client = await RawClient.connect(server.port);
  clients.push(client);
  const next = await server.nextConnection({ within: 2000, step: 'connect' });
  if (!next.ok) throw new Error(next.failure.actual);
  return { client, session: next.value };
}

describe('FakeServer', () => {
  it('listens on the host the caller picks, with an ephemeral port', async () => {
    server = await FakeServer.listen({ host: '127.0.0.2' });
    expect(server.host).toBe('127.0.0.2');
    expect(server.port).toBeGreaterThan(0);
    const c = await RawClient.connect(server.port, '127.0.0.2');
    clients.push(c);
    const next = await server.nextConnection({ within: 2000, step: 'connect' });
    expect(next.ok && next.value.conn.local).toBe(`127.0.0.2:${server.port}`);
  });

  it('reports a port in use as a harness error with a code', async () => {
    server = await FakeServer.listen();
    await expect(FakeServer.listen({ port: server.port })).rejects.toMatchObject({ code: 'server.portInUse' });
  });

  it('times out waiting for a connection, naming the step', async () => {
    server = await FakeServer.listen();
    const r = await server.nextConnection({ within: 50, step: 'client start-up' });
    expect(r).toEqual({ ok: false, failure: { step: 'client start-up', expected: `a connection to 127.0.0.1:${server.port}`, actual: 'no connection in 50 ms', reason: 'timeout' } });
  });
});

describe('Session.expect', () => {
  it('resolves with the matched message, including lines sent before the wait', async () => {
    const { client, session } = await connected();
    client.send('REGISTER alice\n');
    const r = await session.expect('REGISTER', { within: 2000, step: 'register' });
    expect(r.ok && r.value.message).toEqual({ type: 'REGISTER', user: 'alice' });
  });

  it('skips lines that do not match, and says so on timeout', async () => {
    const { client, session } = await connected();
    client.send('STATUS away\nHELLO\n');
    const r = await session.expect('GOODBYE', { within: 100, step: 'step 2 of 3: quit' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure).toEqual({ step: 'step 2 of 3: quit', expected: 'GOODBYE', actual: 'got "STATUS away", "HELLO" in 100 ms', reason: 'timeout' });
  });

  it('with next, fails on the first line that does not match', async () => {
    const { client, session } = await connected();
    client.send('STATUS away\nREGISTER alice\n');
    const r = await session.expect('REGISTER', { within: 2000, step: 'first line', next: true, expected: 'REGISTER alice' });
    expect(r).toEqual({ ok: false, failure: { step: 'first line', expected: 'REGISTER alice', actual: 'got "STATUS away" instead', reason: 'mismatch' } });
  });

  it('reports tolerances of a non-strict line', async () => {
    const { client, session } = await connected();
    client.send('register alice\r\n');
    const r = await session.expect('REGISTER', { within: 2000, step: 'x' });
    expect(r.ok && r.value.tolerances).toEqual(['crlf', 'lowerCaseCommand']);
  });

  it('fails when the client closes first', async () => {
    const { client, session } = await connected();
    client.send('REGISTER alice\n');
    client.end();
    const r = await session.expect('GOODBYE', { within: 2000, step: 'quit' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.failure.reason).toBe('closed');
      expect(r.failure.actual).toBe('got "REGISTER alice", then the client closed the connection');
    }
  });

  it('matches with a predicate', async () => {
    const { client, session } = await connected();
    client.send('INVITE bob\nINVITE bob carol\n');
    const r = await session.expect((l) => l.message?.type === 'INVITE' && l.message.users.length === 2, { within: 2000, step: 'x' });
    expect(r.ok && r.value.text).toBe('INVITE bob carol');
  });
});

describe('Session sending and closing', () => {
  it('send formats a message; sendRaw splits writes', async () => {
    const { client, session } = await connected();
    await session.send({ type: 'ONLINE_USERS', users: ['alice', 'bob'] });
    await session.sendRaw(Buffer.from('ONLINE_USERS alice\n'), { chunks: [3, 5], gapMs: 5 });
    expect(await client.waitLines(2)).toEqual(['ONLINE_USERS alice bob', 'ONLINE_USERS alice']);
  });

  it('closed() sees the client close; drop() resets the connection', async () => {
    const a = await connected();
    a.client.end();
    const r = await a.session.closed({ within: 2000, step: 'close' });
    expect(r.ok && r.value.by).toBe('peer');
    const b = await connected();
    b.session.drop();
    await b.client.waitClosed();
    const r2 = await b.session.closed({ within: 2000, step: 'close' });
    expect(r2.ok && r2.value.by).toBe('local');
    const open = await connected();
    const r3 = await open.session.closed({ within: 30, step: 'still open?' });
    expect(r3.ok).toBe(false);
  });

  it('keeps a transcript of both directions with raw bytes and parses', async () => {
    const { client, session } = await connected();
    client.send('REGISTER alice\n');
    await session.expect('REGISTER', { within: 2000, step: 'x' });
    await session.send({ type: 'ONLINE_USERS', users: ['alice'] });
    client.send(Buffer.from([0x42, 0xff, 0x0a]) as unknown as string);
    await session.expect(() => true, { within: 2000, step: 'y' });
    const t = session.transcript;
    expect(t.map((e) => [e.dir, e.text])).toEqual([
      ['note', expect.stringMatching(/^connected from 127\.0\.0\.1:\d+ to 127\.0\.0\.1:\d+$/)],
      ['c>s', 'REGISTER alice'],
      ['s>c', 'ONLINE_USERS alice'],
      ['c>s', 'B\uFFFD'],
      ['note', 'that line was not valid UTF-8'],
    ]);
    expect(t[1]!.raw).toEqual(Buffer.from('REGISTER alice'));
    expect(t[1]!.parsed).toMatchObject({ ok: true });
    expect(t[3]!.parsed).toMatchObject({ ok: false, error: { code: 'unknownCommand' } });
    const times = t.map((e) => e.t);
    expect([...times].sort((x, y) => x - y)).toEqual(times);
  });
});
