// The Tk agent end to end: real Python, real Tk on a (private) display, the
// fixture apps in test/fixtures/tkapps driven through launchClient's link.

import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acquireDisplay, findPython, type DisplayLease, type PythonInfo } from '../src/env/index.js';
import { spawnTracked, type TrackedProcess } from '../src/proc/index.js';
import { agentRunner, launchClient, type LaunchedClient } from '../src/probe/launch.js';
import type { AgentLink } from '../src/probe/link.js';
import type { WidgetRecord, WidgetTree } from '../src/probe/widgets.js';

const APPS = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'tkapps');
const GIF = 'R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==';
const GIF_SHA = createHash('sha256').update(Buffer.from(GIF, 'base64')).digest('hex');
const WITHIN = 5000;

let python: PythonInfo;
let display: DisplayLease;
const clients: LaunchedClient[] = [];
const procs: TrackedProcess[] = [];

beforeAll(async () => {
  python = await findPython();
  display = await acquireDisplay();
});
afterEach(async () => {
  await Promise.all([...clients.splice(0).map((c) => c.kill(200)), ...procs.splice(0).map((p) => p.kill(200))]);
});
afterAll(async () => {
  await display?.release();
});

async function launch(entry: string, args: string[] = []): Promise<{ client: LaunchedClient; link: AgentLink }> {
  const client = await launchClient({ dir: APPS, entry, args, python: python.executable, display: display.display });
  clients.push(client);
  expect(client.linkError).toBeUndefined();
  return { client, link: client.link! };
}

/** Launch the widgets app and wait until its main window is on screen. */
async function widgetsApp(args: string[] = ['alice']): Promise<{ client: LaunchedClient; link: AgentLink }> {
  const started = await launch('widgets_app.py', args);
  await started.link.waitForTree((t) => (t.get('.')?.mapped && t.get('.later')?.mapped ? true : undefined), {
    within: WITHIN,
    step: 'the main window to be mapped',
  });
  return started;
}

const text = (t: WidgetTree, path: string): string | undefined => t.get(path)?.text;
const waitText = (link: AgentLink, path: string, want: string): Promise<true> =>
  link.waitForTree((t) => (text(t, path) === want ? true : undefined), { within: WITHIN, step: `${path} to read "${want}"` });

