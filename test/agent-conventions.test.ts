// The conventions of a student GUI, handled as a person would, end to end:
// real Tk apps (test/fixtures/tkapps) under the real agent, driven by the
// TkDriver. Each app is one style the interpreter and driver must read.

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acquireDisplay, findPython, type DisplayLease, type PythonInfo } from '../src/env/index.js';
import { TkDriver } from '../src/probe/driver.js';
import type { UiOverrides } from '../src/probe/interpret.js';
import { launchClient, type LaunchedClient } from '../src/probe/launch.js';
import type { AgentLink } from '../src/probe/link.js';

const APPS = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'tkapps');
const WITHIN = 5000;

let python: PythonInfo;
let display: DisplayLease;
const clients: LaunchedClient[] = [];

beforeAll(async () => {
  python = await findPython();
  display = await acquireDisplay();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.kill(200)));
});
afterAll(async () => {
  await display?.release();
});

async function start(entry: string, opts: { args?: string[]; known?: string[]; ui?: UiOverrides } = {}): Promise<{ client: LaunchedClient; link: AgentLink; driver: TkDriver }> {
  const client = await launchClient({ dir: APPS, entry, args: opts.args ?? [], python: python.executable, display: display.display });
  clients.push(client);
  expect(client.linkError).toBeUndefined();
  const link = client.link!;
  const driver = new TkDriver(link, { self: 'alice', knownUsers: ['alice', ...(opts.known ?? [])], ...(opts.ui ? { ui: opts.ui } : {}) });
  await driver.waitFor((ui) => ui.main, { within: WITHIN, step: 'the main window' });
  return { client, link, driver };
}

/** The app's .status label reads `want`; a failure says what it read instead. */
const statusIs = (link: AgentLink, want: string): Promise<true> =>
  link.waitForTree((t) => (t.get('.status')?.text === want ? true : undefined), { within: WITHIN, step: `.status to read "${want}"` }).catch((e: Error) => {
    throw new Error(`${e.message}; it reads ${JSON.stringify(link.tree().get('.status')?.text)}`);
  });

describe('quitting', () => {
  it('answers "Really log out?" with Yes and the program ends', async () => {
    const { client, driver } = await start('quit_dialog.py');
    await driver.quit();
    expect(driver.lastTried.join('; ')).toMatch(/a question appeared \("Really log out\?"\).*pressed 'Yes'/);
    expect(await client.exited).toMatchObject({ code: 0 });
    expect(client.proc.stdout().text).toBe('bye\n');
  });

  it('ends even with a dialog left open by another thread', async () => {
    const { client, driver, link } = await start('quit_dialog.py', { args: ['thread'] });
    await link.waitForTree((t) => [...t.values()].find((w) => w.text === 'Slow server'), { within: WITHIN, step: 'the warning' });
    await driver.quit();
    expect(await client.exited).toMatchObject({ code: 0 });
  });

  it('a dialog open when the program destroys its main window goes with it', async () => {
    const { client, link } = await start('dialog_left_open.py');
    expect(await link.command({ cmd: 'invoke', path: '.warn' })).toMatchObject({ blocked: true });
    expect(await client.exited).toMatchObject({ code: 0 });
    expect(client.proc.stdout().text).toBe('warning closed\nmain loop over\n');
  });
});

