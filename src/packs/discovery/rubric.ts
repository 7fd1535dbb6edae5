// The discovery assignment's point table: 100 points plus 10 bonus, one line
// per check except the bonus BYE line, whose two checks (3 + 2) are lines of
// their own here because a check's line is its id's first three parts. How
// each check is observed is in docs/DISCOVERY.md.

import { defineRubric, type Area, type Check, type Line, type Rubric } from '../../rubric.js';

const areas: Area[] = [
  { id: 'discovery.structure', title: 'Structure', bonus: false },
  { id: 'discovery.announcing', title: 'Announcing', bonus: false },
  { id: 'discovery.answering', title: 'Answering', bonus: false },
  { id: 'discovery.peers', title: 'Peer list', bonus: false },
  { id: 'discovery.bonus', title: 'Bonus', bonus: true },
];

const line = (id: string, area: string, title: string): Line => ({ id: `discovery.${id}`, area: `discovery.${area}`, title });

const lines: Line[] = [
  line('structure.gui_starts', 'structure', 'GUI starts'),
  line('structure.config', 'structure', 'Configurable'),
  line('structure.net_module', 'structure', 'Networking in net.py'),
  line('request.sent', 'announcing', 'REQUEST on joining'),
  line('announce.format', 'announcing', 'ANNOUNCE format'),
  line('announce.periodic', 'announcing', 'Periodic ANNOUNCE'),
  line('announce.ttl', 'announcing', 'Scoped to the local network'),
  line('reply.sent', 'answering', 'Reply to REQUEST'),
  line('reply.not_own', 'answering', 'No reply to its own REQUEST'),
  line('list.shown', 'peers', 'Shows announced peers'),
  line('list.no_self', 'peers', 'Does not list itself'),
  line('list.expiry', 'peers', 'Forgets silent peers'),
  line('robust.malformed', 'peers', 'Survives bad datagrams'),
  line('bye.sent', 'bonus', 'BYE on closing'),
  line('bye.handled', 'bonus', 'BYE from others'),
  line('metadata.shown', 'bonus', 'Metadata shown'),
];

const checks: Omit<Check, 'line'>[] = [
  { id: 'discovery.structure.gui_starts', points: 5, observed: 'gui',
    requirement: 'The peer window appears within the start-up limit, and the process writes no traceback.' },
  { id: 'discovery.structure.config', points: 5, observed: 'wire',
    requirement: 'The peer speaks on the multicast group and UDP port it was given, at the interval it was given.' },
  { id: 'discovery.structure.net_module', points: 5, observed: 'static',
    requirement: 'net.py imports cleanly without side effects (no socket bound, no group joined, no window), and no other module imports socket.' },
  { id: 'discovery.request.sent', points: 10, observed: 'wire',
    requirement: 'The first datagram after joining is exactly REQUEST <name>.' },
  { id: 'discovery.announce.format', points: 10, observed: 'wire',
    requirement: 'ANNOUNCE is "ANNOUNCE <name> tcp://127.0.0.1:<port>" with only well-formed metadata after it, and the peer listens on that TCP port.' },
  { id: 'discovery.announce.periodic', points: 10, observed: 'wire',
    requirement: 'Over six intervals, consecutive ANNOUNCEs are the given interval apart, within 25%.' },
  { id: 'discovery.announce.ttl', points: 5, observed: 'wire',
    requirement: 'The peer\'s multicast datagrams leave with TTL 1, so they never cross a router.' },
  { id: 'discovery.reply.sent', points: 15, observed: 'wire',
    requirement: 'After another peer\'s REQUEST, an ANNOUNCE follows within 1 s, outside the periodic rhythm.' },
  { id: 'discovery.reply.not_own', points: 5, observed: 'wire',
    requirement: 'The peer does not answer its own REQUEST with an extra ANNOUNCE.' },
  { id: 'discovery.list.shown', points: 10, observed: 'gui',
    requirement: 'After other peers announce themselves, the window lists each of them with its URL.' },
  { id: 'discovery.list.no_self', points: 5, observed: 'gui',
    requirement: 'The peer never lists itself.' },
  { id: 'discovery.list.expiry', points: 10, observed: 'gui',
    requirement: 'A peer that stops announcing is removed from the list after three intervals, and not before two.' },
  { id: 'discovery.robust.malformed', points: 5, observed: 'gui',
    requirement: 'Malformed, oversized and non-UTF-8 datagrams neither crash nor stop the peer: the next valid ANNOUNCE is listed.' },
  { id: 'discovery.bye.sent', points: 3, observed: 'wire',
    requirement: 'Closing the window sends BYE <name>.' },
  { id: 'discovery.bye.handled', points: 2, observed: 'gui',
    requirement: 'Another peer\'s BYE removes it from the list at once, well before it would expire.' },
  { id: 'discovery.metadata.shown', points: 5, observed: 'gui',
    requirement: 'A peer\'s status=<word> metadata is shown beside it.' },
];

/** The discovery assignment's rubric: 100 points and 10 bonus. */
export const rubric: Rubric = defineRubric({ areas, lines, checks, lineDepth: 3 });
