// The first process inside a full sandbox (run by bubblewrap, as the
// submission's uid). It opens the run's TCP listeners inside the sandbox's
// own network namespace and hands each to the grader over the IPC channel
// (Node passes the socket itself, so the grader accepts real TCP
// connections there: resets, half-closes and all), starts our companion
// helpers, waits for the grader's go, then starts the client and ends as it
// ends, once its helpers have finished what they hold (a bridge relays the
// datagrams the client sent just before it exited). Usage: node init.mjs
// '<spec json>'.
//
// Plain Node, no imports from the rest of chatgrade: this file is bound
// into the sandbox alone.

import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/** How long the helpers may take to finish once the client has ended (they die with this process). */
const DRAIN_MS = 2000;

interface Spec {
  listen: { host: string; port: number }[];
  companions: string[][];
  command: string[];
}

function fail(message: string): never {
  process.stderr.write(`chatgrade sandbox: ${message}\n`);
  process.exit(125);
}

/** SIGTERM every helper still running and wait (bounded) until they have exited. */
function drain(helpers: ChildProcess[]): Promise<unknown> {
  const live = helpers.filter((h) => h.exitCode === null && h.signalCode === null);
  for (const h of live) h.kill('SIGTERM');
  return Promise.race([Promise.all(live.map((h) => new Promise((ok) => h.once('exit', ok)))), new Promise((ok) => setTimeout(ok, DRAIN_MS))]);
}

function listenOne(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}

function hand(index: number, server: net.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    process.send!({ type: 'listening', index, address: server.address() }, server, {}, (err) => {
      // The grader holds its own copy of the socket now.
      server.close();
      if (err) reject(err);
      else resolve();
    });
  });
}

async function main(): Promise<void> {
  let spec: Spec;
  try {
    spec = JSON.parse(process.argv[2] ?? '') as Spec;
  } catch {
    fail('bad spec');
  }
  if (!process.send) fail('no IPC channel to the grader');
  for (const [i, l] of spec.listen.entries()) {
    const server = await listenOne(l.host, l.port).catch((e: Error) => fail(`cannot listen on ${l.host}:${l.port}: ${e.message}`));
    await hand(i, server);
  }
  const env = { ...process.env };
  delete env.NODE_CHANNEL_FD;
  delete env.NODE_CHANNEL_SERIALIZATION_MODE;
  const helpers: ChildProcess[] = [];
  if (spec.companions.length) {
    for (const [c, ...a] of spec.companions) {
      // Ours, not the student's: their output must not pass for the client's.
      helpers.push(spawn(c!, a, { stdio: 'ignore', env }).once('error', (e) => fail(`cannot start ${c}: ${e.message}`)));
    }
    const go = new Promise<void>((resolve) => process.on('message', (m: { type?: string }) => m?.type === 'go' && resolve()));
    process.send!({ type: 'companions' });
    await go;
  }
  const [cmd, ...args] = spec.command;
  if (!cmd) fail('empty command');
  const child = spawn(cmd, args, { stdio: 'inherit', env });
  child.once('error', (e) => fail(`cannot start ${cmd}: ${e.message}`));
  child.once('spawn', () => {
    process.send!({ type: 'started', pid: child.pid });
    process.disconnect();
  });
  child.once('exit', (code, signal) => {
    // The sandbox ends with this process: let the helpers finish first.
    void drain(helpers).then(() => {
      if (signal) {
        // End the way the client ended, so the grader sees its signal.
        process.removeAllListeners();
        process.kill(process.pid, signal);
      }
      process.exit(code ?? 1);
    });
  });
  // A signal for us is for the client.
  for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(s, () => child.kill(s));
}

void main();
