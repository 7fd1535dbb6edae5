// Splits a byte stream into protocol lines. Handles \n and \r\n, lines split
// across chunks and several lines in one chunk. A line longer than the limit
// is reported once and skipped to its end instead of being buffered forever;
// invalid UTF-8 is reported with a lossy decoding instead of thrown.

import { MAX_LINE_BYTES } from './grammar.js';

/** One thing the splitter found in the stream. */
export type LineEvent =
  | { kind: 'line'; raw: Buffer; text: string; crlf: boolean }
  | { kind: 'invalidUtf8'; raw: Buffer; text: string; crlf: boolean }
  | { kind: 'tooLong'; bytes: number; head: string };

const strict = new TextDecoder('utf-8', { fatal: true });
const lossy = new TextDecoder('utf-8');

/** Incremental splitter: push() chunks, get events. */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  /** Set while skipping the rest of an over-long line; counts its bytes. */
  private skipping: { bytes: number; head: string } | undefined;

  constructor(private readonly maxBytes = MAX_LINE_BYTES) {}

  push(chunk: Uint8Array): LineEvent[] {
    const events: LineEvent[] = [];
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (buf.length > 0) {
      const nl = buf.indexOf(0x0a);
      const piece = nl < 0 ? buf : buf.subarray(0, nl);
      if (this.skipping) {
        this.skipping.bytes += piece.length;
      } else if (this.size + piece.length > this.maxBytes + 1) {
        // +1 leaves room for a \r that belongs to the line ending.
        const head = Buffer.concat([...this.parts, piece]).subarray(0, 60);
        this.skipping = { bytes: this.size + piece.length, head: lossy.decode(head) };
        this.parts = [];
        this.size = 0;
      } else {
        this.parts.push(piece);
        this.size += piece.length;
      }
      if (nl < 0) break;
      events.push(this.finishLine());
      buf = buf.subarray(nl + 1);
    }
    return events;
  }

  /** Bytes of the line that has not ended yet (counted, whether kept or being skipped). */
  get pending(): number {
    return this.skipping ? this.skipping.bytes : this.size;
  }

  /** Bytes actually kept in memory for that line: never more than the limit plus one. */
  get buffered(): number {
    return this.size;
  }

  private finishLine(): LineEvent {
    if (this.skipping) {
      const { bytes, head } = this.skipping;
      this.skipping = undefined;
      return { kind: 'tooLong', bytes, head };
    }
    let raw = Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    const crlf = raw.length > 0 && raw[raw.length - 1] === 0x0d;
    if (crlf) raw = raw.subarray(0, raw.length - 1);
    if (raw.length > this.maxBytes) return { kind: 'tooLong', bytes: raw.length, head: lossy.decode(raw.subarray(0, 60)) };
    try {
      return { kind: 'line', raw, text: strict.decode(raw), crlf };
    } catch {
      return { kind: 'invalidUtf8', raw, text: lossy.decode(raw), crlf };
    }
  }
}
