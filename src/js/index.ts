// JavaScript/TypeScript clients over WebSocket (docs/JS-CLIENTS.md): how the
// core runs one, in either mode, as the pieces gradeSubmission takes.

import { join } from 'node:path';
import { wsListenerOver } from '../fake-server/ws.js';
import type { Listener } from '../fake-server/transport.js';
import { makeLauncher, type Launcher } from '../launcher.js';
import type { SandboxRun } from '../sandbox/index.js';
import type { JsClient } from './detect.js';
import { inProcessClients } from './inprocess.js';
import { processInspector, workerInspector, type ModuleInspector } from './inspect.js';
import { nodeClientKind } from './runner.js';

export { detectJsClient, JsClientError, type JsClient } from './detect.js';
export type { ImportReport, ModuleInspector, SourceHit } from './inspect.js';

/** 'process': its own Node process in the run's sandbox, over a real WebSocket (the default). 'in-process': a worker thread over mock-socket (trusted code only). */
export type JsMode = 'process' | 'in-process';

/** What gradeSubmission needs to grade a JS client: its launcher, the fake server's listener, the static checks, and what the report says. */
export interface JsRuntime {
  launcher: (run: SandboxRun) => Launcher;
  listen: (host: string, port: number | undefined, run: SandboxRun) => Promise<Listener>;
  inspector: ModuleInspector;
  environment: { probe: 'explicit'; clientMode: string };
}

/** The pieces to grade `client` in `mode`. */
export function jsRuntime(client: JsClient, opts: { mode: JsMode; timeoutScale: number }): JsRuntime {
  const nodeOptions = client.loader ? ['--import', client.loader] : [];
  if (opts.mode === 'in-process') {
    if (client.loader) throw new Error(`a client with a loader (${client.loader}) runs in process mode only`);
    // Nothing of the sandbox is used: no process starts, no port opens.
    const { listen, launcher } = inProcessClients(join(client.dir, client.entry), opts.timeoutScale);
    return {
      launcher: () => launcher,
      listen: (host, port) => listen(host, port),
      inspector: workerInspector(client.dir, client.entry),
      environment: { probe: 'explicit', clientMode: 'in-process (mock-socket)' },
    };
  }
  return {
    launcher: makeLauncher({
      python: '',
      // A course's launch command is for its Python clients: a JS client always runs under the runner.
      launch: { ui: {}, explicitProbe: true },
      entry: client.entry,
      timeoutScale: opts.timeoutScale,
      kind: nodeClientKind(nodeOptions),
    }),
    // The sandbox opens the TCP listener in the client's network; WebSocket runs over it.
    listen: async (host, port, run) => {
      const at = await run.listen(host, port);
      return wsListenerOver(at.host, at.port, at.server);
    },
    inspector: processInspector(client.entry, nodeOptions),
    environment: { probe: 'explicit', clientMode: 'process (ws)' },
  };
}
