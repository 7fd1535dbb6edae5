import { describe, expect, it } from 'vitest';
import { ProbeTimeout, TkDriver } from '../src/probe/driver.js';
import type { WidgetRecord } from '../src/probe/widgets.js';
import { FakeLink, actionError, fixture, setup } from './helpers/driver-link.js';

// The driver against recorded and hand-made widget trees: waits, recorded trees, notebooks, second roots, choosing as a person does.

describe('waitFor and sync', () => {
  it('resolves when a change makes fn defined, and unsubscribes', async () => {
    const { link, driver } = setup('reference');
    const p = driver.waitFor((ui) => (ui.users?.includes('dave') ? ui.users : undefined), { within: 1000, step: 'dave online' });
    const lb = link.widgets.get('.!frame.!listbox')!;
    link.diff([{ ...lb, items: ['bob'] }]);
    link.diff([{ ...lb, items: ['bob', 'dave'] }]);
    await expect(p).resolves.toEqual(['bob', 'dave']);
    expect(link.listenerCount()).toBe(0);
  });

  it('resolves at once when already true', async () => {
    const { driver } = setup('reference');
    await expect(driver.waitFor((ui) => ui.main, { within: 10, step: 'main' })).resolves.toBe('.');
  });

  it('times out with a message naming the step and what was last seen (scaled)', async () => {
    const slow = new TkDriver(new FakeLink(fixture('reference').widgets), { ...fixture('reference').ctx, timeScale: 2 });
    const started = Date.now();
    const err = (await slow.waitFor(() => undefined, { within: 20, step: 'an invitation window' }).catch((e: unknown) => e)) as ProbeTimeout;
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    expect(err).toBeInstanceOf(ProbeTimeout);
    expect(err.code).toBe('probe.timeout');
    expect(err.step).toBe('an invitation window');
    expect(err.message).toMatch(/^waited 40 ms for an invitation window; last seen: main window '\.' with users \[bob, carol\]; invitation '\.!toplevel' "bob invites you to a conversation"; conversation '\.!toplevel2' \(members \[alice, bob\]; 2 lines, last "alice: hello there"\)$/);
  });

  it('re-evaluates pending waits when the known users change', async () => {
    // Per-user Checkbuttons only count for announced names: nothing is a user list until bob and carol are known.
    const { driver } = setup('checkbuttons', { ctx: { knownUsers: ['alice'] } });
    expect(driver.ui().users).toBeUndefined();
    const p = driver.waitFor((ui) => ui.users, { within: 500, step: 'the users list' });
    driver.setKnownUsers(['alice', 'bob', 'carol']);
    await expect(p).resolves.toEqual(['bob', 'carol']);
  });

  it('rejects when fn throws', async () => {
    const { driver } = setup('reference');
    await expect(driver.waitFor(() => { throw new Error('boom'); }, { within: 100, step: 'x' })).rejects.toThrow('boom');
  });

  it('sync goes through the link and a failure is a probe.timeout', async () => {
    const { link, driver } = setup('reference');
    await driver.sync(500);
    expect(link.all).toEqual([{ cmd: 'sync' }]);
    const dead = setup('reference', { react: () => new Error('no reply within 500 ms') });
    await expect(dead.driver.sync(500)).rejects.toMatchObject({ code: 'probe.timeout', step: 'sync' });
  });
});

describe('on a tree recorded from the reference client', () => {
  it('starts a chat, answers the invitation, says, leaves, sets the status and quits', async () => {
    const { link, driver } = setup('recorded-reference');
    await driver.startChat(['bob']);
    await driver.accept('.!toplevel');
    await driver.say('.!toplevel2', 'hi');
    await driver.closeConversation('.!toplevel2');
    await driver.setStatus('busy');
    await driver.quit();
    expect(link.commands).toEqual([
      { cmd: 'select', path: '.!listbox', indices: [0] },
      { cmd: 'invoke', path: '.!frame2.!button' },
      { cmd: 'invoke', path: '.!toplevel.!frame.!button' },
      { cmd: 'set_text', path: '.!toplevel2.!frame2.!entry', text: 'hi' },
      { cmd: 'invoke', path: '.!toplevel2.!frame2.!button' },
      { cmd: 'invoke', path: '.!toplevel2.!frame2.!button2' },
      { cmd: 'set_value', path: '.!frame2.!optionmenu', value: 'busy' },
      { cmd: 'close', window: '.' },
    ]);
  });
});

