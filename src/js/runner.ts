// Where the JavaScript side of the agent lives (agent/js/, agent/run_js_client.mjs),
// the command line that runs a JS client in its own Node process, and JS
// clients as a kind of the launcher's, beside its Python clients.

import { join } from 'node:path';
import type { ClientKind } from '../launcher.js';
import { agentDir } from '../probe/launch.js';
import { wsUrl } from '../fake-server/ws.js';
import { jsCrashes } from './crashes.js';

/** agent/js/worker.mjs: a JS client (or an import check) in a worker thread. */
export function jsWorker(): string {
  return join(agentDir(), 'js', 'worker.mjs');
}

/**
 * Node 20 has the browser's WebSocket only behind a flag (built in from 22):
 * with it the runner needs no package inside the client's sandbox.
 */
const WEBSOCKET_FLAG = typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function' ? [] : ['--experimental-websocket'];

/**
 * The sandbox caps address space (prlimit --as); WebAssembly's trap handler
 * reserves far more than any cap (and undici's WebSocket parser is Wasm), so
 * JS clients run without it: bounds checks in code instead.
 */
const SANDBOX_FLAGS = ['--disable-wasm-trap-handler'];

/** `node [options] RUNNER ENTRY --url ws://host:port/ --user NAME`, from a run's placeholder values; `runner` as the client sees it. */
export function nodeClientCommand(runner: string, entry: string, vars: Record<string, string>, nodeOptions: string[] = []): string[] {
  const url = wsUrl(vars.host ?? '127.0.0.1', Number(vars.port ?? 0));
  return [process.execPath, ...SANDBOX_FLAGS, ...WEBSOCKET_FLAG, ...nodeOptions, runner, entry, '--url', url, '--user', vars.user ?? ''];
}

/** `node [options] RUNNER --inspect FILE`: the import check, in the client's runtime. */
export function nodeInspectCommand(runner: string, file: string, nodeOptions: string[] = []): string[] {
  return [process.execPath, ...SANDBOX_FLAGS, ...nodeOptions, runner, '--inspect', file];
}

/** A JS client in its own Node process under agent/run_js_client.mjs: its entry module, with {host} {port} {user} as its url and user. */
export function nodeClientKind(nodeOptions: string[] = []): ClientKind {
  return {
    command: (agentDir, entry, vars) => nodeClientCommand(join(agentDir, 'run_js_client.mjs'), entry, vars, nodeOptions),
    crashes: jsCrashes,
  };
}
