// The explicit probe as an object, for a JavaScript client's start({ probe }):
// emit(event) reports what the GUI shows, on(command, handler) performs what
// the grader asks. Each command gets exactly one reply: ok once the handler
// returns (or its promise resolves), refused with the error's text when it
// throws. Shared by the worker thread and the process runner.

/** Largest event accepted from the client, as JSON; bigger ones are dropped and reported. */
const MAX_EVENT_BYTES = 1024 * 1024;
const COMMANDS = new Set(['invite', 'accept', 'decline', 'say', 'close', 'set_status', 'quit', 'sync']);

/**
 * send(obj): delivers one JSON-safe object to the grader.
 * onMainWindow(open): told when the client shows or closes its main window:
 *   like a GUI's main loop, an open main window keeps the client alive.
 */
export function createProbe(send, onMainWindow = () => {}) {
  const handlers = new Map();
  const probe = Object.freeze({
    emit(event) {
      let text;
      try {
        text = JSON.stringify(event);
      } catch (err) {
        send({ type: 'probe_error', text: `probe.emit: the event is not JSON: ${err.message}` });
        return;
      }
      if (text === undefined || text.length > MAX_EVENT_BYTES) {
        send({ type: 'probe_error', text: `probe.emit: event dropped (${text === undefined ? 'not an object' : `${text.length} bytes`})` });
        return;
      }
      const copy = JSON.parse(text);
      if (copy && copy.type === 'window' && copy.kind === 'main') onMainWindow(copy.open === true);
      send(copy);
    },
    on(command, handler) {
      if (!COMMANDS.has(command)) throw new TypeError(`probe.on: unknown command ${JSON.stringify(command)} (one of ${[...COMMANDS].join(', ')})`);
      if (typeof handler !== 'function') throw new TypeError('probe.on: the handler must be a function');
      handlers.set(command, handler);
    },
  });

  /** Run one grader command and send its reply. */
  async function dispatch(command) {
    const { id, ...rest } = command;
    const handler = handlers.get(rest.cmd);
    if (!handler) {
      // sync needs no handler: answering it at all proves the event loop turns.
      send(rest.cmd === 'sync' ? { type: 'reply', id, ok: true } : { type: 'reply', id, ok: false, error: `the client has no handler for "${rest.cmd}"` });
      return;
    }
    try {
      await handler(rest);
      send({ type: 'reply', id, ok: true });
    } catch (err) {
      send({ type: 'reply', id, ok: false, error: String(err?.message ?? err).slice(0, 500) });
    }
  }

  return { probe, dispatch };
}
