// The submission's own problems: a grade.json or package.json that cannot be
// used, an entry file that is not there (found before anything runs), a
// syntax error that keeps the client from starting (found by compiling,
// beside the grading). Each is the student's to
// fix: the checks it costs fail (once, with the fix named), the others are
// graded as usual, and the grade is complete. Only faults of the grader or
// the machine are harness errors.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Sandbox } from './sandbox/index.js';

/** A submission problem before the checks it cost are known. */
export interface Problem {
  code: string;
  message: string;
  fix: string;
  /** 'all': no check can be graded; 'client': only the checks that start the client are lost. */
  scope: 'all' | 'client';
}

/** A grade.json the grader cannot use (invalid JSON, a key it may not set). */
export function invalidConfig(why: string): Problem {
  return {
    code: 'submission.invalidConfig',
    message: `Not graded: grade.json is not valid: ${oneLine(why)}`,
    fix: 'Make grade.json valid JSON that sets only "entry" and "ui" (CLIENT.md, "The submission"), or delete it to use the defaults.',
    scope: 'all',
  };
}

/** A package.json that names no usable client. */
export function invalidPackage(why: string): Problem {
  return {
    code: 'submission.invalidPackage',
    message: `Does not start: ${oneLine(why)}`,
    fix: 'Make package.json valid JSON whose "main" names the module that exports start(), compiled to JavaScript.',
    scope: 'all',
  };
}

/** The entry file, when it is missing from the folder. */
export function missingEntry(dir: string, entry: string, named: boolean): Problem | undefined {
  if (existsSync(join(dir, entry))) return undefined;
  return {
    code: 'submission.noEntry',
    message: `Does not start: ${entry} is missing${named ? ' (grade.json names it as the entry)' : ''}`,
    fix: named ? `Hand in ${entry}, or correct "entry" in grade.json.` : `Hand in ${entry} at the top of the submission folder, or name your entry file in grade.json ({"entry": "client.py"}).`,
    scope: 'all',
  };
}

// Compiles (never runs) the entry and the local modules it imports at module
// level, as Python would on start-up, and prints the first error as JSON.
const COMPILE = String.raw`
import ast, json, os, sys
os.chdir(sys.argv[1])
todo, seen, found = [sys.argv[2]], set(), None
def local(name):
    head = name.split(".")[0]
    for path in (head + ".py", os.path.join(head, "__init__.py")):
        if os.path.isfile(path):
            return path
def imported(tree):
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
        stack.extend(ast.iter_child_nodes(node))
while todo and found is None:
    path = todo.pop(0)
    if path in seen:
        continue
    seen.add(path)
    try:
        with open(path, "rb") as f:
            source = f.read()
        compile(source, path, "exec", dont_inherit=True)
        tree = ast.parse(source, path)
    except SyntaxError as e:
        found = {"file": path, "line": e.lineno, "kind": type(e).__name__, "msg": e.msg}
    except (ValueError, RecursionError, MemoryError) as e:
        found = {"file": path, "line": None, "kind": type(e).__name__, "msg": str(e)[:200]}
    else:
        todo.extend(p for p in map(local, imported(tree)) if p)
print(json.dumps(found))
`;

/**
 * A syntax error that keeps a Python client from starting, found by
 * compiling its entry and the local modules it imports, in the sandbox.
 * Undefined when there is none, or when the check itself could not tell
 * (its trouble is never charged to the student).
 */
export async function syntaxError(sandbox: Sandbox, python: string, entry: string, within: number): Promise<Problem | undefined> {
  const run = await sandbox.newRun({ display: false });
  try {
    const proc = await run.spawn([python, '-I', '-c', COMPILE, run.inside.workdir, entry], { outputCapBytes: 16 * 1024 });
    const exit = await Promise.race([proc.exited, delay(within, undefined, { ref: false })]);
    await proc.kill(200).catch(() => undefined);
    if (!exit || exit.code !== 0) return undefined;
    let found: { file: string; line: number | null; kind: string; msg: string } | null;
    try {
      found = JSON.parse(proc.stdout().text.trim()) as typeof found;
    } catch {
      return undefined;
    }
    if (!found) return undefined;
    const where = `${found.file}${found.line ? ` line ${found.line}` : ''}`;
    return {
      code: 'submission.syntaxError',
      message: `Does not start: ${found.kind} in ${where}: ${found.msg}`,
      fix: `Correct ${found.line ? `line ${found.line} of ${found.file}` : found.file} (\`python3 -m py_compile ${found.file}\` shows the same error), then grade again.`,
      scope: 'client',
    };
  } finally {
    await run.dispose();
  }
}

/** A multi-line message on one line: "a:\n  b\n  c" is "a: b; c". */
function oneLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).reduce((acc, l) => (acc === '' ? l : acc.endsWith(':') ? `${acc} ${l}` : `${acc}; ${l}`), '');
}
