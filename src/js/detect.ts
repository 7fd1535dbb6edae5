// Is a submission folder a JavaScript/TypeScript client? One with a
// package.json whose `main` (or, without one, client.mjs) is the module that
// exports start({ url, user, probe }). A small pure function the CLI calls
// before choosing how to run the client.

import { extname, isAbsolute, join, normalize, sep } from 'node:path';
import { entryKind, parseJsonQuietly, readSubmissionFile } from '../safe-read.js';

/** A JavaScript client found in a submission folder. */
export interface JsClient {
  dir: string;
  /** The entry module, relative to dir (e.g. "client.js", "dist/client.js"). */
  entry: string;
  /** A Node module to preload (package.json "chatgrade": { "loader": ... }), e.g. a TypeScript loader; process mode only. */
  loader?: string;
}

/** A package.json that cannot be graded as a client; the message says how to fix it. */
export class JsClientError extends Error {
  readonly code = 'client.badPackage';
}

const TS = new Set(['.ts', '.mts', '.cts', '.tsx']);
/** Largest package.json read. */
const MAX_PACKAGE_JSON_BYTES = 1024 * 1024;

/**
 * The JavaScript client in `dir`, or undefined when the folder is not one
 * (no package.json; or a package.json beside main.py that names no entry).
 * Throws JsClientError for a package.json that points nowhere usable.
 */
export function detectJsClient(dir: string): JsClient | undefined {
  const file = join(dir, 'package.json');
  // Files of the submission are judged without following a link (src/safe-read.ts).
  const isFile = (rel: string): boolean => entryKind(dir, rel) === 'file';
  let pkg: { main?: unknown; chatgrade?: { loader?: unknown } };
  try {
    const text = readSubmissionFile(dir, 'package.json', MAX_PACKAGE_JSON_BYTES);
    if (text === undefined) return undefined;
    pkg = parseJsonQuietly(text, file) as typeof pkg;
  } catch (err) {
    throw new JsClientError((err as Error).message);
  }
  if (typeof pkg !== 'object' || pkg === null) throw new JsClientError(`${file} is not a JSON object`);
  const loader = typeof pkg.chatgrade?.loader === 'string' ? pkg.chatgrade.loader : undefined;
  let entry: string | undefined;
  if (typeof pkg.main === 'string') {
    const main = normalize(pkg.main);
    if (isAbsolute(main) || main.split(sep).includes('..')) throw new JsClientError(`package.json "main" (${pkg.main}) must be a file inside the submission folder`);
    entry = [main, `${main}.js`, join(main, 'index.js')].find((m) => isFile(m));
    if (!entry) throw new JsClientError(`package.json "main" names ${pkg.main}, which does not exist${TS.has(extname(main)) ? '' : ' (is the TypeScript compiled? run the build first)'}`);
  } else if (isFile('client.mjs')) {
    entry = 'client.mjs';
  } else if (isFile('main.py')) {
    return undefined;
  } else {
    throw new JsClientError('package.json has no "main", and there is no client.mjs: name the module that exports start()');
  }
  if (TS.has(extname(entry)) && !loader) {
    throw new JsClientError(`package.json "main" is TypeScript source (${entry}): point it at the compiled output, or name a loader in "chatgrade": { "loader": ... }`);
  }
  return { dir, entry, ...(loader ? { loader } : {}) };
}
