import { describe, expect, it } from 'vitest';
import { describeTolerance, format, lenientParse, parse } from '../src/protocol/codec.js';
import type { Message } from '../src/protocol/grammar.js';
import { LineSplitter, type LineEvent } from '../src/protocol/lines.js';

const client: [string, Message][] = [
  ['REGISTER alice', { type: 'REGISTER', user: 'alice' }],
  ['INVITE bob', { type: 'INVITE', users: ['bob'] }],
  ['INVITE bob carol', { type: 'INVITE', users: ['bob', 'carol'] }],
  ['JOIN c1', { type: 'JOIN', conv: 'c1' }],
  ['JOIN conv_x-9', { type: 'JOIN', conv: 'conv_x-9' }],
  ['LEAVE c1', { type: 'LEAVE', conv: 'c1' }],
  ['SEND_MESSAGE c1 hi there', { type: 'SEND_MESSAGE', conv: 'c1', text: 'hi there' }],
  ['SEND_MESSAGE c1  two  spaces ', { type: 'SEND_MESSAGE', conv: 'c1', text: ' two  spaces ' }],
  ['STATUS away', { type: 'STATUS', status: 'away' }],
  ['GOODBYE', { type: 'GOODBYE' }],
];

const server: [string, Message][] = [
  ['ONLINE_USERS alice bob', { type: 'ONLINE_USERS', users: ['alice', 'bob'] }],
  ['INVITATION c1 alice', { type: 'INVITATION', conv: 'c1', inviter: 'alice' }],
  ['CONVERSATIONS c1:alice,bob c2:alice', { type: 'CONVERSATIONS', conversations: [{ conv: 'c1', members: ['alice', 'bob'] }, { conv: 'c2', members: ['alice'] }] }],
  ['SEND_MESSAGE c1 bob hi there', { type: 'SEND_MESSAGE', conv: 'c1', from: 'bob', text: 'hi there' }],
  ['STATUS bob busy', { type: 'STATUS', user: 'bob', status: 'busy' }],
  ['ICON bob R0lGODlhAQABAAAAACw=', { type: 'ICON', user: 'bob', data: 'R0lGODlhAQABAAAAACw=' }],
  ['ERROR the name alice is already online', { type: 'ERROR', text: 'the name alice is already online' }],
];

describe('parse and format', () => {
  it.each(client)('client line %j both ways', (line, message) => {
    expect(parse(line, 'c2s')).toEqual({ ok: true, message });
    expect(format(message)).toBe(line);
  });

  it.each(server)('server line %j both ways', (line, message) => {
    expect(parse(line, 's2c')).toEqual({ ok: true, message });
    expect(format(message)).toBe(line);
  });

  it.each([
    ['', 'empty'],
    ['HELLO there', 'unknownCommand'],
    ['ONLINE_USERS alice', 'unknownCommand'], // a server message is not a client message
    ['REGISTER', 'argCount'],
    ['REGISTER alice bob', 'argCount'],
    ['GOODBYE now', 'argCount'],
    ['JOIN', 'argCount'],
    ['SEND_MESSAGE c1', 'argCount'],
    ['SEND_MESSAGE c1 ', 'emptyText'],
    ['REGISTER al!ce', 'badUser'],
    ['REGISTER ' + 'a'.repeat(33), 'badUser'],
    ['INVITE bob  carol', 'badUser'],
    ['JOIN c#1', 'badConv'],
    ['STATUS Away', 'badStatus'],
  ])('client line %j is refused as %s', (line, code) => {
    const result = parse(line, 'c2s');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message.length).toBeGreaterThan(5);
    }
  });

  it.each([
    ['CONVERSATIONS c1', 'badGroup'],
    ['CONVERSATIONS c1:al ice', 'badGroup'],
    ['CONVERSATIONS c1:alice,', 'badUser'],
    ['ICON bob not*base64', 'badBase64'],
    ['INVITATION c1', 'argCount'],
    ['ERROR', 'argCount'],
  ])('server line %j is refused as %s', (line, code) => {
    const result = parse(line, 's2c');
    expect(result.ok ? 'ok' : result.error.code).toBe(code);
  });

  it('never throws, whatever the input', () => {
    const samples = ['\u0000', ' ', 'REGISTER  ', 'INVITE', 'SEND_MESSAGE \u00e9 x', '\uFFFD\uFFFD', ':', 'CONVERSATIONS :'];
    for (const s of samples) {
      expect(() => parse(s, 'c2s')).not.toThrow();
      expect(() => parse(s, 's2c')).not.toThrow();
    }
  });
});

