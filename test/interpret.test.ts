import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  analyze,
  countLinesContaining,
  countOccurrences,
  entryUser,
  hasToken,
  interpret,
  isDecoration,
  nameTokens,
  saidBy,
  statusWords,
  treeOrder,
  withoutTime,
  type InterpretContext,
} from '../src/probe/interpret.js';
import type { WidgetRecord, WidgetTree } from '../src/probe/widgets.js';

interface Fixture {
  description: string;
  ctx: InterpretContext;
  widgets: WidgetRecord[];
}

function load(name: string): { tree: WidgetTree; ctx: InterpretContext; widgets: WidgetRecord[] } {
  const f = JSON.parse(readFileSync(new URL(`./fixtures/trees/${name}.json`, import.meta.url), 'utf8')) as Fixture;
  return { tree: new Map(f.widgets.map((w) => [w.path, w])), ctx: f.ctx, widgets: f.widgets };
}

const H = (c: string): string => c.repeat(64);

describe('reference style (Listbox, Toplevel invitation, Label members, ScrolledText)', () => {
  const { tree, ctx } = load('reference');
  const ui = interpret(tree, ctx);

  it('takes the Tk root as the main window and reads the Listbox', () => {
    expect(ui.main).toBe('.');
    expect(ui.users).toEqual(['bob', 'carol']);
    expect(ui.statuses).toEqual({});
  });

  it('collects the icon images of the main window', () => {
    expect(ui.mainImages).toEqual([H('a'), H('b')]);
  });

  it('finds the invitation with its text', () => {
    expect(ui.invitations).toEqual([{ window: '.!toplevel', title: 'Invitation', text: 'bob invites you to a conversation' }]);
  });

  it('reads members from the Label and the transcript from the ScrolledText, blank lines dropped', () => {
    expect(ui.conversations).toEqual([
      { window: '.!toplevel2', title: 'Conversation c3', members: ['alice', 'bob'], transcript: ['bob: hi', 'alice: hello there'] },
    ]);
  });

  it('lists only mapped windows, with kinds and texts', () => {
    expect(ui.windows.map((w) => [w.id, w.kind])).toEqual([
      ['.', 'main'],
      ['.!toplevel', 'invitation'],
      ['.!toplevel2', 'conversation'],
    ]);
    expect(ui.windows[0]!.texts).toEqual(expect.arrayContaining(['Online users', 'bob', 'carol', 'Chat']));
    expect(ui.windows[1]!.texts).toEqual(['bob invites you to a conversation', 'Accept', 'Decline']);
  });

  it('keeps the paths the driver acts on', () => {
    const a = analyze(tree, ctx);
    expect(a.users).toMatchObject({ kind: 'listbox', path: '.!frame.!listbox', window: '.' });
    expect(a.invitations.get('.!toplevel')).toEqual({ window: '.!toplevel', acceptPath: '.!toplevel.!button', declinePath: '.!toplevel.!button2' });
    expect(a.conversations.get('.!toplevel2')).toEqual({
      window: '.!toplevel2',
      inputPath: '.!toplevel2.!entry',
      transcriptPath: '.!toplevel2.!frame.!text',
      sendPath: '.!toplevel2.!button',
      membersPath: '.!toplevel2.!label',
    });
  });
});

describe('Text users, messagebox invitation, Listbox members and transcript', () => {
  const { tree, ctx } = load('text-dialog');
  const ui = interpret(tree, ctx);

  it('reads users from the lines of a Text', () => {
    expect(ui.users).toEqual(['bob', 'carol']);
    expect(analyze(tree, ctx).users).toMatchObject({ kind: 'text', entries: [{ user: 'bob', index: 0 }, { user: 'carol', index: 1 }] });
  });

  it('takes a yes/no messagebox for an invitation and an OK-only one for a plain dialog', () => {
    expect(ui.invitations).toEqual([{ window: 'dialog#1', title: 'Invitation', text: 'carol invites you to conversation x9. Join?' }]);
    expect(ui.windows.find((w) => w.id === 'dialog#2')?.kind).toBe('dialog');
  });

  it('tells the members Listbox from the transcript Listbox', () => {
    expect(ui.conversations).toEqual([
      { window: '.!toplevel', title: 'Chat x9', members: ['alice', 'carol'], transcript: ['[carol] hey', '[alice] yo', '[carol] hey'] },
    ]);
  });

  it('honours overrides, window-relative ones included', () => {
    const mixed: InterpretContext = { ...ctx, ui: { transcript: '.members', members: '.log' } };
    const conv = interpret(tree, mixed).conversations[0]!;
    expect(conv.transcript).toEqual(['alice', 'carol']);
    expect(conv.members).toEqual(['carol', 'alice']);
  });
});

