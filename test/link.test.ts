// The agent link and the explicit probe's message channel: no event a client
// sends is lost, whenever the driver subscribes. Reads are driven by hand
// through a fake socket, so the race that loses events is reproduced exactly.
import { describe, expect, it } from 'vitest';
import { Backlog } from '../src/probe/backlog.js';
import { ExplicitDriver, socketLineConnection } from '../src/probe/explicit.js';
import { AgentLink } from '../src/probe/link.js';
import { FakeSocket, lines } from './helpers/fake-socket.js';

const hello = { type: 'hello', token: 't', mode: 'explicit' } as const;
const early = [
  { type: 'window', id: 'main', kind: 'main', title: 'Chat - alice', open: true },
  { type: 'users', users: ['bob', 'carol'], statuses: { bob: 'away' } },
  { type: 'window', id: 'inv-1', kind: 'invitation', title: 'Invitation', text: 'bob invites you', open: true },
];

describe('AgentLink as an explicit probe channel', () => {
  it('hands the events read with the hello to the driver that subscribes later', () => {
    const socket = new FakeSocket();
    // The whole first read: the server took the hello line, the rest is handed to the link.
    const link = new AgentLink(socket.asSocket(), hello, Buffer.from(lines(...early)));
    const driver = new ExplicitDriver(link.connection());
    const ui = driver.ui();
    expect(ui.main).toBe('main');
    expect(ui.users).toEqual(['bob', 'carol']);
    expect(ui.statuses).toEqual({ bob: 'away' });
    expect(ui.invitations).toEqual([{ window: 'inv-1', title: 'Invitation', text: 'bob invites you' }]);
    expect(driver.problems()).toEqual([]);
  });

  it('hands over events read between the hello and the subscription, then live ones, in order', () => {
    const socket = new FakeSocket();
    const link = new AgentLink(socket.asSocket(), hello);
    socket.deliver(lines(early[0], { type: 'transcript', window: 'main', lines: ['one'] }));
    // A read may end inside a line: only whole lines are events.
    socket.deliver('{"type":"transcript","window":"main","lines":["two"],');
    const driver = new ExplicitDriver(link.connection());
    socket.deliver('"append":true}\n');
    socket.deliver(lines({ type: 'transcript', window: 'main', lines: ['three'], append: true }));
    expect(driver.ui().windows[0]!.texts).toEqual(['one', 'two', 'three']);
  });

  it('replays to the first subscriber only; later ones get live events', () => {
    const socket = new FakeSocket();
    const link = new AgentLink(socket.asSocket(), hello, Buffer.from(lines(early[0])));
    const first: unknown[] = [];
    const second: unknown[] = [];
    link.connection().onMessage((m) => first.push(m));
    link.connection().onMessage((m) => second.push(m));
    socket.deliver(lines(early[1]));
    expect(first).toEqual([early[0], early[1]]);
    expect(second).toEqual([early[1]]);
  });

  it('does not hold what it applies itself (trees, diffs), which stay readable in tree()', () => {
    const socket = new FakeSocket();
    const widget = { path: '.', cls: 'Tk', manager: '', mapped: true, viewable: true };
    const link = new AgentLink(socket.asSocket(), { type: 'hello', token: 't' }, Buffer.from(lines({ type: 'tree', seq: 1, widgets: [widget] })));
    const got: unknown[] = [];
    link.connection().onMessage((m) => got.push(m));
    expect(got).toEqual([]);
    expect([...link.tree().keys()]).toEqual(['.']);
    expect(link.seq()).toBe(1);
  });

  it('says once when more early events came than it holds', () => {
    const b = new Backlog<number>(2, 1000);
    expect([b.hold(1, 1), b.hold(2, 1), b.hold(3, 1), b.hold(4, 1)]).toEqual([true, true, false, true]);
    expect(b.take()).toEqual([1, 2]);
    expect(b.holding).toBe(false);
    expect(b.hold(5, 1)).toBe(true);
    expect(b.take()).toEqual([]);
    const bytes = new Backlog<string>(10, 5);
    expect([bytes.hold('abc', 3), bytes.hold('de', 2), bytes.hold('f', 1)]).toEqual([true, true, false]);
    expect(bytes.take()).toEqual(['abc', 'de']);
  });
});

describe('socketLineConnection', () => {
  it('holds messages that arrive before the first subscriber too', () => {
    const socket = new FakeSocket();
    const invalid: string[] = [];
    const conn = socketLineConnection(socket.asSocket(), (l) => invalid.push(l));
    socket.deliver(lines(...early) + 'not json\n');
    const driver = new ExplicitDriver(conn);
    expect(driver.ui().users).toEqual(['bob', 'carol']);
    expect(driver.ui().invitations).toHaveLength(1);
    expect(invalid).toEqual(['not json']);
  });
});