describe('the Tk agent', () => {
  it('reports windows, lists, texts, entries, labels, buttons and images with sha256', async () => {
    const { link, client } = await widgetsApp();
    expect(link.hello).toMatchObject({ type: 'hello', pid: client.proc.pid, python: python.version });
    const t = link.tree();
    expect(t.get('.')).toMatchObject({ cls: 'Tk', parent: null, window: '.', title: 'Chat - alice', state: 'normal', hasDeleteHandler: true });
    expect(t.get('.status')).toMatchObject({ cls: 'Label', text: 'idle', window: '.', parent: '.' });
    expect(t.get('.icon')?.image).toMatchObject({ type: 'photo', width: 2, height: 2, sha256: GIF_SHA });
    expect(t.get('.users')).toMatchObject({ cls: 'Listbox', items: ['alice', 'bob', 'carol'], selection: [], selectmode: 'browse' });
    expect(t.get('.entry')).toMatchObject({ cls: 'TEntry', value: '' });
    const log = [...t.values()].find((w) => w.path.endsWith('.log'))!;
    expect(log).toMatchObject({ cls: 'Text', text: 'hello\n' });
    expect(log.images?.[0]).toMatchObject({ width: 1, height: 1, sha256: GIF_SHA });
    expect(t.get('.canvas')).toMatchObject({ cls: 'Canvas', items: ['on canvas'] });
    expect(t.get('.canvas')?.images?.[0]?.sha256).toBe(GIF_SHA);
    expect(t.get('.!optionmenu')).toMatchObject({ cls: 'Menubutton', value: 'online', items: ['online', 'away', 'busy'] });
    expect(t.get('.combo')).toMatchObject({ cls: 'TCombobox', items: ['red', 'green'] });
    expect(t.get('.tree')).toMatchObject({ cls: 'Treeview', items: ['row1 a', 'row2 b'], selection: [] });
    expect(t.get('.flag')).toMatchObject({ cls: 'Checkbutton', text: 'Flag', selected: false });
    expect(t.get('.off')).toMatchObject({ cls: 'Button', disabled: true });
    expect(t.get('.start_chat')).toMatchObject({ cls: 'Button', text: 'Start chat', hasCommand: true, mapped: true });
    expect(link.crashes()).toEqual([]);
    expect(link.agentErrors()).toEqual([]);
  });

  it('pushes a change the app makes by itself as a diff', async () => {
    const { link } = await widgetsApp();
    const events: string[] = [];
    link.onEvent((ev) => events.push(ev.type));
    await link.command({ cmd: 'invoke', path: '.later' });
    // The app changes the label 30 ms later, on a timer: no command is pending.
    await waitText(link, '.status', 'later done');
    expect(events).toContain('diff');
    expect(events).not.toContain('tree');
  });

  it('selects, types, presses Return, double-clicks and sets option values', async () => {
    const { link } = await widgetsApp();
    await link.command({ cmd: 'select', path: '.users', indices: [1] });
    expect(link.tree().get('.users')?.selection).toEqual([1]);
    expect(text(link.tree(), '.picked')).toBe('bob');
    await link.command({ cmd: 'set_text', path: '.entry', text: 'hi there' });
    expect(link.tree().get('.entry')?.value).toBe('hi there');
    await link.command({ cmd: 'key', path: '.entry', keysym: 'Return' });
    expect(text(link.tree(), '.status')).toBe('entry return hi there');
    await link.command({ cmd: 'double_click', path: '.users', index: 2 });
    expect(text(link.tree(), '.status')).toBe('double carol');
    await link.command({ cmd: 'double_click', path: '.people', index: 1 });
    expect(text(link.tree(), '.status')).toBe('people evan');
    await link.command({ cmd: 'set_value', path: '.!optionmenu', value: 'busy' });
    expect(text(link.tree(), '.status')).toBe('mood busy');
    await link.command({ cmd: 'set_value', path: '.combo', value: 'green' });
    expect(text(link.tree(), '.status')).toBe('combo green');
    await link.command({ cmd: 'select', path: '.tree', indices: [1] });
    await link.waitForTree((t) => (t.get('.tree')?.selection?.[0] === 1 ? true : undefined), { within: WITHIN, step: 'tree selection' });
    await link.command({ cmd: 'invoke', path: '.flag' });
    expect(link.tree().get('.flag')?.selected).toBe(true);
    expect(await link.command({ cmd: 'sync' })).toEqual({ seq: link.seq() });
  });

  it('opens a conversation window, sends with Return, and closes it through its handler', async () => {
    const { link } = await widgetsApp();
    await link.command({ cmd: 'invoke', path: '.start_chat' });
    await link.waitForTree((t) => (t.get('.chat.message')?.mapped ? true : undefined), { within: WITHIN, step: 'the chat window' });
    expect(link.tree().get('.chat')).toMatchObject({ cls: 'Toplevel', title: 'Conversation', window: '.chat', hasDeleteHandler: true });
    expect(link.tree().get('.chat.transcript')?.window).toBe('.chat');
    await link.command({ cmd: 'set_text', path: '.chat.message', text: 'yo' });
    await link.command({ cmd: 'key', path: '.chat.message', keysym: 'Return' });
    expect(text(link.tree(), '.chat.transcript')).toBe('me: yo\n');
    expect(await link.command({ cmd: 'close', window: '.chat' })).toEqual({ handler: true });
    expect(link.tree().has('.chat')).toBe(false);
    expect(text(link.tree(), '.status')).toBe('left chat');
  });

  it('shows a messagebox as dialog#N and returns the answer given', async () => {
    const { link } = await widgetsApp();
    expect(await link.command({ cmd: 'invoke', path: '.ask' })).toMatchObject({ blocked: true });
    const dialog = [...link.tree().values()].find((w) => w.cls === 'Dialog')!;
    expect(dialog).toMatchObject({ path: 'dialog#1', title: 'Invitation', text: 'alice invites you to c1', window: 'dialog#1' });
    const buttons = [...link.tree().values()].filter((w) => w.parent === dialog.path).map((w: WidgetRecord) => [w.path, w.text]);
    expect(buttons).toEqual([
      ['dialog#1.yes', 'Yes'],
      ['dialog#1.no', 'No'],
    ]);
    // The GUI stays responsive while the question is open.
    await link.command({ cmd: 'sync' });
    await link.command({ cmd: 'invoke', path: 'dialog#1.yes' });
    await waitText(link, '.status', 'answer True');
    expect(link.tree().has('dialog#1')).toBe(false);
    // A simpledialog: type into its entry, then OK.
    await link.command({ cmd: 'invoke', path: '.name' });
    await link.command({ cmd: 'set_text', path: 'dialog#2.entry', text: 'zed' });
    await link.command({ cmd: 'invoke', path: 'dialog#2.ok' });
    await waitText(link, '.status', 'name zed');
  });

  it('reports exceptions in Tk callbacks and threads as crash events, output unchanged', async () => {
    const { link, client } = await widgetsApp();
    await link.command({ cmd: 'invoke', path: '.boom' });
    await link.command({ cmd: 'invoke', path: '.thread_boom' });
    await link.waitUntil(() => (link.crashes().length >= 2 ? true : undefined), { within: WITHIN, step: 'two crashes' });
    const crashes = link.crashes();
    expect(crashes.map((c) => c.kind).sort()).toEqual(['thread', 'tk_callback']);
    expect(crashes.find((c) => c.kind === 'tk_callback')!.text).toMatch(/ValueError: boom in a callback/);
    expect(crashes.find((c) => c.kind === 'thread')!.text).toMatch(/RuntimeError: boom in a thread/);
    await link.command({ cmd: 'close', window: '.' });
    const exit = await client.exited;
    expect(exit.code).toBe(0);
    expect(client.proc.stdout().text).toBe('quitting\nbye\n');
    const stderr = client.proc.stderr().text;
    expect(stderr).toMatch(/Exception in Tkinter callback[\s\S]*ValueError: boom in a callback/);
    expect(stderr).toMatch(/Exception in thread[\s\S]*RuntimeError: boom in a thread/);
  });

  it('answers the command that opened a modal window at once, and drives the modal window', async () => {
    const { link } = await widgetsApp();
    expect(await link.command({ cmd: 'invoke', path: '.modal' })).toMatchObject({ blocked: true });
    await link.waitForTree((t) => (t.get('.modal.ok')?.mapped ? true : undefined), { within: WITHIN, step: 'the modal window' });
    await link.command({ cmd: 'invoke', path: '.modal.ok' });
    await waitText(link, '.status', 'modal done');
  });

  it('sees changes made from another thread', async () => {
    const { link } = await widgetsApp();
    await link.command({ cmd: 'invoke', path: '.thread_work' });
    await waitText(link, '.status', 'from thread');
  });

  it('reports a second live Tk root under a "#<n>" prefix and drives it', async () => {
    const { link } = await launch('two_roots.py');
    await link.waitForTree((t) => (t.get('#2.btn')?.mapped ? true : undefined), { within: WITHIN, step: 'the second root' });
    expect(link.tree().get('.')).toMatchObject({ cls: 'Tk', title: 'one' });
    expect(link.tree().get('#2.')).toMatchObject({ cls: 'Tk', title: 'two', window: '#2.' });
    expect(link.tree().get('#2.lbl')).toMatchObject({ text: 'before', parent: '#2.', window: '#2.' });
    await link.command({ cmd: 'invoke', path: '#2.btn' });
    expect(link.tree().get('#2.lbl')?.text).toBe('after');
  });

  it('follows a program from a destroyed login root to a new main root', async () => {
    const { link } = await launch('login_then_main.py');
    await link.waitForTree((t) => (t.get('.go')?.mapped ? true : undefined), { within: WITHIN, step: 'the login window' });
    await link.command({ cmd: 'invoke', path: '.go' });
    await link.waitForTree((t) => (t.get('.hello')?.mapped ? true : undefined), { within: WITHIN, step: 'the main window' });
    expect(link.tree().get('.')).toMatchObject({ cls: 'Tk', title: 'Main' });
    expect(link.tree().has('.go')).toBe(false);
    await link.command({ cmd: 'sync' });
  });

  it('answers a messagebox shown after the last root is gone', async () => {
    const { link, client } = await launch('dialog_after_quit.py');
    await link.waitForTree((t) => (t.get('.quit')?.mapped ? true : undefined), { within: WITHIN, step: 'the window' });
    await link.command({ cmd: 'invoke', path: '.quit' });
    const dialog = await link.waitForTree((t) => [...t.values()].find((w) => w.cls === 'Dialog'), { within: WITHIN, step: 'the dialog' });
    expect(dialog).toMatchObject({ title: 'Bye', text: 'Really quit?' });
    await link.command({ cmd: 'invoke', path: `${dialog.path}.ok` });
    expect(await client.exited).toMatchObject({ code: 0 });
    expect(client.proc.stdout().text).toBe('answer True\n');
  });

  it('answers a bad command with a readable error and keeps going', async () => {
    const { link } = await widgetsApp();
    await expect(link.command({ cmd: 'invoke', path: '.nope' })).rejects.toMatchObject({ code: 'probe.commandFailed', message: 'no widget .nope' });
    await expect(link.command({ cmd: 'invoke', path: '.off' })).rejects.toThrow(/disabled/);
    await expect(link.command({ cmd: 'select', path: '.users', indices: [9] })).rejects.toThrow(/no index 9/);
    await expect(link.command({ cmd: 'set_value', path: '.!optionmenu', value: 'gone' })).rejects.toThrow(/offers/);
    await expect(link.commandRaw({ cmd: 'fly' })).rejects.toThrow(/unknown command/);
    await link.command({ cmd: 'sync' });
  });

  it('reports the main program’s uncaught exception and keeps exit code and traceback', async () => {
    const { client, link } = await launch('uncaught.py');
    const exit = await client.exited;
    await link.closed;
    expect(exit.code).toBe(1);
    expect(link.crashes()).toHaveLength(1);
    expect(link.crashes()[0]).toMatchObject({ kind: 'uncaught' });
    const stderr = client.proc.stderr().text;
    expect(stderr).toMatch(/KeyError: 'uncaught at top level'/);
    expect(stderr).toMatch(/uncaught\.py", line 8, in <module>/);
    expect(stderr).not.toMatch(/run_client|runpy/);
    expect(link.crashes()[0]!.text).not.toMatch(/run_client|runpy/);
  });

  it('without CHAT_PROBE the runner just runs the program: argv, sys.path and exit code as usual', async () => {
    const env = { ...process.env };
    delete env.CHAT_PROBE;
    delete env.CHAT_PROBE_TOKEN;
    const proc = await spawnTracked(python.executable, [agentRunner(), 'plain_exit.py', '7', 'x y'], { cwd: APPS, env });
    procs.push(proc);
    const exit = await proc.exited;
    expect(exit.code).toBe(7);
    expect(proc.stdout().text).toBe("argv ['7', 'x y'] main\npath0-ok\n");
    expect(proc.stderr().text).toBe('');
  });

  it('resolves with a clear linkError when the client never says hello', async () => {
    const client = await launchClient({ dir: APPS, python: python.executable, command: ['sh', '-c', 'echo oops >&2; exit 3'], helloWithin: WITHIN });
    clients.push(client);
    expect(client.link).toBeUndefined();
    expect(client.linkError?.code).toBe('probe.noHello');
    expect(client.linkError?.message).toMatch(/exited \(code 3[\s\S]*oops/);
  });
});
