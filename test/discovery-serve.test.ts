// `grade serve --pack discovery`: simulated peers join, announce, answer a
// REQUEST, log every datagram (and why a bad one was ignored), and say BYE
// when stopped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPython } from '../src/env/index.js';
import { DatagramChannel } from '../src/fake-server/udp.js';
import { randomGroup } from '../src/packs/discovery/names.js';
import { serveDiscovery, type ServingDiscovery } from '../src/packs/discovery/serve.js';

let python: string;
let serving: ServingDiscovery | undefined;
let student: DatagramChannel | undefined;

beforeAll(async () => {
  python = (await findPython()).executable;
});
afterAll(async () => {
  await serving?.stop();
  await student?.close();
});

describe('serveDiscovery', () => {
  it('plays peers on the group with a live log, answers REQUEST, and says BYE on stop', async () => {
    const { group, port } = randomGroup();
    let log = '';
    student = await DatagramChannel.open({ group, port, python, within: 10_000 });
    serving = await serveDiscovery({ group, mport: port, peers: 2, interval: 0.5, python, write: (t) => (log += t), seed: 'serve' });
    const texts = () => student!.datagrams.map((d) => d.entry.text);
    const [a, b] = serving.peers as [string, string];
    const joined = await student.waitFor(() => (serving!.peers.every((p) => texts().includes(`REQUEST ${p}`) && texts().some((t) => t.startsWith(`ANNOUNCE ${p} tcp://`))) ? true : undefined), { within: 5000, step: 'both peers joining' });
    expect(joined.ok).toBe(true);

    const before = texts().length;
    await student.send(Buffer.from('REQUEST student'));
    await student.send(Buffer.from('NONSENSE'));
    const answered = await student.waitFor(() => {
      const fresh = texts().slice(before);
      return [a, b].every((p) => fresh.some((t) => t.startsWith(`ANNOUNCE ${p} `))) ? true : undefined;
    }, { within: 1500, step: 'answers to REQUEST' });
    expect(answered.ok).toBe(true);

    await serving.stop();
    const byes = await student.waitFor(() => ([a, b].every((p) => texts().includes(`BYE ${p}`)) ? true : undefined), { within: 3000, step: 'BYE' });
    expect(byes.ok).toBe(true);
    expect(log).toContain(`on ${group}:${port}`);
    expect(log).toMatch(new RegExp(`${a}\\s+< REQUEST ${a}`));
    expect(log).toMatch(/> REQUEST student/);
    expect(log).toContain('ignored: unknown message "NONSENSE"');
  });
});
