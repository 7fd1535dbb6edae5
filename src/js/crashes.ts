// Errors a JavaScript client raised, as tracebacks the checks can show. The
// process runner reports each on stderr (agent/run_js_client.mjs): a marker
// line, then the stack indented; the worker sends them as messages.

/**
 * A stack as a traceback reads: frames first, the error last, so the
 * checks' "last lines of the traceback" show what went wrong, as they do
 * for a Python traceback.
 */
export function crashText(kind: string, stack: string): string {
  const [message = 'an error', ...frames] = stack.trim().split('\n');
  return [...frames.map((f) => f.trim()), `${message} (${kind} error in the client)`].join('\n');
}

/** Each error the process runner reported on stderr, in order. */
export function jsCrashes(stderr: string): string[] {
  const out: string[] = [];
  const lines = stderr.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^chatgrade: (\w+) error in the client$/.exec(lines[i]!);
    if (!m) continue;
    let j = i + 1;
    while (j < lines.length && lines[j]!.startsWith('    ')) j++;
    out.push(crashText(m[1]!, lines.slice(i + 1, j).map((l) => l.slice(4)).join('\n')));
    i = j - 1;
  }
  return out;
}
