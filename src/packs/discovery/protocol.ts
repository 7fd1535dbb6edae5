// The discovery protocol's codec: one message per datagram, UTF-8 text of at
// most 1024 bytes with an optional trailing newline, words separated by
// single spaces. parseDatagram is strict (it is how the grader judges what a
// peer sends); receivers ignore whatever it rejects. docs/DISCOVERY.md
// describes the grammar in full.

/** Largest datagram a peer may send or must accept, in bytes. */
export const MAX_DATAGRAM = 1024;
/** A peer name. */
export const NAME_RE = /^[A-Za-z0-9_-]{1,32}$/;
const URL_RE = /^tcp:\/\/([A-Za-z0-9](?:[A-Za-z0-9.-]{0,253}[A-Za-z0-9])?):([0-9]{1,5})$/;
const META_RE = /^([a-z]+)=(\S+)$/u;
const META_VALUE_MAX = 64;

/** One metadata token, key=value, in the order sent. */
export type Meta = readonly [key: string, value: string];

/** A discovery message. */
export type DiscoveryMessage =
  | { type: 'REQUEST'; name: string }
  | { type: 'ANNOUNCE'; name: string; url: string; meta: Meta[] }
  | { type: 'BYE'; name: string };

/** A datagram as the grader reads it: the message, or why it is not one. */
export type Parsed = { ok: true; message: DiscoveryMessage; newline: boolean } | { ok: false; reason: string };

const bad = (reason: string): Parsed => ({ ok: false, reason });

/** The host and port of a `tcp://host:port` URL, or undefined. */
export function parseUrl(url: string): { host: string; port: number } | undefined {
  const m = URL_RE.exec(url);
  if (!m) return undefined;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { host: m[1]!, port } : undefined;
}

/** A metadata token, or why it is not one. */
export function parseMeta(token: string): Meta | string {
  const m = META_RE.exec(token);
  if (!m) return `${JSON.stringify(token)} is not key=value with a lower-case key`;
  const length = [...m[2]!].length;
  if (length > META_VALUE_MAX) return `the value of ${m[1]} has ${length} characters (at most ${META_VALUE_MAX})`;
  return [m[1]!, m[2]!];
}

/** Parse one datagram strictly. */
export function parseDatagram(bytes: Uint8Array): Parsed {
  if (bytes.length > MAX_DATAGRAM) return bad(`${bytes.length} bytes (at most ${MAX_DATAGRAM})`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bad('not valid UTF-8');
  }
  const newline = text.endsWith('\n');
  if (newline) text = text.slice(0, -1);
  const words = text.split(' ');
  if (words.some((w) => w === '')) return bad('words must be separated by single spaces, with none at either end');
  const [verb, name, ...rest] = words;
  if (verb !== 'REQUEST' && verb !== 'ANNOUNCE' && verb !== 'BYE') return bad(`unknown message ${JSON.stringify(verb)}`);
  if (name === undefined) return bad(`${verb} without a name`);
  if (!NAME_RE.test(name)) return bad(`${JSON.stringify(name)} is not a valid name`);
  if (verb !== 'ANNOUNCE') return rest.length ? bad(`${verb} takes only a name`) : { ok: true, message: { type: verb, name }, newline };
  const [url, ...tokens] = rest;
  if (url === undefined) return bad('ANNOUNCE without a URL');
  if (!parseUrl(url)) return bad(`${JSON.stringify(url)} is not a tcp://host:port URL`);
  const meta: Meta[] = [];
  for (const t of tokens) {
    const m = parseMeta(t);
    if (typeof m === 'string') return bad(m);
    meta.push(m);
  }
  return { ok: true, message: { type: 'ANNOUNCE', name, url, meta }, newline };
}

/** The first word of a datagram, whatever else it holds (for telling message kinds apart leniently). */
export function verbOf(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 16)).toString('latin1');
  return head.split(/[ \n]/, 1)[0] ?? '';
}

/** A message as text, without the optional newline. */
export function formatMessage(m: DiscoveryMessage): string {
  if (m.type !== 'ANNOUNCE') return `${m.type} ${m.name}`;
  return [m.type, m.name, m.url, ...m.meta.map(([k, v]) => `${k}=${v}`)].join(' ');
}

/** The datagram for a message, with or without the trailing newline. */
export function encodeMessage(m: DiscoveryMessage, newline = false): Buffer {
  return Buffer.from(formatMessage(m) + (newline ? '\n' : ''), 'utf8');
}
