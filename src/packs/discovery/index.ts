// The discovery assignment: a Python/Tk peer that finds other peers through
// multicast (REQUEST, ANNOUNCE, BYE), with its networking in net.py, graded
// on 100 points + 10 bonus. The grader plays the other peers through a
// datagram channel (src/fake-server/udp.ts) and reads the peer list with the
// chat pack's list conventions.

import { fileURLToPath } from 'node:url';
import { definePack } from '../../pack.js';
import { serveDiscovery } from './serve.js';
import { rubric } from './rubric.js';
import { DiscoveryRun } from './run.js';
import { announcing } from './scenarios/announcing.js';
import { answering } from './scenarios/answering.js';
import { bonus } from './scenarios/bonus.js';
import { list } from './scenarios/list.js';
import { structure } from './scenarios/structure.js';

const examples = (p: string) => fileURLToPath(new URL(`../../../examples/discovery/${p}`, import.meta.url));

export const discovery = definePack<DiscoveryRun>({
  id: 'discovery',
  title: 'Peer discovery',
  rubric,
  entries: ['peer.py'],
  // `session` is one peer with a short interval, where the rhythm, the list
  // and expiry are measured; `reply` gives a long interval so answers stand
  // out from the rhythm; `malformed` injects bad datagrams into a peer of its
  // own; `static` starts no peer.
  runs: [
    { kind: 'session', client: true },
    { kind: 'reply', client: true },
    { kind: 'malformed', client: true },
    { kind: 'static', client: false },
  ],
  scripts: [...structure, ...announcing, ...answering, ...list, ...bonus],
  createRun: (kind, env) => new DiscoveryRun(env, kind),
  uiKeys: ['main', 'users', 'quit'],
  reference: examples('reference-peer'),
  mutants: examples('mutants'),
  serve: {
    description: 'simulated peers announcing on a multicast group (--group, --mport, --peers, --interval)',
    options: [
      { flag: '--group <addr>', description: 'discovery: the multicast group', default: '239.255.42.99' },
      { flag: '--mport <port>', description: 'discovery: the UDP port', default: '4299' },
      { flag: '--peers <n>', description: 'discovery: how many simulated peers', default: '3' },
      { flag: '--interval <seconds>', description: 'discovery: seconds between their ANNOUNCEs', default: '2' },
    ],
    start: async ({ values, color, write, python }) => {
      const num = (k: string, ok: (n: number) => boolean): number | undefined => {
        if (values[k] === undefined) return undefined;
        const n = Number(values[k]);
        if (!ok(n)) throw Object.assign(new Error(`--${k} got "${values[k]}", which is out of range`), { code: 'serve.badArgument' });
        return n;
      };
      return serveDiscovery({
        ...(values.group ? { group: values.group } : {}),
        ...opt('mport', num('mport', (n) => Number.isInteger(n) && n > 0 && n < 65536)),
        ...opt('peers', num('peers', (n) => Number.isInteger(n) && n >= 1 && n <= 20)),
        ...opt('interval', num('interval', (n) => n >= 0.1 && n <= 60)),
        python: await python(),
        color,
        write,
      });
    },
  },
});

function opt<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}
