// Static checks of a JavaScript client, in its own runtime: import a module
// (never calling start) and report what it started, in a worker thread or
// a child Node process with a time limit; and find the source files that
// use a name such as WebSocket, without running anything.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { Exec } from '../launcher.js';
import { inspectInWorker } from './inprocess.js';
import { nodeInspectCommand } from './runner.js';

/** What importing one module did. */
export interface ImportReport {
  /** The import did not settle within the limit. */
  timedOut: boolean;
  /** URLs of the WebSockets it opened. */
  sockets: string[];
  /** Timers (timeouts, intervals, immediates) it left pending. */
  timers: number;
  /** Names it exports. */
  exports: string[];
  /** What it threw, if it did. */
  error?: string;
}

/** One line of source that names an identifier. */
export interface SourceHit {
  file: string;
  line: number;
  text: string;
}

/** Static checks in a client's own runtime, when that is not the pack's default (a JS client). */
export interface ModuleInspector {
  /** The entry module, relative to the submission folder. */
  readonly entry: string;
  /** Import one module of the submission (relative path) without starting anything; `exec` runs it in the run's sandbox. */
  importModule(file: string, within: number, exec: Exec): Promise<ImportReport>;
  /** Source files under `dir` (JS and TS, node_modules excluded) that name `identifier` in code, outside comments and strings. */
  filesNaming(dir: string, identifier: string): SourceHit[];
}

const SOURCE = new Set(['.js', '.mjs', '.cjs', '.jsx', '.ts', '.mts', '.cts', '.tsx']);
const MAX_FILES = 2000;
const MAX_FILE_BYTES = 1024 * 1024;

function toReport(raw: unknown): ImportReport {
  if (!raw || typeof raw !== 'object') return { timedOut: true, sockets: [], timers: 0, exports: [] };
  const r = raw as Partial<ImportReport>;
  return { timedOut: false, sockets: r.sockets ?? [], timers: r.timers ?? 0, exports: r.exports ?? [], ...(r.error ? { error: r.error } : {}) };
}

/** Blank out comments and string literals, keeping line breaks, so a scan sees only code. */
export function codeOnly(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\[\s\S]|[^`\\])*`/g, (m) => m.replace(/[^\n]/g, ' '));
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (out.length >= MAX_FILES) return;
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && SOURCE.has(extname(e.name)) && !e.name.endsWith('.d.ts') && statSync(full).size <= MAX_FILE_BYTES) out.push(full);
    }
  };
  walk(dir);
  return out.sort();
}

function filesNaming(dir: string, identifier: string): SourceHit[] {
  const word = new RegExp(`(?<![\\w$.])${identifier}(?![\\w$])`);
  const hits: SourceHit[] = [];
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    const code = codeOnly(text).split('\n');
    const index = code.findIndex((l) => word.test(l));
    if (index >= 0) hits.push({ file: relative(dir, file), line: index + 1, text: text.split('\n')[index]!.trim().slice(0, 120) });
  }
  return hits;
}

/** Imports run in throwaway worker threads (in-process mode: trusted code), from the submission folder itself. */
export function workerInspector(dir: string, entry: string): ModuleInspector {
  return {
    entry,
    importModule: async (file, within) => toReport(await inspectInWorker(join(dir, file), within)),
    filesNaming,
  };
}

/**
 * Imports run by the process runner in the run's sandbox (process mode).
 * The report comes on fd 3 with a nonce the runner read before importing
 * anything, so nothing the module prints or writes can pose as it.
 */
export function processInspector(entry: string, nodeOptions: string[] = []): ModuleInspector {
  return {
    entry,
    async importModule(file, within, exec) {
      const out = await exec(({ agentDir }) => nodeInspectCommand(join(agentDir, 'run_js_client.mjs'), file, nodeOptions), { within });
      if (!out.exited) return toReport(undefined);
      if (out.result !== undefined) return toReport(out.result);
      return { timedOut: false, sockets: [], timers: 0, exports: [], error: `the import check wrote no report (exit ${out.code ?? out.signal}): ${out.stderr.trim().split('\n').slice(-3).join(' | ')}` };
    },
    filesNaming,
  };
}
