// GUI styles the conventions allow, graded end to end: each is the
// reference client rebuilt in another style a student may choose, and must
// keep full marks. The probe must see what a person sees, whatever the style.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lost, startGrader, type Grader } from './helpers/grading.js';
import { removeVariants, variant } from './helpers/variant.js';

let grader: Grader;

beforeAll(async () => {
  grader = await startGrader();
});
afterAll(async () => {
  await grader?.close();
  await removeVariants();
});

type Edits = (readonly [string, string])[];

const QUIT_QUESTION: Edits = [
  ['from tkinter import simpledialog', 'from tkinter import messagebox, simpledialog'],
  ['    def quit(self) -> None:\n', '    def quit(self) -> None:\n        if not messagebox.askyesno("Quit", "Really log out?"):\n            return\n'],
];

const MEMBERS_IN_TITLE: Edits = [
  ['        self.members = tk.Label(self.top, anchor="w")\n        self.members.pack(fill="x", padx=5, pady=(5, 0))\n', ''],
  ['        self.members.config(text="Members: " + ", ".join(members))', '        self.top.title("Chat with " + ", ".join(members))'],
];

const HEADED_LIST: Edits = [
  ['        self.user_list.delete(0, "end")\n        for index, name in enumerate(self.users):',
    '        self.user_list.delete(0, "end")\n        self.user_list.insert("end", f"Online users ({len(self.users)})", "──────────")\n        for index, name in enumerate(self.users, start=2):'],
  ['        users = [self.users[i] for i in self.user_list.curselection()]', '        users = [self.users[i - 2] for i in self.user_list.curselection() if i >= 2]'],
  ['        index = self.user_list.nearest(event.y)', '        index = self.user_list.nearest(event.y) - 2'],
];

const AUTHOR_ABOVE: Edits = [['            window.show(f"{sender}: {text}")', '            window.show(f"{sender}\\n{text}")']];

const TEXT_LIST: Edits = [
  ['        self.user_list = tk.Listbox(self.root, selectmode=tk.MULTIPLE,\n                                    width=30, height=12)',
    '        self.user_list = tk.Text(self.root, width=30, height=12, state="disabled")'],
  ['        users = [self.users[i] for i in self.user_list.curselection()]',
    '        try:\n            chosen = self.user_list.get("sel.first", "sel.last")\n        except tk.TclError:\n            chosen = ""\n        users = [line.split()[0] for line in chosen.splitlines() if line.strip()]'],
  ['        self.user_list.selection_clear(0, "end")', '        self.user_list.tag_remove("sel", "1.0", "end")'],
  ['        index = self.user_list.nearest(event.y)\n        if 0 <= index < len(self.users):\n            self.send(f"INVITE {self.users[index]}")',
    '        line = self.user_list.get(f"@{event.x},{event.y} linestart", f"@{event.x},{event.y} lineend")\n        if line.strip():\n            self.send(f"INVITE {line.split()[0]}")'],
  ['        selected = {self.user_list.get(i).split()[0]\n                    for i in self.user_list.curselection()}\n        self.user_list.delete(0, "end")\n        for index, name in enumerate(self.users):\n            status = self.statuses.get(name)\n            self.user_list.insert("end", f"{name} ({status})" if status else name)\n            if name in selected:\n                self.user_list.selection_set(index)',
    '        self.user_list.config(state="normal")\n        self.user_list.delete("1.0", "end")\n        for name in self.users:\n            status = self.statuses.get(name)\n            self.user_list.insert("end", (f"{name} ({status})" if status else name) + "\\n")\n        self.user_list.config(state="disabled")'],
];

const NOTEBOOK_TABS: Edits = [
  ['import tkinter as tk\n', 'import tkinter as tk\nfrom tkinter import ttk\n'],
  ['        self.top = tk.Toplevel(root)\n        self.top.title(f"Conversation {conv}")\n        self.top.protocol("WM_DELETE_WINDOW", lambda: on_leave(conv))',
    '        book = getattr(root, "chat_book", None)\n        if book is None:\n            top = tk.Toplevel(root)\n            top.title("Chats")\n            book = root.chat_book = ttk.Notebook(top)\n            book.pack(fill="both", expand=True)\n        self.top = ttk.Frame(book)\n        book.add(self.top, text=f"Conversation {conv}")'],
];

const STYLES: [name: string, edits: Edits, checks: string[]][] = [
  ['a question on quitting ("Really log out?")', QUIT_QUESTION, ['basic.goodbye.*']],
  ['members shown in the window title', MEMBERS_IN_TITLE, ['conv.conversations.*', 'conv.multiple.members']],
  ['a users Listbox with a header, a count and a separator', HEADED_LIST, ['basic.online_users.*', 'conv.invite.*', 'bonus.status.shown']],
  ['the author on the line above the text', AUTHOR_ABOVE, ['conv.send.*']],
  ['a read-only Text of users, selected by dragging', TEXT_LIST, ['basic.online_users.*', 'conv.invite.*', 'bonus.status.shown']],
  ['conversations as tabs of a ttk.Notebook', NOTEBOOK_TABS, ['conv.*', 'structure.gui.*']],
];

describe('other GUI styles keep full marks', () => {
  for (const [name, edits, checks] of STYLES) {
    it(name, async () => {
      const r = await grader.grade(await variant(edits), { only: checks });
      expect(lost(r)).toEqual(Object.fromEntries(r.checks.filter((c) => c.status === 'skipped').map((c) => [c.id, expect.stringMatching(/^skipped/)])));
      expect(r.checks.filter((c) => c.status === 'passed').length).toBeGreaterThan(0);
    }, 120_000);
  }
});
