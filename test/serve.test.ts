import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { serve, type Serving } from '../src/packs/chat/serve.js';
import { RawClient } from './helpers/raw-client.js';

let serving: Serving | undefined;
let log: string[] = [];
const clients: RawClient[] = [];

async function start(): Promise<Serving> {
  const own: string[] = [];
  log = own;
  serving = await serve({ host: '127.0.0.1', port: 0, color: false, write: (t) => own.push(t) });
  return serving;
}

async function client(name?: string): Promise<RawClient> {
  const c = await RawClient.connect(serving!.port);
  clients.push(c);
  if (name) c.send(`REGISTER ${name}\n`);
  return c;
}

/** Wait for the next `n` lines of a client, and take them. */
async function next(c: RawClient, n: number): Promise<string[]> {
  await c.waitLines(n);
  return c.lines.splice(0, n);
}

/** Register users one after another; every client online gets the new full list each time. */
async function online(...names: string[]): Promise<RawClient[]> {
  const cs: RawClient[] = [];
  for (const [i, name] of names.entries()) {
    cs.push(await client(name));
    for (const c of cs) expect(await next(c, 1)).toEqual([`ONLINE_USERS ${names.slice(0, i + 1).join(' ')}`]);
  }
  return cs;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await serving?.stop();
  serving = undefined;
});