describe('one Button per user, ttk Combobox and Radiobuttons, two-Text conversation', () => {
  const { tree, ctx } = load('buttons-combobox');
  const ui = interpret(tree, ctx);

  it('reads per-user Buttons, not the header naming self', () => {
    expect(ui.users).toEqual(['bob', 'carol', 'dave']);
  });

  it('reads statuses from the Label in the same row', () => {
    expect(ui.statuses).toEqual({ bob: 'away', dave: 'busy' });
  });

  it('takes the editable Text beside Send as input and the other as transcript; members beside a caption', () => {
    expect(ui.conversations).toEqual([
      { window: '.!toplevel', title: 'bob, alice', members: ['alice', 'bob'], transcript: ['bob says: hi alice'] },
    ]);
    expect(analyze(tree, ctx).conversations.get('.!toplevel')).toMatchObject({
      inputPath: '.!toplevel.!frame.!text',
      transcriptPath: '.!toplevel.!text',
      membersPath: '.!toplevel.!label2',
    });
  });
});

describe('lists with extra content', () => {
  it('shows self (and names never announced) when the list shows them', () => {
    const { tree, ctx } = load('self-shown');
    const ui = interpret(tree, ctx);
    expect(ui.users).toEqual(['alice', 'bob', 'zed_9', 'dave']);
  });

  it('reads statuses written in list items', () => {
    const { tree, ctx } = load('statuses');
    const ui = interpret(tree, ctx);
    expect(ui.users).toEqual(['bob', 'carol', 'dave', 'erin', 'frank']);
    expect(ui.statuses).toEqual({ bob: 'away', carol: 'busy', erin: 'available', frank: 'away' });
  });

  it('reads a Treeview with a status column', () => {
    const { tree, ctx } = load('treeview');
    const ui = interpret(tree, ctx);
    expect(ui.users).toEqual(['bob', 'carol']);
    expect(ui.statuses).toEqual({ bob: 'away', carol: 'available' });
  });

  it('reads per-user Checkbuttons and a members Label without a caption', () => {
    const { tree, ctx } = load('checkbuttons');
    const ui = interpret(tree, ctx);
    expect(ui.users).toEqual(['bob', 'carol']);
    expect(ui.conversations[0]).toMatchObject({ members: ['carol', 'alice'], transcript: ['carol: x'] });
  });
});

