// A Python traceback on one line, for a verdict's "actual": shared by the
// checks of every rubric area and by the session run that reports a client's
// exit, so it lives below all of them.

import { basename, isAbsolute, relative } from 'node:path';

const FRAME = /^\s*File "(.+)", line (\d+), in (.+)$/;
const AGENT_FILE = /[\\/]chatgrade_agent[\\/]|[\\/]run_client\.py$/;
const LIBRARY_FILE = /[\\/]lib[\\/]python3[^\\/]*[\\/]|site-packages|^<frozen /;

/**
 * A traceback on one line, ending at the student's code: the deepest frame
 * in the submission (else the deepest outside the agent and the Python
 * library) and the exception, e.g. `gui.py:42 in on_message: a, b = x.split() | ValueError: ...`.
 */
export function tracebackSummary(text: string, dir?: string): string {
  const lines = text.trim().split('\n');
  const exception = lines.at(-1)?.trim() ?? '';
  const frames: { file: string; line: string; func: string; code: string }[] = [];
  lines.forEach((l, i) => {
    const m = FRAME.exec(l);
    if (!m) return;
    const next = lines[i + 1] ?? '';
    frames.push({ file: m[1]!, line: m[2]!, func: m[3]!, code: FRAME.test(next) || i + 1 >= lines.length - 1 ? '' : next.trim() });
  });
  const inDir = (f: string): boolean => dir !== undefined && (f.startsWith(`${dir}/`) || !isAbsolute(f));
  const theirs = frames.filter((f) => !AGENT_FILE.test(f.file));
  const frame = theirs.filter((f) => inDir(f.file)).at(-1) ?? theirs.filter((f) => !LIBRARY_FILE.test(f.file)).at(-1) ?? theirs.at(-1);
  if (!frame) return exception;
  const file = dir !== undefined && frame.file.startsWith(`${dir}/`) ? relative(dir, frame.file) : basename(frame.file);
  return `${file}:${frame.line} in ${frame.func}${frame.code ? `: ${frame.code}` : ''} | ${exception}`;
}