describe('conversations in notebook tabs', () => {
  it('brings the users tab to the front before selecting', async () => {
    const { link, driver } = setup('notebook');
    await driver.startChat(['bob', 'carol']);
    expect(link.commands).toEqual([
      { cmd: 'show', path: '.nb', tab: '.nb.users' },
      { cmd: 'select', path: '.nb.users.list', indices: [0, 1] },
      { cmd: 'invoke', path: '.nb.users.chat' },
    ]);
    expect(driver.lastTried[0]).toBe("brought the tab 'Users' to the front");
  });

  it('types in a tab that is not in front after showing it, and sends with Return', async () => {
    const { link, driver } = setup('notebook');
    await driver.say('.nb.c2', 'hi  there ✓');
    expect(link.commands).toEqual([
      { cmd: 'show', path: '.nb', tab: '.nb.c2' },
      { cmd: 'set_text', path: '.nb.c2.entry', text: 'hi  there ✓' },
      { cmd: 'key', path: '.nb.c2.entry', keysym: 'Return' },
    ]);
  });

  it('closes a tab with the "Close tab" button beside the notebook', async () => {
    const { link, driver } = setup('notebook');
    await driver.closeConversation('.nb.c2');
    expect(link.commands).toEqual([
      { cmd: 'show', path: '.nb', tab: '.nb.c2' },
      { cmd: 'invoke', path: '.close' },
    ]);
    const bare = setup('notebook', { drop: ['.close'] });
    const err = await actionError(bare.driver.closeConversation('.nb.k7'));
    expect(err.tried).toEqual(["no button labelled leave/close in the tab 'K7 (bob)' nor beside its notebook .nb"]);
  });
});

describe('overrides in a second Tk() root', () => {
  it('selects in the overridden list and presses the overridden button', async () => {
    const { link, driver } = setup('second-root', { ctx: { ui: { users: '.side.people', invite: '.side.go', send: '.bar.say' } } });
    await driver.startChat(['bob']);
    expect(link.commands).toEqual([
      { cmd: 'select', path: '#2.side.people', indices: [0] },
      { cmd: 'invoke', path: '#2.side.go' },
    ]);
    await driver.say('#2.!toplevel', 'yo');
    expect(link.commands.slice(2)).toEqual([
      { cmd: 'set_text', path: '#2.!toplevel.bar.line', text: 'yo' },
      { cmd: 'invoke', path: '#2.!toplevel.bar.say' },
    ]);
  });
});

describe('quit answers the question it raises', () => {
  const dialog = (n: number, text: string): WidgetRecord[] => [
    { path: `dialog#${n}`, cls: 'Dialog', parent: null, window: `dialog#${n}`, mapped: true, title: 'Quit', state: 'normal', text },
    { path: `dialog#${n}.yes`, cls: 'Button', parent: `dialog#${n}`, window: `dialog#${n}`, mapped: true, text: 'Yes' },
    { path: `dialog#${n}.no`, cls: 'Button', parent: `dialog#${n}`, window: `dialog#${n}`, mapped: true, text: 'No' },
  ];

  it('presses Yes on "Really log out?", and stops watching once the main window is gone', async () => {
    const { link, driver } = setup('reference', {
      react: (req, l) => {
        if (req.cmd === 'close') setTimeout(() => l.diff(dialog(7, 'Really log out?')), 5);
        if (req.cmd === 'invoke' && req.path === 'dialog#7.yes') setTimeout(() => l.diff([], ['dialog#7', '.']), 5);
        return req.cmd === 'close' ? { handler: true, blocked: true } : undefined;
      },
    });
    await driver.quit();
    expect(link.commands).toEqual([{ cmd: 'close', window: '.' }, { cmd: 'invoke', path: 'dialog#7.yes' }]);
    expect(driver.lastTried).toEqual([
      "closed '.' through the window manager",
      "a question appeared (\"Really log out?\") in 'dialog#7'",
      "pressed 'Yes' (dialog#7.yes)",
    ]);
  });

  it('leaves dialogs that were open before quitting alone', async () => {
    const { link, driver } = setup('text-dialog');
    await driver.quit();
    expect(link.commands).toEqual([{ cmd: 'close', window: '.' }]);
  });
});

describe('choosing as a person does', () => {
  it('picks the menu item that starts a chat: naming the one user, or saying "selected" for several', async () => {
    const { chooseMenuItem } = await import('../src/probe/start-chat.js');
    const menus = [{ path: '.m', items: ['Profile', 'Invite selected users', 'Chat with bob', 'Send message'] }];
    const listed = ['bob', 'carol'];
    expect(chooseMenuItem(menus, ['bob'], listed)).toEqual({ menu: '.m', label: 'Chat with bob' });
    // Never the item that names someone else.
    expect(chooseMenuItem(menus, ['carol'], listed)).toEqual({ menu: '.m', label: 'Send message' });
    expect(chooseMenuItem(menus, ['bob', 'carol'], listed)).toEqual({ menu: '.m', label: 'Invite selected users' });
    expect(chooseMenuItem([{ path: '.m', items: ['Profile', 'Block'] }], ['bob'])).toBeUndefined();
  });

  it('presses the key the input binds: Return, then Control-Return, then KP_Enter', async () => {
    const { sendKey } = await import('../src/probe/driver.js');
    expect(sendKey(['<Key-Return>', '<Control-Key-Return>'])).toBe('Return');
    expect(sendKey(['<Shift-Key-Return>', '<Control-Key-Return>'])).toBe('Control-Return');
    expect(sendKey(['<Key-KP_Enter>'])).toBe('KP_Enter');
    expect(sendKey(['<Button-1>'])).toBeUndefined();
  });
});
