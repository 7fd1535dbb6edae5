import { describe, expect, it } from 'vitest';
import { TkDriver } from '../src/probe/driver.js';
import { ActionError } from '../src/probe/ui.js';
import { FakeLink, actionError, setup, type Reaction } from './helpers/driver-link.js';

// The driver against recorded and hand-made widget trees: starting a chat, answering, saying, closing, status, quitting (more in driver-more.test.ts).

describe('startChat', () => {
  it('selects the users in the Listbox, then presses the chat button', async () => {
    const { link, driver } = setup('reference');
    await driver.startChat(['carol', 'bob']);
    expect(link.commands).toEqual([
      { cmd: 'select', path: '.!frame.!listbox', indices: [1, 0] },
      { cmd: 'invoke', path: '.!frame2.!button' },
    ]);
    expect(driver.lastTried).toEqual([
      "selected 'carol', 'bob' in .!frame.!listbox",
      "pressed 'Chat' (.!frame2.!button)",
    ]);
  });

  it('falls back to a double-click for one user when there is no chat button', async () => {
    const { link, driver } = setup('reference', { drop: ['.!frame2.!button'] });
    await driver.startChat(['carol']);
    expect(link.commands).toEqual([
      { cmd: 'select', path: '.!frame.!listbox', indices: [1] },
      { cmd: 'double_click', path: '.!frame.!listbox', index: 1 },
    ]);
    expect(driver.lastTried).toEqual([
      "selected 'carol' in .!frame.!listbox",
      'no button labelled chat/invite/talk/start/new in the main window',
      "double-clicked 'carol' in .!frame.!listbox",
    ]);
  });

  it('gives up for several users without a chat button, saying what it tried', async () => {
    const { driver } = setup('reference', { drop: ['.!frame2.!button'] });
    const err = await actionError(driver.startChat(['bob', 'carol']));
    expect(err.code).toBe('probe.actionFailed');
    expect(err.tried).toEqual([
      "selected 'bob', 'carol' in .!frame.!listbox",
      'no button labelled chat/invite/talk/start/new in the main window',
      'a double-click starts a chat with one user only, and a right-click on the list opens no menu',
    ]);
    expect(err.message).toMatch(/^could not start a chat with 'bob', 'carol': selected/);
  });

  it('refuses a user the list does not show', async () => {
    const { link, driver } = setup('reference');
    const err = await actionError(driver.startChat(['dave']));
    expect(err.tried).toEqual(["'dave' is not in the online list (shown: 'bob', 'carol')"]);
    expect(link.commands).toEqual([]);
  });

  it('uses the invite override', async () => {
    const { link, driver } = setup('reference', { ctx: { ui: { invite: '.!frame2.!menubutton' } } });
    await driver.startChat(['bob']);
    expect(link.commands.at(-1)).toEqual({ cmd: 'invoke', path: '.!frame2.!menubutton' });
  });

  it('selects the lines of a read-only Text list, then presses the chat button', async () => {
    const { link, driver } = setup('text-dialog');
    await driver.startChat(['carol']);
    expect(link.commands).toEqual([
      { cmd: 'select', path: '.users', indices: [1] },
      { cmd: 'invoke', path: '.start' },
    ]);
    const two = setup('text-dialog');
    await two.driver.startChat(['carol', 'bob']);
    expect(two.link.commands).toEqual([
      { cmd: 'select', path: '.users', indices: [0, 1] },
      { cmd: 'invoke', path: '.start' },
    ]);
    expect(two.driver.lastTried).toEqual(["selected the lines of 'carol', 'bob' in .users", "pressed 'Start chat' (.start)"]);
  });

  it('selects a run of lines over a header, never over another user', async () => {
    const { link, driver } = setup('text-dialog');
    const users = link.widgets.get('.users')!;
    link.widgets.set('.users', { ...users, text: 'bob\n\ncarol\ndave\n' });
    await driver.startChat(['bob', 'carol']);
    expect(link.commands[0]).toEqual({ cmd: 'select', path: '.users', indices: [0, 1, 2] });
    const err = await actionError(driver.startChat(['bob', 'dave']));
    expect(err.tried).toEqual(["'bob', 'dave' are not on adjacent lines of .users ('carol' in between), and a drag selects one run of lines"]);
  });

  it('double-clicks the line of a Text list when there is no chat button', async () => {
    const { link, driver } = setup('text-dialog', { drop: ['.start'] });
    await driver.startChat(['carol']);
    expect(link.commands).toEqual([{ cmd: 'double_click', path: '.users', index: 1 }]);
    const err = await actionError(driver.startChat(['bob', 'carol']));
    expect(err.tried.at(-1)).toBe('a double-click starts a chat with one user only, and a right-click on the list opens no menu');
  });

  it('never selects two users in a single-select list', async () => {
    const { link, driver } = setup('reference');
    const lb = link.widgets.get('.!frame.!listbox')!;
    link.widgets.set(lb.path, { ...lb, selectmode: 'browse' });
    const err = await actionError(driver.startChat(['bob', 'carol']));
    expect(err.tried).toEqual([".!frame.!listbox lets one user be selected at a time (selectmode browse), so 'bob', 'carol' cannot be selected together"]);
    expect(link.commands).toEqual([]);
    await driver.startChat(['carol']);
    expect(link.commands[0]).toEqual({ cmd: 'select', path: '.!frame.!listbox', indices: [1] });
  });

  it('says when the clicks did not select and the selection was set directly', async () => {
    const { driver } = setup('reference', { react: (req) => (req.cmd === 'select' ? { clicked: 1, set: true } : undefined) });
    await driver.startChat(['bob']);
    expect(driver.lastTried).toEqual([
      "selected 'bob' in .!frame.!listbox",
      '(clicking did not select that, so the selection was set directly)',
      "pressed 'Chat' (.!frame2.!button)",
    ]);
  });

  it('ticks the wanted Checkbuttons, unticks the others, then presses Chat', async () => {
    // Invoking a Checkbutton toggles it, as Tk does.
    const toggle: Reaction = (req, l) => {
      if (req.cmd !== 'invoke') return undefined;
      const w = l.widgets.get(req.path)!;
      if (w.cls === 'Checkbutton') l.diff([{ ...w, selected: !w.selected }]);
      return undefined;
    };
    const { link, driver } = setup('checkbuttons', { react: toggle });
    await driver.startChat(['bob']);
    expect(link.commands).toEqual([
      { cmd: 'invoke', path: '.bob' },
      { cmd: 'invoke', path: '.carol' },
      { cmd: 'invoke', path: '.chat' },
    ]);
    expect(driver.lastTried).toEqual(["ticked 'bob' (.bob)", "unticked 'carol' (.carol)", "pressed 'Chat!' (.chat)"]);
  });

  it('presses per-user Buttons then the chat button; alone, the user button is the action', async () => {
    const { link, driver } = setup('buttons-combobox');
    await driver.startChat(['bob', 'dave']);
    expect(link.commands).toEqual([
      { cmd: 'invoke', path: '.list.!frame.!button' },
      { cmd: 'invoke', path: '.list.!frame3.!button' },
      { cmd: 'invoke', path: '.bar.new' },
    ]);
    const bare = setup('buttons-combobox', { drop: ['.bar.new'] });
    await bare.driver.startChat(['carol']);
    expect(bare.link.commands).toEqual([{ cmd: 'invoke', path: '.list.!frame2.!button' }]);
    const err = await actionError(bare.driver.startChat(['bob', 'carol']));
    expect(err.tried).toEqual(['no button labelled chat/invite/talk/start/new in the main window', 'a double-click starts a chat with one user only, and a right-click on the list opens no menu']);
  });

  it('clicks per-user Labels then presses Chat; without Chat, double-clicks one', async () => {
    const asLabels = (link: FakeLink): void => {
      for (const p of ['.bob', '.carol']) link.widgets.set(p, { ...link.widgets.get(p)!, cls: 'Label' });
    };
    const a = setup('checkbuttons');
    asLabels(a.link);
    await a.driver.startChat(['carol', 'bob']);
    expect(a.link.commands).toEqual([
      { cmd: 'invoke', path: '.carol' },
      { cmd: 'invoke', path: '.bob' },
      { cmd: 'invoke', path: '.chat' },
    ]);
    const b = setup('checkbuttons', { drop: ['.chat'] });
    asLabels(b.link);
    await b.driver.startChat(['bob']);
    expect(b.link.commands).toEqual([{ cmd: 'double_click', path: '.bob' }]);
    const err = await actionError(b.driver.startChat(['bob', 'carol']));
    expect(err.tried).toEqual(['no button labelled chat/invite/talk/start/new in the main window', 'a double-click starts a chat with one user only, and a right-click on the list opens no menu']);
  });

  /** A click on a user's box rebuilds every box under new paths (`.g<n><name>`): drawn at once, a moment later (at idle), or never. */
  const rebuildOnClick = (drawn: 'at once' | 'later' | 'never'): Reaction => {
    let generation = 0;
    return (req, l) => {
      if (req.cmd !== 'invoke' || !/^\.(g\d+)?(bob|carol)$/.test(req.path)) return undefined;
      const old = [...l.widgets.values()].filter((w) => w.cls === 'Checkbutton');
      const clicked = l.widgets.get(req.path)!;
      const g = ++generation;
      const boxes = old.map((w) => ({ ...w, path: `.g${g}${w.text}`, selected: w === clicked ? !w.selected : w.selected }));
      const gone = old.map((w) => w.path);
      if (drawn === 'at once') l.diff(boxes, gone);
      else l.diff([], gone);
      if (drawn === 'later') setTimeout(() => l.diff(boxes), 0);
      return undefined;
    };
  };

  it('finds each ticked user anew when the list is rebuilt after every click (new paths)', async () => {
    const { link, driver } = setup('checkbuttons', { react: rebuildOnClick('at once') });
    await driver.startChat(['bob']);
    expect(link.commands).toEqual([
      { cmd: 'invoke', path: '.bob' },
      { cmd: 'invoke', path: '.g1carol' },
      { cmd: 'invoke', path: '.chat' },
    ]);
  });

  it('waits for a list caught between its rebuild and its drawing, and never presses Chat with a box unseen', async () => {
    // carol starts ticked: she is unticked in the list as drawn again.
    const { link, driver } = setup('checkbuttons', { react: rebuildOnClick('later') });
    await driver.startChat(['bob']);
    expect(link.commands).toEqual([
      { cmd: 'invoke', path: '.bob' },
      { cmd: 'invoke', path: '.g1carol' },
      { cmd: 'invoke', path: '.chat' },
    ]);
    // Never drawn again: the failure says the list is gone, and Chat is not pressed.
    const gone = setup('checkbuttons', { react: rebuildOnClick('never') });
    const err = await actionError(gone.driver.startChat(['bob']));
    expect(err.tried).toEqual(["ticked 'bob' (.bob)", "no list of online users in the main window '.'"]);
    expect(gone.link.commands).toEqual([{ cmd: 'invoke', path: '.bob' }]);
  });

  it('opens the right-click menu of a list without a chat button and chooses its chat item', async () => {
    const menu = { menus: [{ path: '.menu', items: ['Profile', 'Chat with carol', 'Invite selected'] }] };
    const react: Reaction = (req) => (req.cmd === 'context_menu' ? menu : undefined);
    const { link, driver } = setup('reference', { drop: ['.!frame2.!button'], react });
    const lb = link.widgets.get('.!frame.!listbox')!;
    link.widgets.set(lb.path, { ...lb, binds: ['<Button-3>'] });
    await driver.startChat(['carol']);
    expect(link.commands).toEqual([
      { cmd: 'select', path: '.!frame.!listbox', indices: [1] },
      { cmd: 'context_menu', path: '.!frame.!listbox', index: 1 },
      { cmd: 'menu_invoke', path: '.menu', label: 'Chat with carol' },
    ]);
    await driver.startChat(['bob', 'carol']);
    expect(link.commands.at(-1)).toEqual({ cmd: 'menu_invoke', path: '.menu', label: 'Invite selected' });
    const none: Reaction = (req) => (req.cmd === 'context_menu' ? { menus: [{ path: '.menu', items: ['Profile'] }] } : undefined);
    const bare = setup('reference', { drop: ['.!frame2.!button'], react: none });
    bare.link.widgets.set(lb.path, { ...lb, binds: ['<Button-3>'] });
    const err = await actionError(bare.driver.startChat(['carol']));
    expect(err.tried.at(-1)).toBe("the menu offers 'Profile', none of them a chat/invite/message item");
    expect(bare.link.commands.at(-1)).toEqual({ cmd: 'menu_invoke', path: '.menu' });
  });

  it('turns a rejected command into an ActionError naming it', async () => {
    const { driver } = setup('reference', { react: (req) => (req.cmd === 'select' ? new Error('bad index') : undefined) });
    const err = await actionError(driver.startChat(['bob']));
    expect(err.tried).toEqual(["selected 'bob' in .!frame.!listbox: failed (bad index)"]);
  });

  it('says when there is no main window', async () => {
    const { driver } = setup('withdrawn-root', { drop: ['.!toplevel2'] });
    const err = await actionError(driver.startChat(['bob']));
    expect(err.tried).toEqual(['no main window on screen']);
  });
});

