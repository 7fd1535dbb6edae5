// The reference server behaviour of the protocol, as table-based dispatch:
// one handler per client message type. It serves real clients (`grade
// serve`) and is the default responder scenarios can lean on.

import { format } from '../protocol/codec.js';
import type { ClientMessage, Group, ServerMessage } from '../protocol/grammar.js';
import type { FakeServer } from './server.js';
import type { Inbound, Session } from './session.js';

/** A line the wire log shows: who, which way, what. */
export interface LogEvent {
  session: number;
  user: string | undefined;
  dir: 'c>s' | 's>c' | 'note';
  text: string;
}

export interface ReferenceOptions {
  /** Conversation ids; defaults to c1, c2, ... */
  newConversationId?: () => string;
  log?: (event: LogEvent) => void;
}

interface Conversation {
  id: string;
  members: string[];
  invited: Set<string>;
}

type Handler<T extends ClientMessage['type']> = (from: Session, msg: Extract<ClientMessage, { type: T }>) => void;
type Table = { [T in ClientMessage['type']]: Handler<T> };

export class ReferenceServer {
  /** Registered users in registration order. */
  private users = new Map<string, Session>();
  private names = new Map<Session, string>();
  private conversations = new Map<string, Conversation>();
  private nextId = 1;
  private readonly newId: () => string;

  private readonly handlers: Table = {
    REGISTER: (s, m) => this.register(s, m.user),
    INVITE: (s, m) => this.invite(s, m.users),
    JOIN: (s, m) => this.join(s, m.conv),
    LEAVE: (s, m) => this.leave(s, m.conv),
    SEND_MESSAGE: (s, m) => this.relay(s, m.conv, m.text),
    STATUS: (s, m) => this.status(s, m.status),
    GOODBYE: (s) => this.goodbye(s),
  };

  constructor(
    server: FakeServer,
    private readonly opts: ReferenceOptions = {},
  ) {
    this.newId = opts.newConversationId ?? (() => `c${this.nextId++}`);
    server.onSession((s) => this.attach(s));
  }

  /** Online user names, in registration order. */
  online(): string[] {
    return [...this.users.keys()];
  }

  private attach(session: Session): void {
    this.log(session, 'note', `connected from ${session.conn.remote}`);
    session.onLine((line) => this.dispatch(session, line));
    session.conn.onClose(() => {
      this.log(session, 'note', 'disconnected');
      this.goodbye(session);
    });
  }

  private log(session: Session, dir: LogEvent['dir'], text: string): void {
    this.opts.log?.({ session: session.id, user: this.names.get(session), dir, text });
  }

  private dispatch(session: Session, line: Inbound): void {
    const msg = line.message;
    const name = msg?.type === 'REGISTER' && !this.names.has(session) ? msg.user : this.names.get(session);
    this.opts.log?.({ session: session.id, user: name, dir: 'c>s', text: line.text });
    // Unknown or malformed lines are ignored, as the protocol asks of every receiver.
    if (!msg) return;
    if (msg.type !== 'REGISTER' && !this.names.has(session)) return;
    (this.handlers[msg.type] as Handler<typeof msg.type>)(session, msg as never);
  }

  private send(to: Session | string, message: ServerMessage): void {
    const session = typeof to === 'string' ? this.users.get(to) : to;
    if (!session || session.isClosed) return;
    const text = format(message);
    void session.sendLine(text);
    this.log(session, 's>c', text);
  }

  private broadcastOnline(): void {
    const users = this.online();
    if (users.length === 0) return;
    for (const name of users) this.send(name, { type: 'ONLINE_USERS', users });
  }

  private sendConversations(user: string): void {
    const conversations: Group[] = [...this.conversations.values()]
      .filter((c) => c.members.includes(user))
      .map((c) => ({ conv: c.id, members: [...c.members] }));
    if (conversations.length) this.send(user, { type: 'CONVERSATIONS', conversations });
  }

  private register(session: Session, user: string): void {
    if (this.names.has(session)) return this.send(session, { type: 'ERROR', text: `already registered as ${this.names.get(session)}` });
    if (this.users.has(user)) {
      this.send(session, { type: 'ERROR', text: `the name ${user} is already online` });
      session.close();
      return;
    }
    this.users.set(user, session);
    this.names.set(session, user);
    this.broadcastOnline();
  }

  private invite(session: Session, invitees: string[]): void {
    const inviter = this.names.get(session)!;
    const conv: Conversation = { id: this.newId(), members: [inviter], invited: new Set() };
    this.conversations.set(conv.id, conv);
    for (const user of new Set(invitees)) {
      if (user === inviter || !this.users.has(user)) continue;
      conv.invited.add(user);
      this.send(user, { type: 'INVITATION', conv: conv.id, inviter });
    }
    this.send(inviter, { type: 'INVITATION', conv: conv.id, inviter });
    this.sendConversations(inviter);
  }

  private join(session: Session, id: string): void {
    const user = this.names.get(session)!;
    const conv = this.conversations.get(id);
    if (!conv || !conv.invited.has(user)) return this.send(session, { type: 'ERROR', text: `no invitation to conversation ${id}` });
    conv.invited.delete(user);
    if (!conv.members.includes(user)) conv.members.push(user);
    for (const m of conv.members) this.sendConversations(m);
  }

  private leave(session: Session, id: string): void {
    const user = this.names.get(session)!;
    const conv = this.conversations.get(id);
    if (!conv || !conv.members.includes(user)) return this.send(session, { type: 'ERROR', text: `not in conversation ${id}` });
    this.removeMember(conv, user);
  }

  private removeMember(conv: Conversation, user: string): void {
    conv.members = conv.members.filter((m) => m !== user);
    if (conv.members.length === 0) {
      this.conversations.delete(conv.id);
      return;
    }
    for (const m of conv.members) this.sendConversations(m);
  }

  private relay(session: Session, id: string, text: string): void {
    const from = this.names.get(session)!;
    const conv = this.conversations.get(id);
    if (!conv || !conv.members.includes(from)) return this.send(session, { type: 'ERROR', text: `not in conversation ${id}` });
    for (const m of conv.members) this.send(m, { type: 'SEND_MESSAGE', conv: id, from, text });
  }

  private status(session: Session, status: string): void {
    const user = this.names.get(session)!;
    for (const name of this.online()) this.send(name, { type: 'STATUS', user, status });
  }

  private goodbye(session: Session): void {
    const user = this.names.get(session);
    if (user === undefined) return;
    this.names.delete(session);
    this.users.delete(user);
    for (const conv of [...this.conversations.values()]) {
      conv.invited.delete(user);
      if (conv.members.includes(user)) this.removeMember(conv, user);
    }
    this.broadcastOnline();
  }
}
