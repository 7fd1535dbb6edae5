// The course's point table as data, and score(): a pure function from check
// outcomes to points. A course config may re-weight checks (see config.ts);
// code never changes points.

/** A rubric area, e.g. "Basic protocol functionality (30)". */
export interface Area {
  id: 'structure' | 'basic' | 'conv' | 'bonus';
  title: string;
  bonus: boolean;
}

/** One line of the course's table; its checks' points add up to its points. */
export interface Line {
  id: string;
  area: Area['id'];
  title: string;
}

/** The smallest graded unit, with a stable dotted id. */
export interface Check {
  id: string;
  line: string;
  points: number;
  /** The rubric's own sentence; printed when the check fails. */
  requirement: string;
  /** How the grader observes it: on the wire, in the GUI, or statically. */
  observed: 'wire' | 'gui' | 'static' | 'process';
}

export const AREAS: readonly Area[] = [
  { id: 'structure', title: 'Overall program structure', bonus: false },
  { id: 'basic', title: 'Basic protocol functionality', bonus: false },
  { id: 'conv', title: 'Conversation management', bonus: false },
  { id: 'bonus', title: 'Bonus', bonus: true },
];

// Line ids are `<area>.<key>`; a check's line is the first two parts of its id.
const line = (area: Area['id'], key: string, title: string): Line => ({ id: `${area}.${key}`, area, title });

export const LINES: readonly Line[] = [
  line('structure', 'gui', 'GUI code still works'),
  line('structure', 'main', 'Correct "main" handling'),
  line('structure', 'config', 'Configure server IP address and port'),
  line('structure', 'modularity', 'Modularity: networking in net.py, which loads'),
  line('basic', 'register', 'REGISTER handling'),
  line('basic', 'online_users', 'ONLINE_USERS handling'),
  line('basic', 'goodbye', 'GOODBYE handling'),
  line('conv', 'multiple', 'Multiple chats at one time'),
  line('conv', 'invite', 'INVITE handling'),
  line('conv', 'invitation', 'INVITATION handling'),
  line('conv', 'join', 'JOIN handling'),
  line('conv', 'leave', 'LEAVE handling'),
  line('conv', 'conversations', 'CONVERSATIONS handling'),
  line('conv', 'send', 'SEND_MESSAGE handling'),
  line('bonus', 'icons', 'Server enhancements (icons)'),
  line('bonus', 'status', 'STATUS messages'),
  line('bonus', 'robust', 'Exception handling beyond the call of duty'),
];

const CHECK_TABLE: readonly Omit<Check, 'line'>[] = [
  { id: 'structure.gui.starts', points: 3, observed: 'gui',
    requirement: 'In a normal session the main window appears within the start-up limit and the process writes no traceback.' },
  { id: 'structure.gui.responsive', points: 2, observed: 'gui',
    requirement: 'With a conversation open and messages received, the GUI answers within 500 ms while the server is silent.' },
  { id: 'structure.main.guard', points: 5, observed: 'static',
    requirement: 'Importing the entry module opens no socket and no window, and returns.' },
  { id: 'structure.config.port', points: 3, observed: 'wire',
    requirement: 'Launched with a port chosen at random, the client connects to that port.' },
  { id: 'structure.config.host', points: 2, observed: 'wire',
    requirement: 'Launched with a host other than localhost/127.0.0.1, the client connects to that host.' },
  { id: 'structure.modularity.net_loads', points: 3, observed: 'static',
    requirement: 'net.py exists and imports cleanly, with no side effect (no connection, no window).' },
  { id: 'structure.modularity.net_owns_sockets', points: 2, observed: 'static',
    requirement: 'The socket code lives in net.py: the GUI modules do not import socket.' },
  { id: 'basic.register.sent', points: 6, observed: 'wire',
    requirement: 'REGISTER <user> is the first line after connecting, sent without any user action.' },
  { id: 'basic.register.format', points: 4, observed: 'wire',
    requirement: 'REGISTER is exactly "REGISTER <user>\\n": one space, the configured name, nothing else on the line.' },
  { id: 'basic.online_users.shown', points: 4, observed: 'gui',
    requirement: 'After ONLINE_USERS, every other user listed appears in the online list.' },
  { id: 'basic.online_users.updated', points: 3, observed: 'gui',
    requirement: 'After a second ONLINE_USERS that adds one user and drops another, the list shows exactly the new set of other users.' },
  { id: 'basic.online_users.no_self', points: 3, observed: 'gui',
    requirement: 'The current user is never shown in the online list.' },
  { id: 'basic.goodbye.sent', points: 7, observed: 'wire',
    requirement: 'After the user closes the main window, GOODBYE arrives before the socket closes.' },
  { id: 'basic.goodbye.clean_exit', points: 3, observed: 'process',
    requirement: 'After GOODBYE the process exits by itself within the limit, with no traceback.' },
  { id: 'conv.multiple.routing', points: 6, observed: 'gui',
    requirement: 'With two conversations open, messages to each appear in that conversation alone.' },
  { id: 'conv.multiple.members', points: 4, observed: 'gui',
    requirement: 'With two conversations open, a CONVERSATIONS that changes both updates both, each with its own members.' },
  { id: 'conv.invite.sent', points: 3, observed: 'wire',
    requirement: 'Starting a chat with one user sends INVITE <user>.' },
  { id: 'conv.invite.multi', points: 2, observed: 'wire',
    requirement: 'Starting a chat with two users sends one INVITE naming both.' },
  { id: 'conv.invitation.window', points: 3, observed: 'gui',
    requirement: 'An INVITATION from another user shows an invitation window.' },
  { id: 'conv.invitation.not_own', points: 2, observed: 'gui',
    requirement: 'An INVITATION whose inviter is the current user shows no invitation window.' },
  { id: 'conv.join.sent', points: 5, observed: 'wire',
    requirement: 'Accepting an invitation sends JOIN <conv> with the id from the invitation.' },
  { id: 'conv.leave.sent', points: 5, observed: 'wire',
    requirement: 'Closing a conversation window sends LEAVE <conv> for that conversation alone.' },
  { id: 'conv.conversations.members', points: 5, observed: 'gui',
    requirement: 'After CONVERSATIONS, the open conversation shows exactly its members.' },
  { id: 'conv.conversations.updated', points: 5, observed: 'gui',
    requirement: 'A later CONVERSATIONS in which someone joins and someone leaves updates the member display.' },
  { id: 'conv.send.sent', points: 3, observed: 'wire',
    requirement: 'Typing text in a conversation and sending it sends SEND_MESSAGE <conv> <text>, text verbatim.' },
  { id: 'conv.send.own_once', points: 3, observed: 'gui',
    requirement: "The sender's own text, echoed back by the server, appears exactly once in its transcript." },
  { id: 'conv.send.received_once', points: 2, observed: 'gui',
    requirement: 'A received message appears exactly once in the transcript.' },
  { id: 'conv.send.tagged', points: 2, observed: 'gui',
    requirement: "A received message's line names who said it." },
  { id: 'bonus.icons.shown', points: 10, observed: 'gui',
    requirement: 'After ICON <user> <base64>, the client builds an image from that data and shows it in the main window.' },
  { id: 'bonus.status.sent', points: 2, observed: 'wire',
    requirement: 'Changing status in the GUI sends STATUS <status>.' },
  { id: 'bonus.status.shown', points: 3, observed: 'gui',
    requirement: 'After STATUS <user> <status>, the status text shows next to that user.' },
  { id: 'bonus.robust.malformed', points: 3, observed: 'gui',
    requirement: 'Malformed lines do not crash or hang the client: it still shows the next valid ONLINE_USERS.' },
  { id: 'bonus.robust.server_crash', points: 2, observed: 'gui',
    requirement: 'After the server drops the connection, the process stays alive, writes no traceback, and the GUI still answers.' },
];