describe('main window and images', () => {
  it('collects Label/Button, Text-embedded and Canvas images of the main window only, once each', () => {
    const { tree, ctx } = load('images');
    const ui = interpret(tree, ctx);
    expect(ui.users).toEqual(['bob', 'carol']);
    expect(ui.mainImages).toEqual([H('1'), H('2'), H('3'), H('4')]);
  });

  it('falls back to the window holding the users list when the root is withdrawn', () => {
    const { tree, ctx } = load('withdrawn-root');
    const ui = interpret(tree, ctx);
    expect(ui.main).toBe('.!toplevel2');
    expect(ui.users).toEqual(['bob']);
    expect(ui.windows.map((w) => [w.id, w.kind])).toEqual([
      ['.!toplevel', 'other'],
      ['.!toplevel2', 'main'],
    ]);
  });

  it('takes an empty extended-selection Listbox as the list, and a Join-only window as an invitation', () => {
    const { tree, ctx } = load('empty-list');
    const a = analyze(tree, ctx);
    expect(a.ui.users).toEqual([]);
    expect(a.users?.path).toBe('.users');
    expect(a.ui.invitations).toEqual([{ window: '.!toplevel', title: 'Invited', text: 'bob wants to chat' }]);
  });

  it('has no users list when the main window shows none', () => {
    const tree: WidgetTree = new Map([
      ['.', { path: '.', cls: 'Tk', parent: null, window: '.', mapped: true, title: 'x' }],
      ['.l', { path: '.l', cls: 'Label', parent: '.', window: '.', mapped: true, text: 'Connecting...' }],
    ]);
    const ui = interpret(tree, { self: 'alice', knownUsers: ['alice', 'bob'] });
    expect(ui.main).toBe('.');
    expect(ui.users).toBeUndefined();
    expect(ui.conversations).toEqual([]);
  });

  it('has no main window when nothing is mapped', () => {
    const { tree, ctx } = load('reference');
    const hidden = new Map([...tree].map(([k, w]) => [k, { ...w, mapped: false }]));
    const ui = interpret(hidden, ctx);
    expect(ui).toMatchObject({ main: undefined, users: undefined, windows: [], conversations: [], invitations: [] });
  });
});

describe('helpers', () => {
  it('tokenizes names', () => {
    expect(nameTokens('● bob_1 (away) - x')).toEqual(['bob_1', 'away', '-', 'x']);
  });

  it('finds the user of an entry: first known token, else the first name-like token', () => {
    const known = new Set(['bob']);
    expect(entryUser('[away] bob', known)).toMatchObject({ user: 'bob', known: true });
    expect(entryUser('- zed (busy)', known)).toMatchObject({ user: 'zed', known: false });
    expect(entryUser('● ★', known)).toBeUndefined();
  });

  it('keeps status words only', () => {
    expect(statusWords('  (Away!) ')).toBe('away');
    expect(statusWords(' - ')).toBe('');
  });

  it('counts lines and occurrences', () => {
    const t = ['bob: hi', 'alice: hi hi', 'x'];
    expect(countLinesContaining(t, 'hi')).toBe(2);
    expect(countOccurrences(t, 'hi')).toBe(3);
    expect(countOccurrences(t, '')).toBe(0);
  });

  it('orders the tree depth-first whatever the report order', () => {
    const { widgets } = load('reference');
    const shuffled: WidgetTree = new Map([...widgets].reverse().map((w) => [w.path, w]));
    const paths = treeOrder(shuffled).map((w) => w.path);
    expect(paths[0]).toBe('.');
    expect(paths.indexOf('.!toplevel2.!frame.!text')).toBeGreaterThan(paths.indexOf('.!toplevel2.!frame'));
    expect(paths).toHaveLength(widgets.length);
  });
});

describe('a tree recorded from the reference client', () => {
  const { tree, ctx } = load('recorded-reference');
  const a = analyze(tree, ctx);

  it('reads users and statuses from the Listbox, not from the icon Labels captioned with names (self included)', () => {
    expect(a.ui.users).toEqual(['bob', 'carol']);
    expect(a.ui.statuses).toEqual({ bob: 'away' });
    expect(a.ui.mainImages).toHaveLength(1);
  });

  it('finds the invitation and the conversation inside a ScrolledText', () => {
    expect(a.ui.invitations.map((i) => i.text)).toEqual(['bob invites you to a conversation']);
    expect(a.ui.conversations).toEqual([
      { window: '.!toplevel2', title: 'Conversation c3', members: ['alice', 'carol'], transcript: ['carol: hi there', 'alice: hello'] },
    ]);
    expect(a.conversations.get('.!toplevel2')).toMatchObject({ transcriptPath: '.!toplevel2.!frame.!scrolledtext', inputPath: '.!toplevel2.!frame2.!entry' });
  });
});

