// Runs a JavaScript chat client in its own Node process, the way the grader
// runs Python clients under run_client.py:
//   node run_js_client.mjs ENTRY --url ws://host:port/ --user NAME
// imports ENTRY, gives it a global WebSocket (Node's own, the browser API,
// which the grader enables with --experimental-websocket on Node 20; failing
// that the `ws` package, resolved from this folder, never from the
// submission's node_modules) and calls start({ url, user, probe }); `probe` speaks the explicit JSON-lines probe
// to CHAT_PROBE with CHAT_PROBE_TOKEN (docs/PROBE.md), so the grader drives
// it as any explicit client. Uncaught errors are reported on stderr and the
// client goes on, as a browser does.
//   node run_js_client.mjs --inspect FILE
// imports FILE without starting anything and reports what it did (the
// structure checks' import check) on fd 3 as {"nonce", "result"}, the nonce
// read from stdin before any student code runs, so nothing it prints or
// writes can pose as the report.

import { readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { inspectImport } from './js/inspect.mjs';
import { createProbe } from './js/probe.mjs';
import { captureCrashes, loadStart } from './js/realm.mjs';

const argv = process.argv.slice(2);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const fileUrl = (file) => pathToFileURL(file).href;

/** Crash blocks: a marker line, then the stack indented (src/js/crashes.ts reads them). */
function reportCrash({ kind, text }) {
  const body = String(text).split('\n').map((l) => `    ${l}`).join('\n');
  process.stderr.write(`chatgrade: ${kind} error in the client\n${body}\n`);
}

/** The probe token: read once from the file the sandbox wrote for this process alone, which is then removed. */
function probeToken() {
  const file = process.env.CHAT_PROBE_TOKEN_FILE;
  delete process.env.CHAT_PROBE_TOKEN_FILE;
  if (!file) return process.env.CHAT_PROBE_TOKEN ?? '';
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  } finally {
    rmSync(file, { force: true });
  }
}

async function runClient(entry) {
  if (typeof globalThis.WebSocket !== 'function') {
    const { WebSocket: NodeWebSocket } = await import('ws');
    // A browser's WebSocket reports a failed connection as an event; ws would throw without a listener.
    globalThis.WebSocket = class WebSocket extends NodeWebSocket {
      constructor(...args) {
        super(...args);
        this.on('error', () => {});
      }
    };
  }
  captureCrashes(reportCrash);
  const address = process.env.CHAT_PROBE ?? '';
  const colon = address.lastIndexOf(':');
  const socket = net.createConnection({ host: address.slice(0, colon), port: Number(address.slice(colon + 1)) });
  socket.setNoDelay(true);
  socket.on('error', () => {});
  const send = (obj) => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(obj)}\n`);
  };
  send({ type: 'hello', token: probeToken(), mode: 'explicit', client: `run_js_client.mjs (node ${process.version})` });
  // Like a GUI's main loop, only an open main window keeps the process alive through the probe.
  socket.unref();
  const { probe, dispatch } = createProbe(send, (open) => (open ? socket.ref() : socket.unref()));
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      let command;
      try {
        command = JSON.parse(line);
      } catch {
        continue;
      }
      void dispatch(command);
    }
  });
  try {
    const start = await loadStart(fileUrl(entry));
    await start({ url: option('--url'), user: option('--user'), probe });
  } catch (err) {
    reportCrash({ kind: 'startup', text: err?.stack ?? err });
    // The hello must reach the grader (through a sandbox's relay, maybe) before this process is gone: close the probe cleanly first.
    socket.ref();
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 2000);
      socket.once('close', () => resolve(clearTimeout(timer)));
      socket.end();
    });
    process.exit(1);
  }
}

/** The first line of stdin, read before anything else runs. */
function readNonce() {
  const buf = Buffer.alloc(256);
  let text = '';
  while (!text.includes('\n')) {
    let n;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (err) {
      if (err.code === 'EAGAIN') continue;
      break;
    }
    if (n <= 0) break;
    text += buf.toString('utf8', 0, n);
  }
  return text.split('\n')[0].trim();
}

if (argv[0] === '--inspect') {
  const nonce = readNonce();
  const result = await inspectImport(fileUrl(argv[1]));
  writeSync(3, JSON.stringify({ nonce, result }));
  process.exit(0);
} else {
  await runClient(argv[0]);
}