describe('accept and decline', () => {
  const removeWindowOnInvoke: Reaction = (req, link) => {
    if (req.cmd === 'invoke' || req.cmd === 'close') {
      const path = req.cmd === 'invoke' ? req.path : req.window;
      const window = link.widgets.get(path)?.window;
      if (window) link.diff([], [window]);
    }
    return undefined;
  };

  it('presses Accept (not Decline) in a Toplevel, and sees the invitation go only when the GUI removes it', async () => {
    const invitations = (d: TkDriver) => d.ui().invitations.map((i) => i.window);
    // The client keeps its window: the driver reports what it pressed, it does not pretend the window went.
    const kept = setup('reference');
    expect(invitations(kept.driver)).toEqual(['.!toplevel']);
    await kept.driver.accept('.!toplevel');
    expect(kept.link.commands).toEqual([{ cmd: 'invoke', path: '.!toplevel.!button' }]);
    expect(kept.driver.lastTried).toEqual(["pressed 'Accept' (.!toplevel.!button)"]);
    expect(invitations(kept.driver)).toEqual(['.!toplevel']);
    // The client closes it on Accept: the driver's view follows the tree, nothing cached.
    const { link, driver } = setup('reference', { react: removeWindowOnInvoke });
    expect(invitations(driver)).toEqual(['.!toplevel']);
    await driver.accept('.!toplevel');
    expect(link.commands).toEqual([{ cmd: 'invoke', path: '.!toplevel.!button' }]);
    expect(invitations(driver)).toEqual([]);
    expect(driver.ui().windows.map((w) => w.id)).not.toContain('.!toplevel');
  });

  it('answers a messagebox with its Yes / No buttons', async () => {
    const { link, driver } = setup('text-dialog');
    await driver.accept('dialog#1');
    await driver.decline('dialog#1');
    expect(link.commands).toEqual([
      { cmd: 'invoke', path: 'dialog#1.yes' },
      { cmd: 'invoke', path: 'dialog#1.no' },
    ]);
  });

  it('presses Decline in a Toplevel', async () => {
    const { link, driver } = setup('reference');
    await driver.decline('.!toplevel');
    expect(link.commands).toEqual([{ cmd: 'invoke', path: '.!toplevel.!button2' }]);
  });

  it('declines a Join-only invitation by closing its window', async () => {
    const { link, driver } = setup('empty-list');
    await driver.decline('.!toplevel');
    expect(link.commands).toEqual([{ cmd: 'close', window: '.!toplevel' }]);
    expect(driver.lastTried).toEqual([
      "no button labelled decline/no/cancel/reject in '.!toplevel' (buttons: 'Join')",
      "closed '.!toplevel' through the window manager",
    ]);
  });

  it('fails on a window that is not there, or has no accept button', async () => {
    const { driver } = setup('text-dialog');
    let err = await actionError(driver.accept('.nope'));
    expect(err.tried).toEqual(["no window '.nope' on screen (open: '.', '.!toplevel', 'dialog#1', 'dialog#2')"]);
    err = await actionError(driver.accept('.!toplevel'));
    expect(err.tried).toEqual(["no button labelled accept/join/yes/ok in '.!toplevel' (buttons: 'Send')"]);
  });
});

