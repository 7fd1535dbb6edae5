// Failures a student can act on: what the driver did and what appeared when
// an action produced nothing, what was on screen when no conversation window
// was found, and traceback summaries that end at the student's code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tracebackSummary } from '../src/packs/chat/scenarios/traceback.js';
import { startGrader, type Grader } from './helpers/grading.js';
import { checkOf as check } from './helpers/results.js';
import { removeVariants, variant } from './helpers/variant.js';

let grader: Grader;

beforeAll(async () => {
  grader = await startGrader();
});
afterAll(async () => {
  await grader?.close();
  await removeVariants();
});

describe('tracebackSummary', () => {
  const tb = [
    'Traceback (most recent call last):',
    '  File "/usr/lib/python3.11/tkinter/__init__.py", line 1948, in __call__',
    '    return self.func(*args)',
    '  File "/sub/gui.py", line 42, in on_message',
    '    conv, sender, text = args.split(" ", 2)',
    '    ^^^^^^^^^^^^^^^^^^',
    '  File "/usr/lib/python3.11/tkinter/__init__.py", line 1700, in configure',
    '    return self._configure(\'configure\', cnf, kw)',
    '  File "/opt/chatgrade/agent/chatgrade_agent/patches.py", line 250, in call',
    '    return self._raw.call(*args)',
    'ValueError: not enough values to unpack (expected 3, got 2)',
  ].join('\n');

  it('ends at the deepest frame in the submission, with the exception', () => {
    expect(tracebackSummary(tb, '/sub')).toBe('gui.py:42 in on_message: conv, sender, text = args.split(" ", 2) | ValueError: not enough values to unpack (expected 3, got 2)');
  });

  it('without the folder, takes the deepest frame outside the agent and the Python library', () => {
    expect(tracebackSummary(tb)).toBe('gui.py:42 in on_message: conv, sender, text = args.split(" ", 2) | ValueError: not enough values to unpack (expected 3, got 2)');
    expect(tracebackSummary('Traceback (most recent call last):\nKeyError: 1')).toBe('KeyError: 1');
  });
});

describe('when an action produces nothing', () => {
  it('says what the driver did and which window appeared', async () => {
    const dir = await variant([
      ['from tkinter import simpledialog', 'from tkinter import messagebox, simpledialog'],
      ['        self.send("INVITE " + " ".join(users))', '        messagebox.showerror("Chat", "Not connected")'],
    ]);
    const r = await grader.grade(dir, { only: ['conv.invite.sent'] });
    const c = check(r, 'conv.invite.sent');
    expect(c.status).toBe('failed');
    expect(c.actual).toMatch(/got nothing in \d+ ms \(the grader selected '[^']+' in \.!listbox; pressed 'Chat' \(\.!frame2\.!button\); then appeared: a dialog window 'Chat' showing "Not connected \| OK"\)/);
  }, 60_000);

  it('lists what was on screen when no conversation window appeared, and still measures responsiveness', async () => {
    // The conversation window has no input the grader recognises (a Spinbox).
    const dir = await variant([['        self.entry = tk.Entry(bar)', '        self.entry = tk.Spinbox(bar)']]);
    const r = await grader.grade(dir, { only: ['conv.conversations.members', 'structure.gui.responsive'] });
    const members = check(r, 'conv.conversations.members');
    expect(members.status).toBe('failed');
    expect(members.actual).toMatch(/^no conversation window appeared: waited \d+ ms for a conversation window for \S+; last seen: main window '\.' with users \[[^\]]*\]; other window '\.!toplevel\d*' "Conversation \S+"/);
    expect(check(r, 'structure.gui.responsive').status).toBe('passed');
  }, 60_000);
});