describe('refusals say exactly why', () => {
  const NAME = '(1-32 of A-Z a-z 0-9 _ -)';
  it.each([
    ['', 'empty', 'empty line'],
    [' REGISTER alice', 'unknownCommand', 'unknown command ""'],
    [`${'X'.repeat(50)} y`, 'unknownCommand', `unknown command "${'X'.repeat(40)}"`],
    ['REGISTER', 'argCount', 'REGISTER takes <user>; argument 1 (user) is missing'],
    ['REGISTER alice bob', 'argCount', 'REGISTER takes <user>; extra "bob"'],
    [`REGISTER alice ${'z'.repeat(60)}`, 'argCount', `REGISTER takes <user>; extra "${'z'.repeat(40)}"`],
    ['GOODBYE now', 'argCount', 'GOODBYE takes no arguments; extra "now"'],
    ['INVITE', 'argCount', 'INVITE takes <users...>; argument 1 (users) is missing'],
    ['SEND_MESSAGE c1', 'argCount', 'SEND_MESSAGE takes <conv> <text>; argument 2 (text) is missing'],
    ['SEND_MESSAGE c1 ', 'emptyText', 'SEND_MESSAGE: text is empty'],
    ['REGISTER al!ce', 'badUser', `user: "al!ce" is not a user name ${NAME}`],
    ['JOIN c#1', 'badConv', `conv: "c#1" is not a conversation id ${NAME}`],
    ['JOIN  c1', 'badConv', `conv: "" is not a conversation id ${NAME}`],
    ['STATUS Away', 'badStatus', 'status: "Away" is not a status (lower-case letters)'],
    ['STATUS away1', 'badStatus', 'status: "away1" is not a status (lower-case letters)'],
  ])('client line %j: %s, %j', (line, code, message) => {
    expect(parse(line, 'c2s')).toEqual({ ok: false, error: { code, message } });
  });

  it.each([
    ['CONVERSATIONS', 'argCount', 'CONVERSATIONS takes <conversations...>; argument 1 (conversations) is missing'],
    ['CONVERSATIONS c1', 'badGroup', '"c1" is not conv:user[,user...]'],
    ['CONVERSATIONS :alice', 'badConv', 'conversations: "" is not a conversation id'],
    ['CONVERSATIONS c#1:alice', 'badConv', 'conversations: "c#1" is not a conversation id'],
    ['CONVERSATIONS c1:al!ce', 'badUser', 'conversations: "al!ce" in "c1:al!ce" is not a user name'],
    ['INVITATION c1', 'argCount', 'INVITATION takes <conv> <inviter>; argument 2 (inviter) is missing'],
    ['SEND_MESSAGE c1 bob', 'argCount', 'SEND_MESSAGE takes <conv> <from> <text>; argument 3 (text) is missing'],
    // base64: the alphabet, at most two "=" at the end, and whole groups of four.
    ['ICON bob abc', 'badBase64', 'data: not base64 without line breaks'],
    ['ICON bob *abc', 'badBase64', 'data: not base64 without line breaks'],
    ['ICON bob abc*', 'badBase64', 'data: not base64 without line breaks'],
    ['ICON bob QQ=*', 'badBase64', 'data: not base64 without line breaks'],
    ['ICON bob Q===', 'badBase64', 'data: not base64 without line breaks'],
  ])('server line %j: %s, %j', (line, code, message) => {
    expect(parse(line, 's2c')).toEqual({ ok: false, error: { code, message } });
  });

  it('accepts base64 with no, one or two "=" of padding', () => {
    for (const data of ['QUJD', 'QUI=', 'QQ==']) expect(parse(`ICON bob ${data}`, 's2c')).toEqual({ ok: true, message: { type: 'ICON', user: 'bob', data } });
  });

  it('refuses to format a message the grammar does not have', () => {
    expect(() => format({ type: 'BOGUS', conv: 'x' } as unknown as Message)).toThrow('format: unknown message BOGUS');
    expect(() => format({ type: 'JOIN', conv: 'c1', extra: 1 } as unknown as Message)).toThrow('format: unknown message JOIN');
  });
});

