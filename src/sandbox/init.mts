// The first process inside a full sandbox (run by bubblewrap, as the
// submission's uid). It opens the run's TCP listeners inside the sandbox's
// own network namespace and hands each to the grader over the IPC channel
// (Node passes the socket itself, so the grader accepts real TCP
// connections there: resets, half-closes and all), says when it holds (the
// grader then starts its companions into this network, from outside),
// waits for the grader's go, then starts the client and ends as it ends.
// Usage: node init.mjs '<spec json>'.
//
// Plain Node, no imports from the rest of chatgrade: this file is bound
// into the sandbox alone.

import { spawn } from 'node:child_process';
import net from 'node:net';

interface Spec {
  listen: { host: string; port: number }[];
  /** Wait for the grader's go before starting the command. */
  hold: boolean;
  command: string[];
}

function fail(message: string): never {
  process.stderr.write(`chatgrade sandbox: ${message}\n`);
  process.exit(125);
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
  if (spec.hold) {
    const go = new Promise<void>((resolve) => process.on('message', (m: { type?: string }) => m?.type === 'go' && resolve()));
    process.send!({ type: 'holding' });
    await go;
  }
  const [cmd, ...args] = spec.command;
  if (!cmd) fail('empty command');
  // The channel does not keep a child alive by itself: hold it until "started" is written, and
  // end with the client only after that (a client that ends at once, a syntax error, would
  // otherwise end us before the message left, and its run would look like a setup failure).
  process.channel?.ref();
  const child = spawn(cmd, args, { stdio: 'inherit', env });
  child.once('error', (e) => fail(`cannot start ${cmd}: ${e.message}`));
  const told = new Promise<void>((resolve) => child.once('spawn', () => {
    process.send!({ type: 'started', pid: child.pid }, undefined, {}, () => {
      process.disconnect();
      resolve();
    });
  }));
  child.once('exit', (code, signal) => void told.then(() => {
    if (signal) {
      // End the way the client ended, so the grader sees its signal.
      process.removeAllListeners();
      process.kill(process.pid, signal);
    }
    process.exit(code ?? 1);
  }));
  // A signal for us is for the client.
  for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(s, () => child.kill(s));
}

void main();
