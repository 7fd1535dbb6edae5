// The GUI as a small model: a main window with the online list (statuses
// and icons beside names), invitation windows and conversation windows.
// There is no screen: every change is described to the probe, which is how
// the grader (or a test) sees it.

export function createUi(probe, self) {
  const users = { list: [], statuses: {} };
  const conversations = new Map(); // conv -> { window, members, lines }
  const invitations = new Map(); // conv -> window

  const window = (id, kind, title, open, text) => probe.emit({ type: 'window', id, kind, title, open, ...(text ? { text } : {}) });
  const showUsers = () => {
    const statuses = Object.fromEntries(users.list.filter((u) => users.statuses[u]).map((u) => [u, users.statuses[u]]));
    probe.emit({ type: 'users', users: [...users.list], statuses });
  };

  return {
    showMain() {
      window('main', 'main', `Chat - ${self}`, true);
      showUsers();
    },
    notice(text) {
      window('main', 'main', `Chat - ${self}`, true, text);
    },
    setOnline(list) {
      users.list = list.filter((u) => u !== self);
      showUsers();
    },
    setStatus(user, value) {
      users.statuses[user] = value;
      probe.emit({ type: 'status', user, status: value });
    },
    setIcon(user, sha256) {
      probe.emit({ type: 'icon', user, sha256 });
    },
    showInvitation(conv, inviter) {
      const id = `invite-${conv}`;
      invitations.set(conv, id);
      window(id, 'invitation', 'Invitation', true, `${inviter} invites you to ${conv}`);
    },
    /** The conversation an invitation window is for, closing the window. */
    takeInvitation(id) {
      const conv = [...invitations].find(([, w]) => w === id)?.[0];
      if (conv === undefined) throw new Error(`no invitation window ${id}`);
      invitations.delete(conv);
      window(id, 'invitation', 'Invitation', false);
      return conv;
    },
    openConversation(conv) {
      if (conversations.has(conv)) return;
      const id = `conv-${conv}`;
      conversations.set(conv, { window: id, lines: [] });
      window(id, 'conversation', `Conversation ${conv}`, true);
      probe.emit({ type: 'transcript', window: id, lines: [] });
    },
    /** The conversation a window shows, or an error for one that is not open. */
    conversationOf(id) {
      const conv = [...conversations].find(([, c]) => c.window === id)?.[0];
      if (conv === undefined) throw new Error(`no conversation window ${id}`);
      return conv;
    },
    closeConversation(conv) {
      const c = conversations.get(conv);
      if (!c) return;
      conversations.delete(conv);
      window(c.window, 'conversation', `Conversation ${conv}`, false);
    },
    setMembers(conv, members) {
      const c = conversations.get(conv);
      if (c) probe.emit({ type: 'members', window: c.window, members: [...members] });
    },
    addLine(conv, from, text) {
      const c = conversations.get(conv);
      if (c) probe.emit({ type: 'transcript', window: c.window, lines: [`${from}: ${text}`], append: true });
    },
    closeAll() {
      for (const conv of [...conversations.keys()]) this.closeConversation(conv);
      for (const id of [...invitations.values()]) window(id, 'invitation', 'Invitation', false);
      invitations.clear();
      window('main', 'main', `Chat - ${self}`, false);
    },
  };
}
