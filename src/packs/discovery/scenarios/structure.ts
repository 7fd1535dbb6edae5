// Structure: the window starts, the peer uses what it was given, and the
// networking lives in net.py.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessFault, fail, pass, type CheckScript } from '../../../check.js';
import type { DiscoveryRun } from '../run.js';
import { rhythm } from './fixtures.js';

const MARK = 'chatgrade: at import time,';

/**
 * Runs the agent's static check with the side effects a peer's net.py could
 * have at import time also intercepted: binding a socket, sending a
 * datagram, joining a group (the static check itself catches connections
 * and windows).
 */
const INTERCEPT = `
import runpy, socket, sys
def _refuse(what):
    def refuse(self, *args, **kwargs):
        raise RuntimeError("${MARK} net.py tried to " + what + " " + repr(args[:2]))
    return refuse
_setsockopt = socket.socket.setsockopt
def _setsockopt_checked(self, level, option, *rest):
    if level == socket.IPPROTO_IP and option == socket.IP_ADD_MEMBERSHIP:
        _refuse("join a multicast group")(self)
    return _setsockopt(self, level, option, *rest)
socket.socket.bind = _refuse("bind a socket")
socket.socket.sendto = _refuse("send a datagram")
socket.socket.setsockopt = _setsockopt_checked
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
`;

/** Run agent/static_check.py in the run's sandbox with a time limit, with the intercepts above when asked (its report comes back through the core's nonce channel). */
async function staticCheck(run: DiscoveryRun, args: string[], intercept: boolean): Promise<{ report?: Record<string, unknown>; timedOut: boolean; stderr: string }> {
  const command = ({ agentDir }: { agentDir: string }): string[] => [run.env.python, '-I', '-S', ...(intercept ? ['-c', INTERCEPT] : []), join(agentDir, 'static_check.py'), ...args];
  const out = await run.env.exec(command, { within: run.limits.staticCheck });
  return { report: out.result as Record<string, unknown> | undefined, timedOut: !out.exited, stderr: out.stderr };
}

/** The problems of importing net.py, in words; empty when it imported cleanly. */
async function netImportProblems(run: DiscoveryRun): Promise<string[]> {
  const { report, timedOut, stderr } = await staticCheck(run, ['import', 'net'], true);
  if (timedOut) return [`importing net.py did not return within ${run.limits.staticCheck} ms (does it run the peer at import time?)`];
  if (!report) throw new HarnessFault('static.noReport', `the static check of net.py printed no report: ${stderr.slice(-400)}`);
  const problems: string[] = [];
  const sockets = report.sockets as string[];
  const error = report.error ? String(report.error) : '';
  if (sockets.length) problems.push(`importing net.py opened a connection to ${sockets.join(', ')}`);
  if ((report.windows as number) > 0) problems.push('importing net.py created a Tk window');
  const side = error.split('\n').find((l) => l.includes(MARK));
  if (side) problems.push(side.slice(side.indexOf(MARK) + MARK.length).trim());
  else if (error && !sockets.length && !(report.windows as number)) problems.push(`importing net.py raised: ${error.trim().split('\n').slice(-3).join(' | ')}`);
  return problems;
}

export const structure: CheckScript<DiscoveryRun>[] = [
  {
    id: 'discovery.structure.net_module',
    run: 'static',
    phase: 0,
    async script(run) {
      if (!existsSync(join(run.env.dir, 'net.py'))) return fail('the networking in net.py', 'there is no net.py');
      const problems = await netImportProblems(run);
      const { report, timedOut, stderr } = await staticCheck(run, ['sockets'], false);
      if (timedOut || !report) throw new HarnessFault('static.noReport', `the socket scan printed no report: ${stderr.slice(-400)}`);
      const offenders = report.offenders as { file: string; line: number; text: string }[];
      if (offenders.length) problems.push(`socket is imported outside net.py: ${offenders.map((o) => `${o.file}:${o.line}: ${o.text}`).join('; ')}`);
      return problems.length ? fail('net.py imports with no side effect, and no other module imports socket', problems.join('; ')) : pass();
    },
  },
  {
    id: 'discovery.structure.config',
    run: 'session',
    phase: 3,
    async script(run) {
      const joined = await run.joined();
      const given = `--group ${run.group} --mport ${run.mport} --interval ${run.S / 1000}`;
      if (!joined.ok) return fail(`datagrams on ${run.group}:${run.mport} (${given})`, joined.failure.actual);
      const r = await rhythm(run);
      const expected = `ANNOUNCEs about every ${run.S} ms (${given}): gaps between ${run.S / 2} and ${run.S * 2} ms`;
      if (r.gaps.length === 0) return fail(expected, r.stopped ?? 'no two ANNOUNCEs in a row');
      const sorted = [...r.gaps].sort((a, b) => a - b);
      const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
      return median >= run.S / 2 && median <= run.S * 2 ? pass() : fail(expected, `ANNOUNCEs ${median} ms apart (gaps ${r.gaps.join(', ')} ms)`);
    },
  },
  {
    id: 'discovery.structure.gui_starts',
    run: 'session',
    phase: 8,
    async script(run) {
      const main = await run.mainWindow();
      const tracebacks = run.client!.tracebacks();
      if (!main.ok) return fail(`the peer window within ${run.limits.startup} ms`, main.failure.actual);
      if (tracebacks.length) return fail('no traceback', `a traceback: ${tracebacks[0]!.trim().split('\n').slice(-3).map((l) => l.trim()).join(' | ')}`);
      if (run.client!.exitStatus()) return fail('the peer keeps running', run.describeExit());
      return pass();
    },
  },
];
