// The datagram channel and its bridge: two channels on one group hear each
// other (not themselves), with the TTL and kernel time of each datagram; the
// bridge answers TCP probes; every wait is bounded and a dead bridge ends
// waits as 'closed'; a bridge told to stop relays what it holds first.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPython } from '../src/env/index.js';
import { DatagramChannel, bridgeCommand } from '../src/fake-server/udp.js';
import { spawnTracked } from '../src/proc/index.js';
import { randomGroup } from '../src/packs/discovery/names.js';

let python: string;
const open: DatagramChannel[] = [];

beforeAll(async () => {
  python = (await findPython()).executable;
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
});

async function pair(): Promise<[DatagramChannel, DatagramChannel]> {
  const { group, port } = randomGroup();
  const a = await DatagramChannel.open({ group, port, python, within: 10_000 });
  const b = await DatagramChannel.open({ group, port, python, within: 10_000 });
  open.push(a, b);
  return [a, b];
}

describe('DatagramChannel', () => {
  it('carries datagrams between two bridges on a group, with TTL 1 and the kernel receive time', async () => {
    const [a, b] = await pair();
    const { t: sentAt } = await a.send(Buffer.from('HELLO there\n'), { peer: 'alice' });
    const got = await b.waitFor((ds) => ds.find((d) => d.entry.text === 'HELLO there'), { within: 3000, step: 'the datagram' });
    expect(got.ok).toBe(true);
    if (!got.ok) return;
    expect(got.value.ttl).toBe(1);
    expect(got.value.size).toBe(12);
    expect(got.value.src).toMatch(/^127\.0\.0\.1:\d+$/);
    // Both clocks are wall time underneath: the receive time is within a few ms of the send.
    expect(Math.abs(b.toClock(a.toClock(0) * -1 + sentAt) - got.value.at)).toBeLessThan(50);
    // A channel does not hear itself.
    expect(a.datagrams).toEqual([]);
    expect(a.transcript.some((e) => e.dir === 's>c' && e.peer === 'alice' && e.text === 'HELLO there')).toBe(true);
  });

  it('records invalid UTF-8 with a note and keeps the bytes', async () => {
    const [a, b] = await pair();
    await a.send(Buffer.from([0x41, 0xff, 0xfe, 0x42]));
    const got = await b.waitFor((ds) => ds[0], { within: 3000, step: 'the datagram' });
    expect(got.ok && [...got.value.entry.raw!]).toEqual([0x41, 0xff, 0xfe, 0x42]);
    expect(b.transcript.some((e) => e.dir === 'note' && /not valid UTF-8/.test(e.text))).toBe(true);
  });

  it('answers whether a TCP port is listening', async () => {
    const [a] = await pair();
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
    const port = (server.address() as net.AddressInfo).port;
    expect(await a.canConnect('127.0.0.1', port, 1000)).toEqual({ connected: true });
    await new Promise<void>((ok) => server.close(() => ok()));
    expect((await a.canConnect('127.0.0.1', port, 1000))?.connected).toBe(false);
  });

  it('bounds every wait: a timeout names its step, a closed channel ends waits at once', async () => {
    const [a] = await pair();
    const t = await a.waitFor(() => undefined, { within: 100, step: 'nothing at all' });
    expect(t.ok || t.failure).toMatchObject({ reason: 'timeout', step: 'nothing at all' });
    const pending = a.waitFor(() => undefined, { within: 30_000, step: 'forever' });
    await a.close();
    const c = await pending;
    expect(c.ok || c.failure.reason).toBe('closed');
  });

  it('relays, on SIGTERM, the datagrams it holds before it exits (a peer\'s BYE just before the sandbox ends)', async () => {
    const [a] = await pair();
    const dir = mkdtempSync(join(tmpdir(), 'chatgrade-drain-'));
    const server = net.createServer();
    await new Promise<void>((ok) => server.listen(join(dir, 'b.sock'), () => ok()));
    const b = DatagramChannel.attach(server, { group: a.group, port: a.port });
    const agentDir = resolve(fileURLToPath(new URL('../agent', import.meta.url)));
    const [cmd, ...args] = bridgeCommand(python, agentDir, join(dir, 'b.sock'), a.group, a.port);
    const bridge = await spawnTracked(cmd!, args);
    try {
      await b.ready(10_000);
      // Held still, it cannot relay: the datagram waits in its socket.
      process.kill(bridge.pid, 'SIGSTOP');
      await a.send(Buffer.from('BYE ada\n'));
      process.kill(bridge.pid, 'SIGTERM');
      process.kill(bridge.pid, 'SIGCONT');
      expect(await bridge.exited).toEqual({ code: 0, signal: null });
      const got = await b.waitFor((ds) => ds.find((d) => d.entry.text === 'BYE ada'), { within: 3000, step: 'the BYE' });
      expect(got.ok || got.failure).toBe(true);
    } finally {
      await bridge.kill(200);
      await b.close();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