describe('choosing users as a person does', () => {
  it('drags over lines of a read-only Text, then presses Chat', async () => {
    const { link, driver } = await start('people_app.py', { known: ['bob', 'carol', 'dave'] });
    expect(driver.ui().users).toEqual(['bob', 'carol', 'dave']);
    await driver.startChat(['carol', 'dave']);
    await statusIs(link, 'chat carol,dave');
    expect(driver.lastTried).not.toContain('(clicking did not select that, so the selection was set directly)');
  });

  it('double-clicks a line of a disabled Text and its binding fires', async () => {
    const { link } = await start('people_app.py');
    await link.command({ cmd: 'double_click', path: '.people', index: 2 });
    await statusIs(link, 'double carol');
  });

  it('clicks a Listbox item so <ButtonRelease-1> handlers fire, and refuses two in a single-select list', async () => {
    const { link } = await start('people_app.py');
    expect(await link.command({ cmd: 'select', path: '.single', indices: [1] })).toEqual({ clicked: 1 });
    await link.command({ cmd: 'invoke', path: '.talk' });
    await statusIs(link, 'talk finn');
    await expect(link.command({ cmd: 'select', path: '.single', indices: [0, 2] })).rejects.toThrow(/one item be selected at a time/);
  });

  it('Control-clicks a second Treeview row', async () => {
    const { link } = await start('people_app.py');
    expect(await link.command({ cmd: 'select', path: '.tree', indices: [0, 2] })).toEqual({ clicked: 2 });
    await link.command({ cmd: 'invoke', path: '.invite' });
    await statusIs(link, 'invite hana,jo');
  });
});

