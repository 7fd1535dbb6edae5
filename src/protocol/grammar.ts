// The chat protocol (version 1) as data: every message's name, direction and
// argument shapes. parse() and format() are driven by this table, so adding a
// message is one row here plus its type below.

/** Which way a message travels. */
export type Direction = 'c2s' | 's2c';

/**
 * Argument shapes: a single token (`user`, `conv`, `status`, `base64`), one
 * or more tokens to the end of the line (`users`, `groups`), or free text to
 * the end of the line, kept verbatim (`text`).
 */
export type ArgKind = 'user' | 'conv' | 'status' | 'base64' | 'users' | 'groups' | 'text';

/** One argument of a message: the field it fills and its shape. */
export interface ArgSpec {
  field: string;
  kind: ArgKind;
}

/** One row of the protocol table. */
export interface MessageSpec {
  type: string;
  dir: Direction;
  args: readonly ArgSpec[];
}

export const MAX_LINE_BYTES = 4096;
export const NAME_RE = /^[A-Za-z0-9_-]{1,32}$/;
export const STATUS_RE = /^[a-z]+$/;
export const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;

const a = (field: string, kind: ArgKind): ArgSpec => ({ field, kind });

export const SPECS: readonly MessageSpec[] = [
  { type: 'REGISTER', dir: 'c2s', args: [a('user', 'user')] },
  { type: 'INVITE', dir: 'c2s', args: [a('users', 'users')] },
  { type: 'JOIN', dir: 'c2s', args: [a('conv', 'conv')] },
  { type: 'LEAVE', dir: 'c2s', args: [a('conv', 'conv')] },
  { type: 'SEND_MESSAGE', dir: 'c2s', args: [a('conv', 'conv'), a('text', 'text')] },
  { type: 'STATUS', dir: 'c2s', args: [a('status', 'status')] },
  { type: 'GOODBYE', dir: 'c2s', args: [] },
  { type: 'ONLINE_USERS', dir: 's2c', args: [a('users', 'users')] },
  { type: 'INVITATION', dir: 's2c', args: [a('conv', 'conv'), a('inviter', 'user')] },
  { type: 'CONVERSATIONS', dir: 's2c', args: [a('conversations', 'groups')] },
  { type: 'SEND_MESSAGE', dir: 's2c', args: [a('conv', 'conv'), a('from', 'user'), a('text', 'text')] },
  { type: 'STATUS', dir: 's2c', args: [a('user', 'user'), a('status', 'status')] },
  { type: 'ICON', dir: 's2c', args: [a('user', 'user'), a('data', 'base64')] },
  { type: 'ERROR', dir: 's2c', args: [a('text', 'text')] },
];

/** A conversation and its members, as CONVERSATIONS carries it. */
export interface Group {
  conv: string;
  members: string[];
}

/** What a client sends. */
export type ClientMessage =
  | { type: 'REGISTER'; user: string }
  | { type: 'INVITE'; users: string[] }
  | { type: 'JOIN'; conv: string }
  | { type: 'LEAVE'; conv: string }
  | { type: 'SEND_MESSAGE'; conv: string; text: string }
  | { type: 'STATUS'; status: string }
  | { type: 'GOODBYE' };

/** What the server sends. */
export type ServerMessage =
  | { type: 'ONLINE_USERS'; users: string[] }
  | { type: 'INVITATION'; conv: string; inviter: string }
  | { type: 'CONVERSATIONS'; conversations: Group[] }
  | { type: 'SEND_MESSAGE'; conv: string; from: string; text: string }
  | { type: 'STATUS'; user: string; status: string }
  | { type: 'ICON'; user: string; data: string }
  | { type: 'ERROR'; text: string };

export type Message = ClientMessage | ServerMessage;

/** The message type for a direction. */
export type MessageOf<D extends Direction> = D extends 'c2s' ? ClientMessage : ServerMessage;

export function specFor(type: string, dir: Direction): MessageSpec | undefined {
  return SPECS.find((s) => s.type === type && s.dir === dir);
}
