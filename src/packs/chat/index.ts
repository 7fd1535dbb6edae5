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
import { serve } from './serve.js';

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
  // CLIENT.md: every change shows within 5 s of the message that causes it (a list may refresh every 2 s).
  limits: { gui: 5_000, barrier: 5_000 },
  // Its one timing check (structure.gui.responsive) is a wait for an answer: a failure without a wait running out judged content.
  failsOnlyByDeadline: true,
  serve: {
    description: 'the reference chat server (--host, --port)',
    options: [
      { flag: '--host <host>', description: 'chat: the address to listen on', default: '127.0.0.1' },
      { flag: '--port <port>', description: 'chat: the port to listen on (0: any free port)', default: '5000' },
    ],
    start: ({ values, color, write }) => {
      const port = Number(values.port ?? '5000');
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        return Promise.reject(Object.assign(new Error(`--port must be an integer from 0 to 65535, got "${values.port}"`), { code: 'serve.badArgument' }));
      }
      return serve({ host: values.host ?? '127.0.0.1', port, color, write });
    },
  },
});

/** The same assignment's JavaScript reference client (over WebSocket, GUI described through the probe) and its calibrated mutants (docs/JS-CLIENTS.md). */
export const chatJs = { reference: examples('ws-client'), mutants: examples('ws-mutants') };