export const CHECKS: readonly Check[] = CHECK_TABLE.map((c) => ({ ...c, line: c.id.split('.').slice(0, 2).join('.') }));

/** Points per check id, after a course's re-weighting. */
export type Weights = Readonly<Record<string, number>>;

/** The default weights: the rubric's own split. */
export function defaultWeights(): Record<string, number> {
  return Object.fromEntries(CHECKS.map((c) => [c.id, c.points]));
}

export function areaOf(check: Check): Area {
  const line = LINES.find((l) => l.id === check.line);
  const area = AREAS.find((a) => a.id === line?.area);
  if (!area) throw new Error(`rubric: check ${check.id} has no area`);
  return area;
}

/** Status of a check as far as scoring cares. */
export type Outcome = 'passed' | 'failed' | 'error' | 'skipped';

/** Points earned and available, per line and in total. */
export interface Score {
  points: number;
  max: number;
  bonus: number;
  bonusMax: number;
  lines: { id: string; title: string; area: Area['id']; bonus: boolean; points: number; max: number }[];
  /** Checks that could not be measured (harness errors); their points are neither given nor taken. */
  unmeasured: string[];
}

/**
 * Score outcomes by check id. Only 'passed' earns points. A check with an
 * 'error' outcome is listed in `unmeasured` so the caller can refuse to
 * publish a grade rather than turn a harness fault into lost points.
 * Skipped (deselected) checks count neither for nor against.
 */
export function score(outcomes: Readonly<Record<string, Outcome>>, weights: Weights = defaultWeights()): Score {
  const lines = LINES.map((line) => {
    const area = AREAS.find((a) => a.id === line.area)!;
    let points = 0;
    let max = 0;
    for (const check of CHECKS.filter((c) => c.line === line.id)) {
      const outcome = outcomes[check.id];
      if (outcome === undefined || outcome === 'skipped') continue;
      const w = weights[check.id] ?? check.points;
      max += w;
      if (outcome === 'passed') points += w;
    }
    return { id: line.id, title: line.title, area: line.area, bonus: area.bonus, points, max };
  });
  const sum = (xs: typeof lines, key: 'points' | 'max') => xs.reduce((n, l) => n + l[key], 0);
  const core = lines.filter((l) => !l.bonus);
  const bonus = lines.filter((l) => l.bonus);
  return {
    points: sum(core, 'points'),
    max: sum(core, 'max'),
    bonus: sum(bonus, 'points'),
    bonusMax: sum(bonus, 'max'),
    lines,
    unmeasured: Object.keys(outcomes).filter((id) => outcomes[id] === 'error').sort(),
  };
}