describe('lenientParse', () => {
  it('is strict when it can be', () => {
    expect(lenientParse('REGISTER alice', 'c2s')).toEqual({ ok: true, message: { type: 'REGISTER', user: 'alice' }, tolerances: [] });
  });

  it('names every tolerance it used', () => {
    const r = lenientParse('register alice  ', 'c2s', { crlf: true });
    expect(r).toEqual({ ok: true, message: { type: 'REGISTER', user: 'alice' }, tolerances: ['crlf', 'lowerCaseCommand', 'trailingSpace'] });
    expect(lenientParse('INVITE bob  carol', 'c2s')).toEqual({ ok: true, message: { type: 'INVITE', users: ['bob', 'carol'] }, tolerances: ['extraSpaces'] });
    expect(lenientParse('goodbye', 'c2s')).toEqual({ ok: true, message: { type: 'GOODBYE' }, tolerances: ['lowerCaseCommand'] });
  });

  it('describes each tolerance in words', () => {
    expect(['crlf', 'trailingSpace', 'lowerCaseCommand', 'extraSpaces'].map((t) => describeTolerance(t as Parameters<typeof describeTolerance>[0]))).toEqual([
      '\\r\\n line ending',
      'trailing white space',
      'command not in upper case',
      'more than one space between arguments',
    ]);
  });

  it('never alters free text', () => {
    const r = lenientParse('SEND_MESSAGE c1 hi  ', 'c2s');
    expect(r.ok && r.message).toEqual({ type: 'SEND_MESSAGE', conv: 'c1', text: 'hi  ' });
    expect(r.ok && r.tolerances).toEqual([]);
    // Not even when another slip made the strict parse fail.
    expect(lenientParse('send_message c1 hi  ', 'c2s')).toEqual({ ok: true, message: { type: 'SEND_MESSAGE', conv: 'c1', text: 'hi  ' }, tolerances: ['lowerCaseCommand'] });
    expect(lenientParse('send_message c1 hi  there', 'c2s')).toEqual({ ok: true, message: { type: 'SEND_MESSAGE', conv: 'c1', text: 'hi  there' }, tolerances: ['lowerCaseCommand'] });
  });

  it('still refuses what no tolerance explains', () => {
    const r = lenientParse('REGISTER:alice', 'c2s');
    expect(r.ok).toBe(false);
  });
});

const texts = (events: LineEvent[]): string[] => events.map((e) => (e.kind === 'tooLong' ? `<tooLong ${e.bytes}>` : `${e.kind}:${e.text}${e.crlf ? '\\r' : ''}`));

describe('LineSplitter', () => {
  it('splits several lines in one chunk, with \\n and \\r\\n', () => {
    const s = new LineSplitter();
    expect(texts(s.push(Buffer.from('A 1\nB 2\r\nC')))).toEqual(['line:A 1', 'line:B 2\\r']);
    expect(s.pending).toBe(1);
    expect(texts(s.push(Buffer.from(' 3\n')))).toEqual(['line:C 3']);
  });

  it('joins a line split across chunks, even inside a UTF-8 character', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('SEND_MESSAGE c1 bob h\u00e9llo\n');
    const cut = bytes.indexOf(0xc3) + 1;
    expect(s.push(bytes.subarray(0, cut))).toEqual([]);
    expect(texts(s.push(bytes.subarray(cut)))).toEqual(['line:SEND_MESSAGE c1 bob h\u00e9llo']);
  });

  it('handles a \\r\\n split between chunks', () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from('GOODBYE\r'))).toEqual([]);
    expect(texts(s.push(Buffer.from('\n')))).toEqual(['line:GOODBYE\\r']);
  });

  it('reports an over-long line once, skips it, and goes on', () => {
    const s = new LineSplitter(4096);
    const events = [...s.push(Buffer.alloc(3000, 0x61)), ...s.push(Buffer.alloc(7000, 0x62))];
    expect(events).toEqual([]);
    expect(s.pending).toBe(10000);
    // Skipped, not buffered: memory stays bounded however long the line grows.
    expect(s.buffered).toBe(0);
    for (let i = 0; i < 100; i++) s.push(Buffer.alloc(4096, 0x63));
    expect(s.buffered).toBe(0);
    expect(s.pending).toBe(10000 + 409600);
    expect(s.push(Buffer.from('bbb\nOK 1\n'))).toEqual([
      { kind: 'tooLong', bytes: 10000 + 409600 + 3, head: 'a'.repeat(60) },
      { kind: 'line', raw: Buffer.from('OK 1'), text: 'OK 1', crlf: false },
    ]);
    expect([s.pending, s.buffered]).toEqual([0, 0]);
  });

  it('keeps at most the limit plus one byte of a line it is about to refuse', () => {
    const s = new LineSplitter(10);
    s.push(Buffer.from('0123456789'));
    expect([s.pending, s.buffered]).toEqual([10, 10]);
    s.push(Buffer.from('\r'));
    expect([s.pending, s.buffered]).toEqual([11, 11]);
    s.push(Buffer.from('x'));
    expect([s.pending, s.buffered]).toEqual([12, 0]);
    expect(s.push(Buffer.from('\n'))).toEqual([{ kind: 'tooLong', bytes: 12, head: '0123456789\rx' }]);
  });

  it('accepts a line of exactly the limit, with or without \\r', () => {
    const s = new LineSplitter(10);
    expect(texts(s.push(Buffer.from('0123456789\r\n0123456789\n01234567890\n')))).toEqual(['line:0123456789\\r', 'line:0123456789', '<tooLong 11>']);
  });

  it('reports invalid UTF-8 instead of throwing', () => {
    const s = new LineSplitter();
    const events = s.push(Buffer.from([0x41, 0x20, 0xff, 0xfe, 0x0a, 0x42, 0x0a]));
    expect(events[0]).toMatchObject({ kind: 'invalidUtf8', text: 'A \uFFFD\uFFFD' });
    expect(events[1]).toMatchObject({ kind: 'line', text: 'B' });
  });
});
