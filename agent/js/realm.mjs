// What the grader installs in a JavaScript client's realm (worker thread or
// process) before importing it: crash capture with browser semantics (an
// uncaught error is reported and the client goes on, like a Tk callback's
// traceback), and keep-alive holds so the realm ends when the client is
// done, the way a process does.

/** report({ kind, text }) for every uncaught exception and unhandled rejection. */
export function captureCrashes(report) {
  const text = (err) => String((err && err.stack) || err).slice(0, 8000);
  process.on('uncaughtException', (err) => report({ kind: 'uncaught', text: text(err) }));
  process.on('unhandledRejection', (err) => report({ kind: 'unhandledRejection', text: text(err) }));
}

/** A counted keep-alive: the realm stays alive while anything holds it. */
export function holder() {
  let count = 0;
  let timer;
  return {
    hold() {
      if (count++ === 0) timer = setInterval(() => {}, 1 << 30);
    },
    release() {
      if (count > 0 && --count === 0) clearInterval(timer);
    },
  };
}

/**
 * mock-socket's WebSocket holds nothing open, so a realm whose client is
 * connected would look idle; this subclass holds the realm from
 * construction until its close, as a real socket does.
 */
export function heldWebSocket(Base, keepAlive) {
  return class WebSocket extends Base {
    constructor(...args) {
      super(...args);
      keepAlive.hold();
      let released = false;
      this.addEventListener('close', () => {
        if (!released) keepAlive.release();
        released = true;
      });
    }
  };
}

/** The client module's start(), or an Error saying why there is none. */
export async function loadStart(entryUrl) {
  const mod = await import(entryUrl);
  const start = mod.start ?? mod.default?.start;
  if (typeof start !== 'function') throw new Error(`the entry module exports no start() function (exports: ${Object.keys(mod).join(', ') || 'none'})`);
  return start;
}
