// parse() and format() over the grammar table. parse never throws on input:
// a bad line comes back as a typed error saying why.

import {
  BASE64_RE,
  NAME_RE,
  SPECS,
  STATUS_RE,
  specFor,
  type ArgKind,
  type Direction,
  type Group,
  type Message,
  type MessageOf,
  type MessageSpec,
} from './grammar.js';

/** Why a line is not a valid message. */
export type ParseErrorCode =
  | 'empty'
  | 'unknownCommand'
  | 'argCount'
  | 'badUser'
  | 'badConv'
  | 'badStatus'
  | 'badGroup'
  | 'badBase64'
  | 'emptyText';

/** A typed parse failure. */
export interface ParseError {
  code: ParseErrorCode;
  message: string;
}

/** parse()'s result: the message, or why not. */
export type ParseResult<D extends Direction> =
  | { ok: true; message: MessageOf<D> }
  | { ok: false; error: ParseError };

const fail = (code: ParseErrorCode, message: string): { ok: false; error: ParseError } => ({
  ok: false,
  error: { code, message },
});

function checkToken(kind: ArgKind, token: string, field: string): ParseError | undefined {
  switch (kind) {
    case 'user':
    case 'users':
      return NAME_RE.test(token) ? undefined : { code: 'badUser', message: `${field}: "${token}" is not a user name (1-32 of A-Z a-z 0-9 _ -)` };
    case 'conv':
      return NAME_RE.test(token) ? undefined : { code: 'badConv', message: `${field}: "${token}" is not a conversation id (1-32 of A-Z a-z 0-9 _ -)` };
    case 'status':
      return STATUS_RE.test(token) ? undefined : { code: 'badStatus', message: `${field}: "${token}" is not a status (lower-case letters)` };
    case 'base64':
      return BASE64_RE.test(token) && token.length % 4 === 0 ? undefined : { code: 'badBase64', message: `${field}: not base64 without line breaks` };
    default:
      return undefined;
  }
}

function parseGroup(token: string): Group | ParseError {
  const colon = token.indexOf(':');
  if (colon < 0) return { code: 'badGroup', message: `"${token}" is not conv:user[,user...]` };
  const conv = token.slice(0, colon);
  const members = token.slice(colon + 1).split(',');
  if (!NAME_RE.test(conv)) return { code: 'badConv', message: `conversations: "${conv}" is not a conversation id` };
  const bad = members.find((m) => !NAME_RE.test(m));
  if (bad !== undefined) return { code: 'badUser', message: `conversations: "${bad}" in "${token}" is not a user name` };
  return { conv, members };
}

function arity(spec: MessageSpec): string {
  if (spec.args.length === 0) return 'no arguments';
  return spec.args.map((a) => (a.kind === 'users' || a.kind === 'groups' ? `<${a.field}...>` : `<${a.field}>`)).join(' ');
}

/** Parse one line (without its line ending) sent in direction `dir`. Never throws. */
export function parse<D extends Direction>(line: string, dir: D): ParseResult<D> {
  if (line.length === 0) return fail('empty', 'empty line');
  const space = line.indexOf(' ');
  const command = space < 0 ? line : line.slice(0, space);
  const spec = specFor(command, dir);
  if (!spec) return fail('unknownCommand', `unknown command "${command.slice(0, 40)}"`);
  let rest = space < 0 ? undefined : line.slice(space + 1);
  const out: Record<string, unknown> = { type: spec.type };
  for (const [i, arg] of spec.args.entries()) {
    if (rest === undefined) return fail('argCount', `${spec.type} takes ${arity(spec)}; argument ${i + 1} (${arg.field}) is missing`);
    if (arg.kind === 'text') {
      if (rest.length === 0) return fail('emptyText', `${spec.type}: ${arg.field} is empty`);
      out[arg.field] = rest;
      rest = undefined;
    } else if (arg.kind === 'users' || arg.kind === 'groups') {
      const tokens = rest.split(' ');
      const values: unknown[] = [];
      for (const token of tokens) {
        if (arg.kind === 'users') {
          const err = checkToken('users', token, arg.field);
          if (err) return { ok: false, error: err };
          values.push(token);
        } else {
          const group = parseGroup(token);
          if ('code' in group) return { ok: false, error: group };
          values.push(group);
        }
      }
      out[arg.field] = values;
      rest = undefined;
    } else {
      const next = rest.indexOf(' ');
      const token = next < 0 ? rest : rest.slice(0, next);
      const err = checkToken(arg.kind, token, arg.field);
      if (err) return { ok: false, error: err };
      out[arg.field] = token;
      rest = next < 0 ? undefined : rest.slice(next + 1);
    }
  }
  if (rest !== undefined) return fail('argCount', `${spec.type} takes ${arity(spec)}; extra "${rest.slice(0, 40)}"`);
  return { ok: true, message: out as MessageOf<D> };
}