describe('a tree recorded through the agent', () => {
  const { tree, ctx } = load('agent-reference');
  const ui = interpret(tree, ctx);

  it('reads the main window, ignoring the unposted OptionMenu Menu', () => {
    expect(ui.main).toBe('.');
    expect(ui.users).toEqual(['bob', 'carol']);
    expect(ui.statuses).toEqual({ bob: 'away' });
    expect(ui.mainImages).toEqual(['90252ef0aa9e3d36c861bbeaa1bd57b7f855333edf2957ab9473838a52e2dd7f']);
  });

  it('reads both conversations and the pending invitation', () => {
    expect(ui.conversations).toEqual([
      { window: '.!toplevel', title: 'Conversation c1', members: ['alice', 'bob'], transcript: ['alice: hello  world', 'bob: hi back'] },
      { window: '.!toplevel3', title: 'Conversation c2', members: ['carol', 'alice'], transcript: [] },
    ]);
    expect(ui.invitations).toEqual([{ window: '.!toplevel4', title: 'Invitation', text: 'bob invites you to a conversation' }]);
    expect(ui.windows.map((w) => w.kind)).toEqual(['main', 'conversation', 'conversation', 'invitation']);
  });
});

describe('conversations as ttk.Notebook tabs', () => {
  const { tree, ctx } = load('notebook');
  const a = analyze(tree, ctx);

  it('reads the users list from a tab that is not in front', () => {
    expect(a.ui.main).toBe('.');
    expect(a.ui.users).toEqual(['bob', 'carol', 'dave']);
    expect(a.users?.path).toBe('.nb.users.list');
  });

  it('reads each conversation tab, shown or not, with members from a LabelFrame or the tab title', () => {
    expect(a.ui.conversations).toEqual([
      { window: '.nb.k7', title: 'K7 (bob)', members: ['alice', 'bob'], transcript: ['bob: hi there'] },
      { window: '.nb.c2', title: 'Chat with carol, dave', members: ['carol', 'dave'], transcript: [] },
    ]);
    expect(a.conversations.get('.nb.c2')).toMatchObject({ inputPath: '.nb.c2.entry', notebook: '.nb' });
    expect(a.conversations.get('.nb.k7')?.membersPath).toBe('.nb.k7.who');
  });

  it('lists the tabs as windows of their own, and on their window', () => {
    expect(a.ui.windows.map((w) => [w.id, w.kind, w.title])).toEqual([
      ['.', 'main', 'Chat - alice'],
      ['.nb.k7', 'conversation', 'K7 (bob)'],
      ['.nb.c2', 'conversation', 'Chat with carol, dave'],
    ]);
    expect(a.ui.windows[0]!.tabs).toEqual(['Users', 'K7 (bob)', 'Chat with carol, dave']);
    expect([...a.tabs.values()].map((t) => [t.pane, t.current])).toEqual([
      ['.nb.users', false],
      ['.nb.k7', true],
      ['.nb.c2', false],
    ]);
  });
});

describe('decoration in lists, members headed in a Listbox, the author on the line above', () => {
  const { tree, ctx } = load('decorated');
  const ui = interpret(tree, ctx);

  it('skips header, separator and count rows; an unknown lone name is still listed', () => {
    expect(ui.users).toEqual(['bob', 'carol', 'Kalo_3']);
    expect(ui.statuses).toEqual({ bob: 'away' });
  });

  it('tells decoration from names', () => {
    for (const row of ['Online users:', '──────', '3 online', '(2)', 'Contacts', 'Users (4)', '— nobody here —']) expect(isDecoration(row), row).toBe(true);
    for (const row of ['Kalo_3', '-ri9', 'Lo-mi (away)', '7kalo']) expect(isDecoration(row), row).toBe(false);
  });

  it('takes a Listbox headed "Members" as the member display, not the transcript', () => {
    const conv = ui.conversations.find((c) => c.window === '.!toplevel')!;
    expect(conv.members).toEqual(['alice', 'bob']);
    expect(conv.transcript).toEqual([]);
    expect(analyze(tree, ctx).conversations.get('.!toplevel')).toMatchObject({ transcriptPath: '.!toplevel.log', membersPath: '.!toplevel.members' });
  });

  it('reads members from the window title when nothing else shows them, and keeps leading spaces and non-ASCII', () => {
    const conv = ui.conversations.find((c) => c.window === '.!toplevel2')!;
    expect(conv.members).toEqual(['carol', 'dave']);
    expect(conv.transcript).toEqual(['carol', '   café  你好, ok?! 🎉', 'dave:', 'salut']);
  });

  it('finds the author on the line itself or on the line above', () => {
    const t = ui.conversations.find((c) => c.window === '.!toplevel2')!.transcript;
    expect(saidBy(t, 1, 'carol')).toBe(true);
    expect(saidBy(t, 3, 'dave')).toBe(true);
    expect(saidBy(t, 3, 'carol')).toBe(false);
    expect(saidBy(['bob: hi'], 0, 'bob')).toBe(true);
    expect(saidBy(['hi'], 0, 'bob')).toBe(false);
  });
});

