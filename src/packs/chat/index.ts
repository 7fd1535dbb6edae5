// The chat assignment: a Python/Tk chat client with its networking in net.py,
// graded against the seed lecture's rubric (100 points + 20 bonus). The
// protocol lives in src/protocol, the GUI model in src/probe; this file puts
// them together as a pack.

import { fileURLToPath } from 'node:url';
import { definePack } from '../../pack.js';
import { rubric } from './rubric.js';
import { basic } from './scenarios/basic.js';
import { bonus } from './scenarios/bonus.js';
import { conversations } from './scenarios/conversations.js';
import { inSequence } from './scenarios/sequence.js';
import { SessionRun } from './scenarios/session-run.js';
import { structure } from './scenarios/structure.js';

const examples = (p: string) => fileURLToPath(new URL(`../../../examples/${p}`, import.meta.url));

export const chat = definePack<SessionRun>({
  id: 'chat',
  title: 'Chat client',
  rubric,
  // package.json marks a JavaScript client of the same assignment (src/js, docs/JS-CLIENTS.md).
  entries: ['main.py', 'package.json'],
  // A `session` is one normal client session shared by many checks (no
  // faults injected); `host`, `malformed` and `serverCrash` get a fresh
  // client each; `static` starts no client at all.
  runs: [
    { kind: 'session', client: true },
    { kind: 'malformed', client: true },
    { kind: 'serverCrash', client: true },
    { kind: 'host', client: true },
    { kind: 'static', client: false },
  ],
  scripts: inSequence([...structure, ...basic, ...conversations, ...bonus]),
  createRun: (kind, env) => new SessionRun(env, kind),
  uiKeys: ['main', 'users', 'invite', 'status', 'input', 'send', 'transcript', 'members', 'accept', 'decline', 'leave', 'quit'],
  reference: examples('reference-client'),
  mutants: examples('mutants'),
});

/** The same assignment's JavaScript reference client (over WebSocket, GUI described through the probe) and its calibrated mutants (docs/JS-CLIENTS.md). */
export const chatJs = { reference: examples('ws-client'), mutants: examples('ws-mutants') };
