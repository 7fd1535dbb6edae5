// The structure checks for a JavaScript client (docs/JS-CLIENTS.md): the
// same requirements as for Python, in JavaScript's terms. "Importing main.py
// has no side effect" becomes importing the entry module opens no WebSocket,
// leaves no timer running and exports start(); net.py becomes a net.js (or
// .mjs/.cjs) beside the entry, the only module that names WebSocket.

import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { ModuleInspector } from '../../../js/inspect.js';
import { fail, pass, type Verdict } from '../../../check.js';
import type { SessionRun } from './session-run.js';

/** net.js, net.mjs or net.cjs beside the entry module, relative to the submission. */
export function netModule(dir: string, entry: string): string | undefined {
  const folder = dirname(entry);
  return ['net.js', 'net.mjs', 'net.cjs'].map((f) => (folder === '.' ? f : join(folder, f))).find((f) => existsSync(join(dir, f)));
}

async function importCheck(run: SessionRun, inspector: ModuleInspector, file: string, needStart: boolean): Promise<Verdict> {
  const want = `importing ${file} opens no WebSocket, leaves no timer running${needStart ? ', exports start()' : ''} and returns`;
  const r = await inspector.importModule(file, run.limits.staticCheck, run.env.exec);
  if (r.timedOut) return fail(want, `importing ${file} did not return within ${run.limits.staticCheck} ms (does it run the program at import time?)`);
  const problems: string[] = [];
  if (r.sockets.length) problems.push(`it opened a WebSocket to ${r.sockets.join(', ')}`);
  if (r.timers) problems.push(`it left ${r.timers} timer(s) running`);
  if (r.error) problems.push(`it threw: ${r.error.trim().split('\n')[0]}`);
  else if (needStart && !r.exports.includes('start') && !r.exports.includes('default.start')) problems.push(`it exports no start() (exports: ${r.exports.join(', ') || 'none'})`);
  return problems.length ? fail(want, `importing ${file}: ${problems.join('; ')}`) : pass();
}

/** structure.main.guard, for a JS client. */
export function jsMainGuard(run: SessionRun, inspector: ModuleInspector): Promise<Verdict> {
  return importCheck(run, inspector, inspector.entry, true);
}

/** structure.modularity.net_loads, for a JS client. */
export async function jsNetLoads(run: SessionRun, inspector: ModuleInspector): Promise<Verdict> {
  const net = netModule(run.env.dir, inspector.entry);
  if (!net) return fail(`net.js beside ${inspector.entry}`, `there is no net.js, net.mjs or net.cjs in ${dirname(inspector.entry) === '.' ? 'the submission folder' : dirname(inspector.entry)}`);
  return importCheck(run, inspector, net, false);
}

/** structure.modularity.net_owns_sockets, for a JS client: no module but net.* (source or compiled) names WebSocket. */
export async function jsNetOwnsSockets(run: SessionRun, inspector: ModuleInspector): Promise<Verdict> {
  if (!netModule(run.env.dir, inspector.entry)) return fail('WebSocket code in net.js', 'there is no net.js');
  const offenders = inspector.filesNaming(run.env.dir, 'WebSocket').filter((h) => basename(h.file, extname(h.file)) !== 'net');
  return offenders.length ? fail('no module but net.js uses WebSocket', offenders.map((o) => `${o.file}:${o.line}: ${o.text}`).join('; ')) : pass();
}
