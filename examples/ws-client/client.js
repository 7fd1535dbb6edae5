// The reference JavaScript chat client: start({ url, user, probe }) connects,
// registers, and from then on turns server lines into GUI changes and the
// user's actions (the probe's commands) into lines. Importing this module
// starts nothing.

import { connect } from './net.js';
import * as protocol from './protocol.js';
import { createUi } from './ui.js';

async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function decodeBase64(text) {
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export function start({ url, user, probe }) {
  const ui = createUi(probe, user);
  let quitting = false;

  const handlers = {
    ONLINE_USERS: (m) => ui.setOnline(m.users),
    INVITATION: (m) => (m.inviter === user ? ui.openConversation(m.conv) : ui.showInvitation(m.conv, m.inviter)),
    CONVERSATIONS: (m) => m.groups.forEach((g) => ui.setMembers(g.conv, g.members)),
    SEND_MESSAGE: (m) => ui.addLine(m.conv, m.from, m.text),
    STATUS: (m) => ui.setStatus(m.user, m.status),
    ICON: (m) => {
      let bytes;
      try {
        bytes = decodeBase64(m.data);
      } catch {
        return; // not base64: nothing to show
      }
      sha256Hex(bytes).then((digest) => ui.setIcon(m.user, digest));
    },
    ERROR: (m) => ui.notice(`server: ${m.text}`),
  };

  const net = connect(url, {
    onOpen: () => net.send(protocol.register(user)),
    onLine: (line) => {
      const message = protocol.parse(line);
      if (message) handlers[message.type](message);
    },
    onClose: () => {
      if (!quitting) ui.notice('connection lost');
    },
  });

  probe.on('invite', ({ users }) => net.send(protocol.invite(users)));
  probe.on('accept', ({ window }) => {
    const conv = ui.takeInvitation(window);
    net.send(protocol.join(conv));
    ui.openConversation(conv);
  });
  probe.on('decline', ({ window }) => {
    ui.takeInvitation(window);
  });
  probe.on('say', ({ window, text }) => net.send(protocol.say(ui.conversationOf(window), text)));
  probe.on('close', ({ window }) => {
    const conv = ui.conversationOf(window);
    net.send(protocol.leave(conv));
    ui.closeConversation(conv);
  });
  probe.on('set_status', ({ status }) => net.send(protocol.status(status)));

  const stop = () => {
    if (quitting) return;
    quitting = true;
    net.send(protocol.goodbye());
    net.close();
    ui.closeAll();
  };
  probe.on('quit', stop);

  ui.showMain();
  return { stop };
}