describe('say', () => {
  it('types into the Entry and presses Send', async () => {
    const { link, driver } = setup('reference');
    await driver.say('.!toplevel2', 'hello  world');
    expect(link.commands).toEqual([
      { cmd: 'set_text', path: '.!toplevel2.!entry', text: 'hello  world' },
      { cmd: 'invoke', path: '.!toplevel2.!button' },
    ]);
  });

  it('types into a small Text input', async () => {
    const { link, driver } = setup('buttons-combobox');
    await driver.say('.!toplevel', 'hi');
    expect(link.commands).toEqual([
      { cmd: 'set_text', path: '.!toplevel.!frame.!text', text: 'hi' },
      { cmd: 'invoke', path: '.!toplevel.!frame.!button' },
    ]);
  });

  it('presses Return when there is no Send button', async () => {
    const { link, driver } = setup('checkbuttons');
    await driver.say('.!toplevel', 'hi');
    expect(link.commands).toEqual([
      { cmd: 'set_text', path: '.!toplevel.e', text: 'hi' },
      { cmd: 'key', path: '.!toplevel.e', keysym: 'Return' },
    ]);
    expect(driver.lastTried[1]).toBe("no Send button in '.!toplevel'");
  });

  it('fails on a window without an input', async () => {
    const { driver } = setup('reference');
    const err = await actionError(driver.say('.!toplevel', 'x'));
    expect(err.tried).toEqual(["'.!toplevel' has no input (Entry or small Text) beside a transcript"]);
  });
});