/** The canonical line for a message, without the line ending. */
export function format(message: Message): string {
  const parts: string[] = [message.type];
  const fields = message as unknown as Record<string, unknown>;
  // SEND_MESSAGE and STATUS exist both ways; the message's exact fields pick the row.
  const keys = Object.keys(fields).filter((k) => k !== 'type').sort().join();
  const spec = SPECS.find((sp) => sp.type === message.type && sp.args.map((a) => a.field).sort().join() === keys);
  if (!spec) throw new Error(`format: unknown message ${message.type}`);
  for (const arg of spec.args) {
    const value = fields[arg.field];
    if (arg.kind === 'users') parts.push((value as string[]).join(' '));
    else if (arg.kind === 'groups') parts.push((value as Group[]).map((g) => `${g.conv}:${g.members.join(',')}`).join(' '));
    else parts.push(String(value));
  }
  return parts.join(' ');
}

/** A tolerance a lenient parse applied. */
export type Tolerance = 'crlf' | 'trailingSpace' | 'lowerCaseCommand' | 'extraSpaces';

const TOLERANCE_TEXT: Record<Tolerance, string> = {
  crlf: '\\r\\n line ending',
  trailingSpace: 'trailing white space',
  lowerCaseCommand: 'command not in upper case',
  extraSpaces: 'more than one space between arguments',
};

export function describeTolerance(t: Tolerance): string {
  return TOLERANCE_TEXT[t];
}

/** lenientParse's result: a message plus the tolerances it took to read it. */
export type LenientResult<D extends Direction> =
  | { ok: true; message: MessageOf<D>; tolerances: Tolerance[] }
  | { ok: false; error: ParseError };

/**
 * Parse what a client sent, forgiving common slips and naming each one used,
 * so a check can call the result non-strict instead of failed. Free text is
 * never altered: only the command and the arguments before it are.
 */
export function lenientParse<D extends Direction>(line: string, dir: D, opts: { crlf?: boolean } = {}): LenientResult<D> {
  const tolerances: Tolerance[] = opts.crlf ? ['crlf'] : [];
  const strict = parse(line, dir);
  if (strict.ok) return { ok: true, message: strict.message, tolerances };
  let fixed = line;
  const space = fixed.indexOf(' ');
  const command = space < 0 ? fixed : fixed.slice(0, space);
  if (command !== command.toUpperCase() && specFor(command.toUpperCase(), dir)) {
    fixed = command.toUpperCase() + fixed.slice(command.length);
    tolerances.push('lowerCaseCommand');
  }
  const spec = specFor(fixed.split(' ')[0] ?? '', dir);
  const hasText = spec?.args.some((a) => a.kind === 'text') ?? false;
  if (!hasText && /[ \t]+$/.test(fixed)) {
    fixed = fixed.replace(/[ \t]+$/, '');
    tolerances.push('trailingSpace');
  }
  if (spec && !hasText && / {2,}/.test(fixed)) {
    fixed = fixed.replace(/ {2,}/g, ' ');
    tolerances.push('extraSpaces');
  }
  const second = parse(fixed, dir);
  if (second.ok) return { ok: true, message: second.message, tolerances };
  return strict;
}
