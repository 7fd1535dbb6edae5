import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ProbeTimeout } from '../src/probe/driver.js';
import { ExplicitDriver, socketLineConnection, type LineConnection } from '../src/probe/explicit.js';
import { ActionError } from '../src/probe/ui.js';

const CLIENT = fileURLToPath(new URL('./fixtures/explicit-client.mjs', import.meta.url));

interface Session {
  driver: ExplicitDriver;
  child: ChildProcess;
  exited: Promise<number | null>;
}

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** Listen on loopback, start the fixture client with CHAT_PROBE, wrap its connection. */
async function start(token = 'tok-123'): Promise<Session> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => server.close());
  const { port } = server.address() as { port: number };
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const child = spawn(process.execPath, [CLIENT, '--user', 'alice'], {
    env: { ...process.env, CHAT_PROBE: `127.0.0.1:${port}`, CHAT_PROBE_TOKEN: token },
    stdio: 'ignore',
  });
  cleanup.push(() => child.kill());
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const socket = await accepted;
  cleanup.push(() => socket.destroy());
  const driver = new ExplicitDriver(socketLineConnection(socket), { token: 'tok-123', commandTimeoutMs: 5000 });
  return { driver, child, exited };
}

describe('explicit probe over a loopback socket', () => {
  it('folds the client events into the ChatUi', async () => {
    const { driver } = await start();
    const ui = await driver.waitFor((u) => (u.invitations.length ? u : undefined), { within: 5000, step: 'the first invitation' });
    expect(driver.hello).toEqual({ token: 'tok-123', client: 'explicit-client.mjs' });
    expect(ui.main).toBe('main');
    expect(ui.users).toEqual(['bob', 'carol']);
    expect(ui.statuses).toEqual({ bob: 'away' });
    expect(ui.mainImages).toEqual([createHash('sha256').update('bob.gif').digest('hex')]);
    expect(ui.invitations).toEqual([{ window: 'inv-1', title: 'Invitation', text: 'bob invites you' }]);
    expect(ui.windows.map((w) => [w.id, w.kind])).toEqual([
      ['main', 'main'],
      ['inv-1', 'invitation'],
    ]);
    expect(driver.problems()).toHaveLength(1);
    expect(driver.problems()[0]).toMatch(/"type":"members","window":7/);
  });

  it('performs every action as a command and sees its effect', async () => {
    const { driver, exited } = await start();
    await driver.waitFor((u) => u.invitations[0], { within: 5000, step: 'the invitation' });

    await driver.accept('inv-1');
    const conv = await driver.waitFor((u) => u.conversations.find((c) => c.members?.includes('bob')), { within: 5000, step: 'the accepted conversation' });
    expect(conv).toEqual({ window: 'conv-1', title: 'Conversation 1', members: ['alice', 'bob'], transcript: [] });
    expect(driver.ui().invitations).toEqual([]);

    await driver.say('conv-1', 'hello  there');
    await driver.say('conv-1', 'again');
    await expect(driver.waitFor((u) => (u.conversations[0]?.transcript.length === 2 ? u.conversations[0].transcript : undefined), { within: 5000, step: 'two lines' }))
      .resolves.toEqual(['alice: hello  there', 'alice: again']);

    await driver.startChat(['carol', 'bob']);
    await driver.waitFor((u) => u.conversations.find((c) => c.window === 'conv-2'), { within: 5000, step: 'conv-2' });
    expect(driver.ui().conversations.map((c) => c.members)).toEqual([['alice', 'bob'], ['alice', 'carol', 'bob']]);

    await driver.closeConversation('conv-1');
    await driver.setStatus('busy');
    await driver.sync(5000);
    expect(driver.ui().conversations.map((c) => c.window)).toEqual(['conv-2']);
    expect(driver.ui().statuses).toEqual({ bob: 'away', alice: 'busy' });

    await driver.quit();
    expect(await exited).toBe(0);
    expect(driver.ui().main).toBeUndefined();
  });

  it('turns a refusal into an ActionError carrying the client text', async () => {
    const { driver } = await start();
    await driver.waitFor((u) => u.main, { within: 5000, step: 'main' });
    const err = await driver.say('conv-9', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect((err as ActionError).tried).toEqual(['sent say: the client answered: no conversation conv-9']);
  });

  it('records a wrong token', async () => {
    const { driver } = await start('other');
    await driver.waitFor((u) => u.main, { within: 5000, step: 'main' });
    expect(driver.problems()).toContain('hello: wrong token');
  });
});

/** An in-process connection whose peer never answers unless told to. */
function silentPeer(): { conn: LineConnection; sent: unknown[]; emit(obj: unknown): void; close(): void } {
  const sent: unknown[] = [];
  const listeners = new Set<(o: unknown) => void>();
  const closers = new Set<() => void>();
  return {
    sent,
    conn: {
      send: (o) => void sent.push(o),
      onMessage: (cb) => (listeners.add(cb), () => listeners.delete(cb)),
      onClose: (cb) => (closers.add(cb), () => closers.delete(cb)),
    },
    emit: (o) => listeners.forEach((l) => l(o)),
    close: () => closers.forEach((c) => c()),
  };
}

describe('explicit driver limits', () => {
  it('a command without reply is an ActionError naming it; a silent sync is a probe.timeout', async () => {
    const peer = silentPeer();
    const driver = new ExplicitDriver(peer.conn, { commandTimeoutMs: 20 });
    const err = (await driver.startChat(['bob']).catch((e: unknown) => e)) as ActionError;
    expect(err).toBeInstanceOf(ActionError);
    expect(err.message).toBe('the client did not invite bob: sent invite: no reply within 20 ms');
    expect(peer.sent).toEqual([{ id: 1, cmd: 'invite', users: ['bob'] }]);
    await expect(driver.sync(20)).rejects.toBeInstanceOf(ProbeTimeout);
  });

  it('a closed connection fails pending commands, except quit', async () => {
    const peer = silentPeer();
    const driver = new ExplicitDriver(peer.conn, { commandTimeoutMs: 5000 });
    const say = driver.say('c', 'x');
    const quit = driver.quit();
    peer.close();
    await expect(say).rejects.toThrow('closed before the reply');
    await expect(quit).resolves.toBeUndefined();
    await expect(driver.accept('x')).rejects.toThrow('the probe connection is closed');
  });

  it('replaces or appends transcripts, and a closed window forgets its members', () => {
    const peer = silentPeer();
    const driver = new ExplicitDriver(peer.conn);
    peer.emit({ type: 'window', id: 'w', kind: 'conversation', open: true });
    peer.emit({ type: 'transcript', window: 'w', lines: ['a: 1'] });
    peer.emit({ type: 'transcript', window: 'w', lines: ['b: 2'], append: true });
    expect(driver.ui().conversations).toEqual([{ window: 'w', title: '', members: undefined, transcript: ['a: 1', 'b: 2'] }]);
    peer.emit({ type: 'members', window: 'w', members: ['a', 'b'] });
    peer.emit({ type: 'window', id: 'w', kind: 'conversation', open: false });
    peer.emit({ type: 'window', id: 'w', kind: 'conversation', open: true });
    expect(driver.ui().conversations[0]).toMatchObject({ members: undefined, transcript: [] });
    peer.emit({ type: 'reply', id: 99, ok: true });
    expect(driver.problems()).toEqual(['reply to unknown command id 99']);
  });
});

describe('explicit driver, malformed replies', () => {
  it('fails the command at once', async () => {
    const peer = silentPeer();
    const driver = new ExplicitDriver(peer.conn, { commandTimeoutMs: 5000 });
    const p = driver.setStatus('away');
    peer.emit({ type: 'reply', id: 1, ok: false, error: true });
    const err = (await p.catch((e: unknown) => e)) as ActionError;
    expect(err.tried[0]).toMatch(/^sent set_status: malformed reply \(.* at error\)$/);
    expect(driver.problems()).toHaveLength(1);
  });
});
