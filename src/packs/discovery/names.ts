// Seeded data for the discovery pack: peer names, URLs and metadata covering
// the whole grammar, so a peer cannot pass by hard-coding and `--seed`
// reproduces a run. The multicast group is the exception: it is drawn fresh
// for every run (never from the seed), so two gradings of the same seed at
// once never hear each other.

import { randomInt } from 'node:crypto';
import type { Rng } from '../../random.js';
import type { Meta } from './protocol.js';

const SYLLABLES = ['ka', 'lo', 'mi', 'ra', 'to', 'ne', 'su', 'vi', 'do', 'pe', 'zu', 'ha', 'ri', 'bo', 'ya', 'fe'];
/** Status words: lower-case letters only, never a syllable pair, so they cannot be taken for names. */
const STATUS = ['away', 'busy', 'idle', 'coding', 'lunch', 'reading', 'gaming', 'offline', 'sleepy', 'online'];
/** Metadata values with punctuation, non-ASCII and '=' (any 1-64 non-space characters). */
const ODD_VALUES = ['chat', 'v1.2', 'a=b', 'café', '漢字', '🙂ok', 'x/y:z', '"q"', '#42', 'ü-ß'];

/** A group in 239.255.0.0/16 (not the handout's default) and a UDP port, fresh each call. */
export function randomGroup(): { group: string; port: number } {
  for (;;) {
    const group = `239.255.${randomInt(256)}.${1 + randomInt(254)}`;
    if (group !== '239.255.42.99') return { group, port: 20_000 + randomInt(40_000) };
  }
}

/** Generates unique names, URLs and metadata for one run. */
export class PeerNames {
  private used = new Set<string>();

  constructor(private readonly rng: Rng) {}

  private unique(make: () => string): string {
    for (;;) {
      const s = make();
      if (!this.used.has(s)) {
        this.used.add(s);
        return s;
      }
    }
  }

  /**
   * A peer name of [A-Za-z0-9_-]{1,32}: capitals, digits, '-' and '_'
   * anywhere, sometimes 32 long. A name given on the command line never
   * starts with '-' (`--name -x` reads as two options to argparse).
   */
  name(opts: { argv?: boolean } = {}): string {
    const r = this.rng;
    return this.unique(() => {
      let base = r.pick(SYLLABLES) + r.pick(SYLLABLES);
      if (r.next() < 0.3) base = base[0]!.toUpperCase() + base.slice(1);
      const head = r.pick(['', '', '', '_', opts.argv ? '' : '-', String(r.int(10))]);
      const tail = r.pick(['', String(r.int(100)), `_${r.pick(SYLLABLES)}`, `-${r.int(10)}`]);
      const name = head + base + tail;
      return r.next() < 0.1 ? (name + 'x'.repeat(32)).slice(0, 32) : name;
    });
  }

  /** A peer URL tcp://<host>:<port>: loopback addresses mostly, now and then a host name. */
  url(): string {
    const r = this.rng;
    const host = r.next() < 0.8 ? `127.0.${r.int(4)}.${1 + r.int(254)}` : `node${r.int(100)}.lan`;
    return this.unique(() => `tcp://${host}:${1024 + r.int(64_000)}`);
  }

  /** A status word for the metadata check (letters only). */
  status(): string {
    return this.rng.pick(STATUS);
  }

  /** Zero to two metadata tokens other than status, covering odd values and a 64-character one. */
  extraMeta(): Meta[] {
    const r = this.rng;
    const out: Meta[] = [];
    const n = r.int(3);
    for (let i = 0; i < n; i++) {
      const key = r.pick(['app', 'room', 'ver', 'note', 'x']);
      const value = r.next() < 0.15 ? 'v'.repeat(64) : r.pick(ODD_VALUES);
      if (!out.some(([k]) => k === key)) out.push([key, value]);
    }
    return out;
  }
}
