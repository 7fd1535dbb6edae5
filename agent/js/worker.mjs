// A JavaScript client inside the grader, in a worker thread (trusted code
// only: nothing here is sandboxed). Its global WebSocket is mock-socket's,
// and the mock Server it reaches lives here too (mock-socket needs both in
// one realm); the server side is only a relay: raw messages go to the
// grader's fake server core over the port, and lines come back. The grader
// ends this thread whenever it likes (Worker.terminate), so nothing the
// client does can hang it.
//
// workerData: { mode: 'client', entry, url, serverUrls, user } or { mode: 'inspect', entry }.
// serverUrls: every URL the grader listens at for this client (the one it
// was given, and e.g. a trap for a client that ignores it); `server` in a
// relayed connection is the index of the one it reached.

import { parentPort, workerData } from 'node:worker_threads';
import { Server, WebSocket as MockWebSocket } from 'mock-socket';
import { inspectImport } from './inspect.mjs';
import { createProbe } from './probe.mjs';
import { captureCrashes, heldWebSocket, holder, loadStart } from './realm.mjs';

const post = (message) => parentPort.postMessage(message);

function bytesOf(data) {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(0);
}

/** The fake server's end: every mock connection, at any of its URLs, relayed to the grader by id. */
function relayServers(serverUrls, onClientError) {
  const sockets = new Map();
  let next = 0;
  serverUrls.forEach((serverUrl, server) => {
    new Server(serverUrl, { mock: false }).on('connection', (socket) => {
      const id = ++next;
      sockets.set(id, socket);
      post({ t: 'conn', id, server });
      socket.on('message', (data) => post(typeof data === 'string' ? { t: 'msg', id, data } : { t: 'msg', id, data: bytesOf(data), binary: true }));
      socket.on('close', (e) => {
        if (!sockets.delete(id)) return;
        post({ t: 'closed', id, code: e.code });
      });
    });
  });
  return (m) => {
    const socket = sockets.get(m.id);
    if (!socket) return;
    try {
      if (m.t === 'send') socket.send(m.text);
      else socket.close({ code: m.t === 'reset' ? 1006 : 1000 });
    } catch (err) {
      // The client's own message handler threw while receiving.
      onClientError(err);
    }
  };
}

async function runClient() {
  const crash = (c) => post({ t: 'crash', ...c });
  captureCrashes(crash);
  const keepAlive = holder();
  const toSocket = relayServers(workerData.serverUrls, (err) => crash({ kind: 'uncaught', text: String(err?.stack ?? err) }));
  globalThis.WebSocket = heldWebSocket(MockWebSocket, keepAlive);
  let mainOpen = false;
  const { probe, dispatch } = createProbe(
    (event) => post({ t: 'probe', event }),
    (open) => {
      if (open === mainOpen) return;
      mainOpen = open;
      if (open) keepAlive.hold();
      else keepAlive.release();
    },
  );
  let handle;
  parentPort.on('message', (m) => {
    if (m.t === 'cmd') void dispatch(m.command);
    else if (m.t === 'stop') {
      Promise.resolve()
        .then(() => handle?.stop?.())
        .catch((err) => crash({ kind: 'stop', text: String(err?.stack ?? err) }))
        .finally(() => post({ t: 'stopped' }));
    } else toSocket(m);
  });
  // From here on the client alone keeps this thread alive, as it would a process.
  parentPort.unref();
  try {
    const start = await loadStart(workerData.entry);
    handle = await start({ url: workerData.url, user: workerData.user, probe });
    post({ t: 'started' });
  } catch (err) {
    crash({ kind: 'startup', text: String(err?.stack ?? err) });
    process.exit(1);
  }
}

if (workerData.mode === 'inspect') post({ t: 'report', report: await inspectImport(workerData.entry) });
else await runClient();
