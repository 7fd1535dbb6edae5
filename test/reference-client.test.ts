// Two reference clients chat with each other through the reference server,
// seen and driven only through the probe: no change to the client's code.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDisplay, findPython, type DisplayLease } from '../src/env/index.js';
import { FakeServer, ReferenceServer } from '../src/fake-server/index.js';
import { TkDriver } from '../src/probe/driver.js';
import { launchClient, type LaunchedClient } from '../src/probe/launch.js';

const dir = fileURLToPath(new URL('../examples/reference-client', import.meta.url));
let display: DisplayLease;
let python: string;
let server: FakeServer;
const clients: LaunchedClient[] = [];

beforeAll(async () => {
  python = (await findPython()).executable;
  display = await acquireDisplay();
  server = await FakeServer.listen();
  new ReferenceServer(server);
});

afterAll(async () => {
  for (const c of clients) await c.kill();
  await server?.close();
  await display?.release();
});

async function start(user: string, known: string[]): Promise<{ client: LaunchedClient; d: TkDriver }> {
  const client = await launchClient({ dir, python, display: display.display, args: ['--host', '127.0.0.1', '--port', String(server.port), '--user', user] });
  clients.push(client);
  expect(client.linkError).toBeUndefined();
  return { client, d: new TkDriver(client.link!, { self: user, knownUsers: known }) };
}

describe('the reference client, driven through the probe', () => {
  it('two clients: online list, invitation, messages, status, leave and quit', async () => {
    const known = ['alice', 'bob'];
    const a = await start('alice', known);
    const b = await start('bob', known);
    const wait = <T>(d: TkDriver, fn: (ui: ReturnType<TkDriver['ui']>) => T | undefined, step: string) => d.waitFor(fn, { within: 5000, step });

    // REGISTER went first, and each list shows the other user only.
    expect(await wait(a.d, (ui) => (ui.users?.includes('bob') ? ui.users : undefined), 'alice sees bob')).toEqual(['bob']);
    expect(await wait(b.d, (ui) => (ui.users?.includes('alice') ? ui.users : undefined), 'bob sees alice')).toEqual(['alice']);
    expect(server.sessions.map((s) => s.lines[0]?.text).sort()).toEqual(['REGISTER alice', 'REGISTER bob']);

    // alice starts a chat; bob gets an invitation window, alice does not.
    await a.d.startChat(['bob']);
    const inv = await wait(b.d, (ui) => ui.invitations[0], 'bob is invited');
    expect(inv.text).toContain('alice');
    await b.d.accept(inv.window);
    const members = (d: TkDriver) => wait(d, (ui) => (ui.conversations[0]?.members?.includes('bob') && ui.conversations[0].members.includes('alice') ? ui.conversations[0] : undefined), 'members');
    const convA = await members(a.d);
    const convB = await members(b.d);
    // Barrier: the members alice now shows were sent after her own INVITATION, and a sync
    // proves her GUI handled everything before it; only now can "no invitation" be seen.
    await a.d.sync(5000);
    expect(a.d.ui().invitations).toEqual([]);

    // A message appears once on both sides, tagged by its sender.
    await a.d.say(convA.window, 'hi  there bob');
    for (const d of [a.d, b.d]) {
      const lines = await wait(d, (ui) => {
        const t = ui.conversations[0]?.transcript.filter((l) => l.includes('hi  there bob'));
        return t?.length ? t : undefined;
      }, 'the message shows');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('alice');
    }

    // Status travels to the other side.
    await b.d.setStatus('away');
    await wait(a.d, (ui) => (ui.statuses.bob?.includes('away') ? true : undefined), "bob's status at alice");

    // bob leaves: alice's member display updates; then both quit cleanly.
    await b.d.closeConversation(convB.window);
    await wait(a.d, (ui) => (ui.conversations[0]?.members && !ui.conversations[0].members.includes('bob') ? true : undefined), 'bob left');
    await b.d.quit();
    await wait(a.d, (ui) => (ui.users && !ui.users.includes('bob') ? true : undefined), 'bob went offline');
    await a.d.quit();
    const exits = await Promise.all(clients.map((c) => Promise.race([c.exited, new Promise((r) => setTimeout(() => r('still running'), 5000))])));
    expect(exits).toEqual([{ code: 0, signal: null }, { code: 0, signal: null }]);
    expect(clients.map((c) => c.proc.stderr().text)).toEqual(['', '']);
    const goodbyes = server.sessions.map((s) => s.lines.at(-1)?.text);
    expect(goodbyes).toEqual(['GOODBYE', 'GOODBYE']);
  }, 60_000);
});