describe('a second Tk() root and overrides without "#N"', () => {
  const { tree, ctx } = load('second-root');

  it('takes the open second root as the main window', () => {
    const ui = interpret(tree, ctx);
    expect(ui.main).toBe('#2.');
    expect(ui.users).toEqual(['bob', 'alice']);
  });

  it('matches absolute and window-relative overrides inside the second root', () => {
    const a = analyze(tree, { ...ctx, ui: { users: '.side.people', transcript: '.note', input: '.bar.line' } });
    expect(a.ui.main).toBe('#2.');
    expect(a.users?.path).toBe('#2.side.people');
    expect(a.ui.users).toEqual(['bob']);
    expect(a.conversations.get('#2.!toplevel')).toMatchObject({ inputPath: '#2.!toplevel.bar.line', transcriptPath: '#2.!toplevel.note' });
    expect(a.ui.conversations[0]?.transcript).toEqual(['draft']);
  });

  it('takes a main override without the prefix', () => {
    expect(interpret(tree, { ...ctx, ui: { main: '.' } }).main).toBe('#2.');
  });
});

describe('views found by cause (learned from the wire and from typing)', () => {
  const w = (path: string, cls: string, parent: string, extra: Partial<WidgetRecord> = {}): WidgetRecord => ({ path, cls, parent, window: '.', mapped: true, ...extra });
  // A notebook main window as students build it: a Welcome tab that looks like a chat (a log and an entry),
  // a Users tab with the list, then one tab per conversation.
  const lobby: WidgetRecord[] = [
    { path: '.', cls: 'Tk', parent: null, window: '.', mapped: true, title: 'Chat', state: 'normal' },
    w('.nb', 'TNotebook', '.', { items: ['Welcome', 'Users', 'bob'], tabs: ['.nb.welcome', '.nb.users', '.nb.c1'], value: '.nb.welcome' }),
    w('.nb.welcome', 'TFrame', '.nb'),
    w('.nb.welcome.log', 'Text', '.nb.welcome', { text: 'Welcome, alice!\nServer: hello\n', disabled: true }),
    w('.nb.welcome.note', 'TEntry', '.nb.welcome', { text: '', value: '' }),
    w('.nb.welcome.add', 'TButton', '.nb.welcome', { text: 'Add note' }),
    w('.nb.users', 'TFrame', '.nb', { mapped: false }),
    w('.nb.users.list', 'Listbox', '.nb.users', { items: ['bob', 'carol'], selectmode: 'extended', mapped: false }),
    w('.nb.users.start', 'TButton', '.nb.users', { text: 'Start chat', mapped: false }),
    w('.nb.c1', 'TFrame', '.nb', { mapped: false }),
    w('.nb.c1.members', 'TLabel', '.nb.c1', { text: 'Members: alice, bob', mapped: false }),
    w('.nb.c1.log', 'Text', '.nb.c1', { text: 'bob: hi ka1234 there\n', disabled: true, mapped: false }),
    w('.nb.c1.entry', 'TEntry', '.nb.c1', { text: '', value: '', mapped: false }),
    w('.nb.c1.send', 'TButton', '.nb.c1', { text: 'Send', mapped: false }),
  ];
  const tree: WidgetTree = new Map(lobby.map((x) => [x.path, x]));
  const ctx: InterpretContext = { self: 'alice', knownUsers: ['alice', 'bob', 'carol'] };

  it('by layout alone, a welcome tab with a log and an entry looks like a conversation (the guess the wire corrects)', () => {
    expect(interpret(tree, ctx).conversations.map((c) => c.window)).toEqual(['.nb.welcome', '.nb.c1']);
  });

  it('a view on screen before the first conversation event is never a conversation, and its widgets are the main window\'s', () => {
    const before = interpret(tree, { ...ctx, learned: { lobby: 'all' } });
    expect(before.conversations).toEqual([]);
    expect(before.users).toEqual(['bob', 'carol']);
    const after = interpret(tree, { ...ctx, learned: { lobby: new Set(['.', '.nb.welcome', '.nb.users']) } });
    expect(after.conversations.map((c) => [c.window, c.members, c.transcript])).toEqual([['.nb.c1', ['alice', 'bob'], ['bob: hi ka1234 there']]]);
    expect(after.users).toEqual(['bob', 'carol']);
  });

  // A conversation whose transcript is made read-only by intercepting its insert: it still says it is editable, and comes last.
  const chat: WidgetRecord[] = [
    { path: '.', cls: 'Tk', parent: null, window: '.', mapped: true, title: 'Chat', state: 'normal' },
    w('.users', 'Listbox', '.', { items: ['bob'] }),
    { path: '.t', cls: 'Toplevel', parent: '.', window: '.t', mapped: true, title: 'Chat with bob', state: 'normal' },
    { ...w('.t.bar', 'Frame', '.t'), window: '.t' },
    { ...w('.t.bar.input', 'Text', '.t.bar', { text: '' }), window: '.t' },
    { ...w('.t.bar.go', 'Button', '.t.bar', { text: '', image: { name: 'arrow', type: 'photo', width: 8, height: 8 } }), window: '.t' },
    { ...w('.t.log', 'Text', '.t', { text: '[10:21] bob: hello vi2498\n[10:22] bob: more\n' }), window: '.t' },
  ];
  const chatTree: WidgetTree = new Map(chat.map((x) => [x.path, x]));

  it('the transcript is where the server\'s tokens show; by layout alone the last editable Text would be the input', () => {
    expect(analyze(chatTree, ctx).conversations.get('.t')).toMatchObject({ inputPath: '.t.log', transcriptPath: '.t.bar.input' });
    expect(analyze(chatTree, { ...ctx, learned: { tokens: ['vi2498'] } }).conversations.get('.t')).toMatchObject({ inputPath: '.t.bar.input', transcriptPath: '.t.log' });
  });

  it('a box that did not take typed text is no input; one that did is, whatever it claims', () => {
    expect(analyze(chatTree, { ...ctx, learned: { typed: new Map([['.t.log', false]]) } }).conversations.get('.t')).toMatchObject({ inputPath: '.t.bar.input', transcriptPath: '.t.log' });
    expect(analyze(chatTree, { ...ctx, learned: { typed: new Map([['.t.bar.input', true]]) } }).conversations.get('.t')).toMatchObject({ inputPath: '.t.bar.input', transcriptPath: '.t.log' });
  });

  it('a leading time is no part of a transcript line, and a token is a whole word', () => {
    expect(interpret(chatTree, { ...ctx, learned: { tokens: ['vi2498'] } }).conversations[0]!.transcript).toEqual(['bob: hello vi2498', 'bob: more']);
    expect(withoutTime('10:21:05 pm | bob: hi')).toBe('bob: hi');
    expect(withoutTime('(9:05) bob: hi')).toBe('bob: hi');
    expect(withoutTime('10:21')).toBe('10:21');
    expect(withoutTime('bob: at 10:21 then')).toBe('bob: at 10:21 then');
    expect(hasToken('bob: vi2498!', 'vi2498')).toBe(true);
    expect(hasToken('bob: vi24981', 'vi2498')).toBe(false);
  });
});
