// The import check of a JavaScript module: import it with WebSocket and the
// timer functions replaced by recorders, and report what it started. A
// module that behaves imports its code and returns; one that runs the
// program at import time opens a WebSocket or leaves a timer running.

/** Import `url`; report the WebSockets it opened, the timers left pending, its exports or its error. */
export async function inspectImport(url) {
  const sockets = [];
  const live = new Set();
  const real = { setTimeout, setInterval, setImmediate, clearTimeout, clearInterval, clearImmediate };
  globalThis.WebSocket = class WebSocket {
    static CONNECTING = 0;
    static OPEN = 1;
    static CLOSING = 2;
    static CLOSED = 3;
    constructor(target) {
      sockets.push(String(target));
      this.readyState = 0;
    }
    send() {}
    close() {}
    addEventListener() {}
    removeEventListener() {}
  };
  const once = (make) => (fn, ...rest) => {
    const handle = make((...args) => {
      live.delete(handle);
      if (typeof fn === 'function') fn(...args);
    }, ...rest);
    live.add(handle);
    return handle;
  };
  globalThis.setTimeout = once(real.setTimeout);
  globalThis.setImmediate = once(real.setImmediate);
  globalThis.setInterval = (fn, ...rest) => {
    const handle = real.setInterval(fn, ...rest);
    live.add(handle);
    return handle;
  };
  for (const [name, clear] of [['clearTimeout', real.clearTimeout], ['clearInterval', real.clearInterval], ['clearImmediate', real.clearImmediate]]) {
    globalThis[name] = (handle) => {
      live.delete(handle);
      clear(handle);
    };
  }
  let error;
  let exports = [];
  try {
    const mod = await import(url);
    exports = Object.keys(mod);
    if (mod.default && typeof mod.default === 'object') exports.push(...Object.keys(mod.default).map((k) => `default.${k}`));
  } catch (err) {
    error = String((err && err.stack) || err).slice(0, 4000);
  }
  // Work the module queued for right after its import counts as import time.
  await new Promise((resolve) => real.setImmediate(resolve));
  for (const h of live) {
    real.clearTimeout(h);
    real.clearInterval(h);
    real.clearImmediate(h);
  }
  return { sockets, timers: live.size, exports, ...(error ? { error } : {}) };
}