describe('grade serve', () => {
  it("plays PROTOCOL.md's example exchange byte for byte", async () => {
    await start();
    const raw1: Buffer[] = [];
    const raw2: Buffer[] = [];
    const c1 = await client('alice');
    c1.socket.on('data', (d) => raw1.push(Buffer.from(d)));
    expect(await next(c1, 1)).toEqual(['ONLINE_USERS alice']);
    const c2 = await client('bob');
    c2.socket.on('data', (d) => raw2.push(Buffer.from(d)));
    expect(await next(c1, 1)).toEqual(['ONLINE_USERS alice bob']);
    expect(await next(c2, 1)).toEqual(['ONLINE_USERS alice bob']);
    c1.send('INVITE bob\n');
    expect(await next(c2, 1)).toEqual(['INVITATION c1 alice']);
    expect(await next(c1, 2)).toEqual(['INVITATION c1 alice', 'CONVERSATIONS c1:alice']);
    c2.send('JOIN c1\n');
    expect(await next(c1, 1)).toEqual(['CONVERSATIONS c1:alice,bob']);
    expect(await next(c2, 1)).toEqual(['CONVERSATIONS c1:alice,bob']);
    c2.send('SEND_MESSAGE c1 hi there\n');
    expect(await next(c1, 1)).toEqual(['SEND_MESSAGE c1 bob hi there']);
    expect(await next(c2, 1)).toEqual(['SEND_MESSAGE c1 bob hi there']);
    c1.send('LEAVE c1\n');
    expect(await next(c2, 1)).toEqual(['CONVERSATIONS c1:bob']);
    c1.send('GOODBYE\n');
    expect(await next(c2, 1)).toEqual(['ONLINE_USERS bob']);
    expect(c1.lines).toEqual([]);

    // Byte for byte, as each client received it.
    expect(Buffer.concat(raw1).toString('latin1')).toBe(
      'ONLINE_USERS alice\nONLINE_USERS alice bob\nINVITATION c1 alice\nCONVERSATIONS c1:alice\nCONVERSATIONS c1:alice,bob\nSEND_MESSAGE c1 bob hi there\n',
    );
    expect(Buffer.concat(raw2).toString('latin1')).toBe(
      'ONLINE_USERS alice bob\nINVITATION c1 alice\nCONVERSATIONS c1:alice,bob\nSEND_MESSAGE c1 bob hi there\nCONVERSATIONS c1:bob\nONLINE_USERS bob\n',
    );
    // The server's own order of sends is the example's order.
    const sent = log.join('').split('\n').filter((l) => / < /.test(l)).map((l) => l.replace(/^\s*[\d.]+\s+/, '').replace(/\s+<\s+/, ' < '));
    expect(sent).toEqual([
      'alice < ONLINE_USERS alice',
      'alice < ONLINE_USERS alice bob',
      'bob < ONLINE_USERS alice bob',
      'bob < INVITATION c1 alice',
      'alice < INVITATION c1 alice',
      'alice < CONVERSATIONS c1:alice',
      'alice < CONVERSATIONS c1:alice,bob',
      'bob < CONVERSATIONS c1:alice,bob',
      'alice < SEND_MESSAGE c1 bob hi there',
      'bob < SEND_MESSAGE c1 bob hi there',
      'bob < CONVERSATIONS c1:bob',
      'bob < ONLINE_USERS bob',
    ]);
  });

  it('refuses a duplicate name with ERROR and closes that connection only', async () => {
    await start();
    const a = await client('alice');
    await next(a, 1);
    const dup = await client('alice');
    const [line] = await next(dup, 1);
    expect(line).toMatch(/^ERROR \S.*alice/);
    await dup.waitClosed();
    expect(a.closed).toBe(false);
    const b = await client('bob');
    expect(await next(b, 1)).toEqual(['ONLINE_USERS alice bob']);
  });

  it('three clients: invitations to two, JOIN and LEAVE update members, GOODBYE updates the list', async () => {
    await start();
    const [a, b, c] = (await online('alice', 'bob', 'carol')) as [RawClient, RawClient, RawClient];
    a.send('INVITE bob carol\n');
    expect(await next(b, 1)).toEqual(['INVITATION c1 alice']);
    expect(await next(c, 1)).toEqual(['INVITATION c1 alice']);
    expect(await next(a, 2)).toEqual(['INVITATION c1 alice', 'CONVERSATIONS c1:alice']);
    b.send('JOIN c1\n');
    await next(a, 1);
    await next(b, 1);
    c.send('JOIN c1\n');
    expect(await next(a, 1)).toEqual(['CONVERSATIONS c1:alice,bob,carol']);
    expect(await next(b, 1)).toEqual(['CONVERSATIONS c1:alice,bob,carol']);
    expect(await next(c, 1)).toEqual(['CONVERSATIONS c1:alice,bob,carol']);
    b.send('LEAVE c1\n');
    expect(await next(a, 1)).toEqual(['CONVERSATIONS c1:alice,carol']);
    expect(await next(c, 1)).toEqual(['CONVERSATIONS c1:alice,carol']);
    c.send('STATUS away\n');
    expect(await next(a, 1)).toEqual(['STATUS carol away']);
    expect(await next(b, 1)).toEqual(['STATUS carol away']);
    expect(await next(c, 1)).toEqual(['STATUS carol away']);
    c.send('GOODBYE\n');
    expect(await next(a, 2)).toEqual(['CONVERSATIONS c1:alice', 'ONLINE_USERS alice bob']);
    expect(await next(b, 1)).toEqual(['ONLINE_USERS alice bob']);
  });

  it('a client that vanishes without GOODBYE leaves its conversations and the list', async () => {
    await start();
    const [a, b] = (await online('alice', 'bob')) as [RawClient, RawClient];
    a.send('INVITE bob\n');
    await next(b, 1);
    await next(a, 2);
    b.send('JOIN c1\n');
    await next(a, 1);
    await next(b, 1);
    b.destroy();
    expect(await next(a, 2)).toEqual(['CONVERSATIONS c1:alice', 'ONLINE_USERS alice']);
  });

  it('serves people all day: many connections one after another, not only a grading run\'s eight', async () => {
    await start();
    const watcher = await client('watcher');
    expect(await next(watcher, 1)).toEqual(['ONLINE_USERS watcher']);
    for (let i = 0; i < 12; i++) {
      const c = await client(`u${i}`);
      expect(await next(c, 1)).toEqual([`ONLINE_USERS watcher u${i}`]);
      c.send('GOODBYE\n');
      c.destroy();
      expect(await next(watcher, 2)).toEqual([`ONLINE_USERS watcher u${i}`, 'ONLINE_USERS watcher']);
    }
  });

  it('ignores unknown commands and malformed lines; refuses an unknown conversation id', async () => {
    await start();
    const a = await client('alice');
    await next(a, 1);
    a.send('HELLO world\nINVITE\nJOIN not-a-number\nSEND_MESSAGE abc hi\n');
    expect(await next(a, 2)).toEqual([expect.stringMatching(/^ERROR .*not-a-number/), expect.stringMatching(/^ERROR .*abc/)]);
    a.send('STATUS away\n');
    expect(await next(a, 1)).toEqual(['STATUS alice away']);
    expect(a.closed).toBe(false);
  });

  it('the wire log says who sent what', async () => {
    await start();
    const a = await client('alice');
    await next(a, 1);
    const text = log.join('');
    expect(text).toMatch(/alice\s+> REGISTER alice/);
    expect(text).toMatch(/alice\s+< ONLINE_USERS alice/);
    expect(text).toContain(`listening on 127.0.0.1:${serving!.port}`);
  });

  it('bin/grade serve stops cleanly on Ctrl-C (SIGINT)', async () => {
    const bin = fileURLToPath(new URL('../bin/grade', import.meta.url));
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 10_000);
        child.stdout.on('data', (d: string) => {
          out += d;
          const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
      });
      const c = await RawClient.connect(port);
      clients.push(c);
      c.send('REGISTER zed\n');
      await c.waitLines(1);
      child.kill('SIGINT');
      const [code] = (await Promise.race([once(child, 'exit'), new Promise((_, rej) => setTimeout(() => rej(new Error('no exit')), 5000))])) as [number];
      expect(code).toBe(0);
      expect(out).toContain('server stopped');
      await c.waitClosed();
    } finally {
      child.kill('SIGKILL');
    }
  });
});
