// Overall program structure: the GUI starts and stays responsive, main is
// guarded, host and port are configurable, networking lives in net.py.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { conversation } from './fixtures.js';
import type { SessionRun } from './session-run.js';
import { jsMainGuard, jsNetLoads, jsNetOwnsSockets } from './structure-js.js';
import { tracebackSummary } from './traceback.js';
import { HarnessFault, fail, pass, unsure, type CheckScript, type Verdict } from '../../../check.js';
import { reviewNote } from './review.js';

/** Run agent/static_check.py in the run's sandbox with a time limit (its report comes back through the core's nonce channel). */
async function staticCheck(run: SessionRun, args: string[]): Promise<{ report?: Record<string, unknown>; started: boolean; exit: string; timedOut: boolean; stderr: string }> {
  const out = await run.env.exec(({ agentDir }) => [run.env.python, '-I', '-S', join(agentDir, 'static_check.py'), ...args], { within: run.limits.staticCheck });
  const exit = out.signal ? `killed by ${out.signal}` : `status ${out.code}`;
  return { report: out.result as Record<string, unknown> | undefined, started: out.started, exit, timedOut: !out.exited, stderr: out.stderr };
}

/** Import a module of the submission with sockets and windows intercepted. */
async function importCheck(run: SessionRun, file: string): Promise<Verdict> {
  if (!existsSync(join(run.env.dir, file))) return fail(`${file} in the submission`, `there is no ${file}`);
  const module = file.replace(/\.py$/, '');
  const { report, started, exit, timedOut, stderr } = await staticCheck(run, ['import', module]);
  if (timedOut) return fail(`importing ${file} returns`, `importing ${file} did not return within ${run.limits.staticCheck} ms (does it run the program at import time?)`);
  // Our checker had started the student's code, which then ended the process (os._exit, a signal).
  if (!report && started) return fail(`importing ${file} returns`, `importing ${file} ended the process (${exit}) instead of returning`);
  if (!report) throw new HarnessFault('static.noReport', `the static check of ${file} printed no report: ${stderr.slice(-400)}`);
  const sockets = report.sockets as string[];
  const problems: string[] = [];
  if (sockets.length) problems.push(`it opened a connection to ${sockets.join(', ')}`);
  if ((report.windows as number) > 0) problems.push('it created a Tk window');
  if (report.error && !sockets.length && !(report.windows as number)) problems.push(`it raised: ${String(report.error).trim().split('\n').slice(-3).join(' | ')}`);
  return problems.length ? fail(`importing ${file} opens no socket and no window, and returns`, `importing ${file}: ${problems.join('; ')}`) : pass();
}

export const structure: CheckScript<SessionRun>[] = [
  {
    id: 'structure.main.guard',
    run: 'static',
    phase: 0,
    script: (run) => (run.env.inspector ? jsMainGuard(run, run.env.inspector) : importCheck(run, 'main.py')),
  },
  {
    id: 'structure.modularity.net_loads',
    run: 'static',
    phase: 0,
    script: (run) => (run.env.inspector ? jsNetLoads(run, run.env.inspector) : importCheck(run, 'net.py')),
  },
  {
    id: 'structure.modularity.net_owns_sockets',
    run: 'static',
    phase: 0,
    async script(run) {
      if (run.env.inspector) return jsNetOwnsSockets(run, run.env.inspector);
      const { report, timedOut, stderr } = await staticCheck(run, ['sockets']);
      if (timedOut || !report) throw new HarnessFault('static.noReport', `the socket scan printed no report: ${stderr.slice(-400)}`);
      const offenders = report.offenders as { file: string; line: number; text: string }[];
      if (!existsSync(join(run.env.dir, 'net.py'))) return fail('socket code in net.py', 'there is no net.py');
      return offenders.length
        ? fail('no module but net.py imports socket', offenders.map((o) => `${o.file}:${o.line}: ${o.text}`).join('; '))
        : pass();
    },
  },
  {
    id: 'structure.config.port',
    run: 'session',
    phase: 0,
    async script(run) {
      const c = await run.connection();
      return c.ok ? pass() : fail(`a connection to port ${run.server!.port} (given with --port)`, c.failure.actual);
    },
  },
  {
    id: 'structure.config.host',
    run: 'host',
    phase: 0,
    async script(run) {
      const c = await run.connection();
      return c.ok ? pass() : fail(`a connection to ${run.server!.host}:${run.server!.port} (given with --host ${run.server!.host})`, c.failure.actual);
    },
  },
  {
    id: 'structure.gui.responsive',
    run: 'session',
    phase: 5,
    async script(run) {
      // Measured whatever shape the conversation UI takes: it is about the
      // GUI answering with a conversation open and a message received, not
      // about the grader finding the conversation's window.
      const fixture = await conversation(run, 'first');
      await run.send({ type: 'SEND_MESSAGE', conv: fixture.conv, from: fixture.peer, text: run.names.text() });
      const d = await run.driver();
      // The rubric's condition: the server has been silent for at least 300 ms.
      await delay(Math.max(0, run.limits.silence - run.silenceMs()));
      try {
        await d.sync(run.limits.sync);
      } catch {
        return fail(`the GUI answers within ${run.limits.sync} ms while the server is silent`, `no answer within ${run.limits.sync} ms: the Tk event loop is blocked`);
      }
      if (fixture.window.ok && !(await run.isOpen(fixture.window.value))) return fail('the conversation window stays open', 'it closed');
      return pass();
    },
  },
  {
    id: 'structure.gui.starts',
    run: 'session',
    phase: 8,
    async script(run) {
      const main = await run.mainWindow();
      const tracebacks = run.client!.tracebacks();
      if (!main.ok) {
        // Windows on screen, none of them read as the main window: maybe the grader's blindness.
        const ui = run.client?.driver?.ui();
        const review = ui?.windows.length ? reviewNote('no window was recognised as the main window', ui) : undefined;
        return unsure(`the main window within ${run.limits.startup} ms`, main.failure.actual, review);
      }
      if (tracebacks.length) return fail('no traceback in a normal session', `a traceback: ${tracebackSummary(tracebacks[0]!, run.env.dir)}`);
      if (run.client!.exitStatus()) return fail('the client keeps running', run.describeExit());
      return pass();
    },
  },
];