describe('closeConversation', () => {
  it('presses a Leave or Exit button when there is one', async () => {
    const a = setup('buttons-combobox');
    await a.driver.closeConversation('.!toplevel');
    expect(a.link.commands).toEqual([{ cmd: 'invoke', path: '.!toplevel.!frame.!button2' }]);
    const b = setup('checkbuttons');
    await b.driver.closeConversation('.!toplevel');
    expect(b.link.commands).toEqual([{ cmd: 'invoke', path: '.!toplevel.x' }]);
  });

  it('else closes the window through the window manager', async () => {
    const { link, driver } = setup('reference');
    await driver.closeConversation('.!toplevel2');
    expect(link.commands).toEqual([{ cmd: 'close', window: '.!toplevel2' }]);
    expect(driver.lastTried).toEqual([
      "no button labelled leave/close in '.!toplevel2'",
      "closed '.!toplevel2' through the window manager",
    ]);
  });
});

describe('setStatus', () => {
  it('chooses the option of an OptionMenu', async () => {
    const { link, driver } = setup('reference');
    await driver.setStatus('away');
    expect(link.commands).toEqual([{ cmd: 'set_value', path: '.!frame2.!menubutton', value: 'away' }]);
  });

  it('chooses the Combobox value as spelled there', async () => {
    const { link, driver } = setup('buttons-combobox');
    await driver.setStatus('busy');
    expect(link.commands).toEqual([{ cmd: 'set_value', path: '.bar.status', value: 'Busy' }]);
  });

  it('presses the Radiobutton of that status when there is no menu', async () => {
    const { link, driver } = setup('buttons-combobox', { drop: ['.bar.status'] });
    await driver.setStatus('away');
    expect(link.commands).toEqual([{ cmd: 'invoke', path: '.bar.!radiobutton2' }]);
  });

  it('presses a button labelled with the status word', async () => {
    const { link, driver } = setup('checkbuttons');
    await driver.setStatus('away');
    expect(link.commands).toEqual([{ cmd: 'invoke', path: '.away' }]);
  });

  it('fails when nothing offers the status', async () => {
    const { driver } = setup('reference');
    const err = await actionError(driver.setStatus('dnd'));
    expect(err.tried).toEqual([
      ".!frame2.!menubutton has no option 'dnd' (options: 'available', 'away', 'busy')",
      "no OptionMenu/Combobox option, Radiobutton or button labelled 'dnd'",
    ]);
  });
});

describe('quit', () => {
  it('closes the main window through the window manager', async () => {
    const { link, driver } = setup('text-dialog');
    await driver.quit();
    expect(link.commands).toEqual([{ cmd: 'close', window: '.' }]);
  });

  it('presses Quit when the close is refused', async () => {
    const { link, driver } = setup('text-dialog', { react: (req) => (req.cmd === 'close' ? new Error('TclError') : undefined) });
    await driver.quit();
    expect(link.commands).toEqual([{ cmd: 'close', window: '.' }, { cmd: 'invoke', path: '.quit' }]);
    expect(driver.lastTried).toEqual([
      "closed '.' through the window manager: failed (TclError)",
      "pressed 'Quit' (.quit)",
    ]);
  });

  it('fails when neither works', async () => {
    const { driver } = setup('reference', { react: (req) => (req.cmd === 'close' ? new Error('TclError') : undefined) });
    const err = await actionError(driver.quit());
    expect(err.tried).toEqual([
      "closed '.' through the window manager: failed (TclError)",
      'no button labelled quit/exit in the main window',
    ]);
  });
});