describe('a live screen, used as a person uses it', () => {
  it('chooses "Chat with <user>" in the menu a right-click on the user opens, and says which item it chose', async () => {
    const { link, driver } = await start('live_app.py', { args: ['menu'], known: ['bob', 'carol', 'dave'] });
    expect(link.tree().get('.people')?.binds).toEqual(['<Button-3>']);
    await driver.startChat(['carol']);
    await statusIs(link, 'chat carol');
    expect(driver.lastTried.join('; ')).toMatch(/right-clicked 'carol' in \.people; chose 'Chat with carol' in the menu/);
    // The menu is down again and holds no grab: the next click still reaches the list.
    expect(link.tree().get('.menu')?.mapped).toBe(false);
    await driver.startChat(['bob', 'dave']);
    await statusIs(link, 'invite bob,dave');
  });

  it('finds each user anew in a list rebuilt after every click', async () => {
    const { link, driver } = await start('live_app.py', { args: ['boxes'], known: ['erin', 'finn', 'gus'] });
    await driver.waitFor((ui) => (ui.users?.length === 3 ? true : undefined), { within: WITHIN, step: 'the three users' });
    await driver.startChat(['erin', 'gus']);
    await statusIs(link, 'new erin,gus');
    expect(driver.lastTried.filter((s) => s.startsWith('ticked')).map((s) => s.replace(/ \(.*/, ''))).toEqual(["ticked 'erin'", "ticked 'gus'"]);
  });

  it('answers a sync only once the GUI has drawn what a click left for idle time (the list rebuilt)', async () => {
    const { link } = await start('live_app.py', { args: ['boxes'], known: ['erin', 'finn', 'gus'] });
    // Sent together, so the agent reads both at once and answers the sync before Tk next idles, unless it lets it.
    await Promise.all([link.command({ cmd: 'invoke', path: '.boxes.u1_erin' }), link.command({ cmd: 'sync' })]);
    // The reply came after the tree that shows the rebuild: no wait for it.
    expect([...link.tree().keys()].filter((p) => p.startsWith('.boxes.'))).toEqual(['.boxes.u2_erin', '.boxes.u2_finn', '.boxes.u2_gus']);
  });

  it('reads a Treeview row image as an icon in the main window', async () => {
    const { link, driver } = await start('live_app.py', { args: ['tree'], known: ['hal'] });
    expect(link.tree().get('.tree')?.images?.[0]).toMatchObject({ width: 1, height: 1 });
    expect(driver.ui().mainImages).toEqual([link.tree().get('.tree')!.images![0]!.sha256]);
  });

  it('types into the box that takes text, not the read-only transcript, and presses the key the input binds', async () => {
    const { link, driver } = await start('live_app.py', { args: ['chat'], known: ['bob'] });
    driver.freezeLobby();
    driver.setTokens(['hello']);
    const chat = await driver.waitFor((ui) => ui.conversations.find((c) => c.window === '.chat'), { within: WITHIN, step: 'the chat window' });
    expect(chat.transcript).toEqual(['bob: hello']);
    expect(driver.analysis().conversations.get('.chat')).toMatchObject({ inputPath: '.chat.bar.input', transcriptPath: '.chat.log' });
    await expect(link.command({ cmd: 'set_text', path: '.chat.log', text: 'x' })).rejects.toThrow(/did not take the typed text/);
    await driver.say('.chat', 'hi there');
    await statusIs(link, 'sent hi there');
    expect(driver.lastTried.join('; ')).toMatch(/no Send button in '\.chat'; pressed Control-Return in \.chat\.bar\.input/);
  });

  it('without a token yet, a transcript that claims to be editable is found by typing: the box that does not take the text is tried no more', async () => {
    const { link, driver } = await start('live_app.py', { args: ['chat'], known: ['bob'] });
    await driver.waitFor((ui) => ui.conversations.find((c) => c.window === '.chat'), { within: WITHIN, step: 'the chat window' });
    await driver.say('.chat', 'second try');
    await statusIs(link, 'sent second try');
    expect(driver.analysis().conversations.get('.chat')).toMatchObject({ inputPath: '.chat.bar.input', transcriptPath: '.chat.log' });
  });
});

describe('conversations in notebook tabs', () => {
  it('opens tabs, reads members and the author on the line above, types in a hidden tab and closes it', async () => {
    const { link, driver } = await start('notebook_app.py', { known: ['bob', 'carol'] });
    expect(driver.ui().users).toEqual(['bob', 'carol']);
    await driver.startChat(['bob']);
    await driver.startChat(['carol']);
    const both = await driver.waitFor((ui) => (ui.conversations.length === 2 ? ui.conversations : undefined), { within: WITHIN, step: 'two tabs' });
    expect(both.map((c) => [c.title, c.members])).toEqual([
      ['bob', ['alice', 'bob']],
      ['carol', ['alice', 'carol']],
    ]);
    const first = both[0]!.window;
    await driver.say(first, ' héllo  wörld 🎉');
    const transcript = await driver.waitFor((ui) => ui.conversations.find((c) => c.window === first && c.transcript.length)?.transcript, { within: WITHIN, step: 'the text' });
    expect(transcript).toEqual(['alice', ' héllo  wörld 🎉']);
    expect(driver.lastTried[0]).toMatch(/^brought the tab 'bob' to the front$/);
    await driver.closeConversation(first);
    await driver.waitFor((ui) => (ui.conversations.length === 1 ? true : undefined), { within: WITHIN, step: 'one tab left' });
    await statusIs(link, `closed ${first}`);
    expect(link.crashes()).toEqual([]);
  });
});

describe('overrides in a second Tk() root', () => {
  it('finds ".people" and ".go" without root numbering', async () => {
    const { link, driver } = await start('second_root.py', { known: ['bob', 'carol'], ui: { users: '.people', invite: '.go' } });
    expect(driver.ui().main).toMatch(/^#\d+\.$/);
    await driver.startChat(['carol']);
    await link.waitForTree((t) => ([...t.values()].some((w) => w.path.endsWith('.status') && w.text === 'go carol') ? true : undefined), { within: WITHIN, step: 'go carol' });
  });
});

describe('what the program sees of the agent', () => {
  it('has no probe variables, and a Tk error ends at the program, not the agent', async () => {
    const { link, client } = await start('tk_error.py');
    await link.command({ cmd: 'invoke', path: '.bad' });
    await link.waitUntil(() => (link.crashes().length ? true : undefined), { within: WITHIN, step: 'the crash' });
    const text = link.crashes()[0]!.text;
    expect(text).toMatch(/tk_error\.py", line \d+, in bad_option/);
    expect(text).toMatch(/TclError: unknown option "-no_such_option"/);
    expect(text).not.toMatch(/chatgrade_agent/);
    expect(client.proc.stderr().text).not.toMatch(/chatgrade_agent/);
    expect(link.tree().get('.env')?.text).toBe('no token no probe');
  });
});
