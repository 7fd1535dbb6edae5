// Every module Stryker mutates loads on its own. Loaded here inside a test
// (not at import time), a module that throws while loading fails a test
// rather than the loading of a whole file, which the mutation runner would
// not count as a failure.
import { describe, expect, it } from 'vitest';

const MODULES = [
  '../src/protocol/grammar.js',
  '../src/protocol/codec.js',
  '../src/protocol/lines.js',
  '../src/rubric.js',
  '../src/config.js',
  '../src/selection.js',
  '../src/verdict.js',
  '../src/reporters/index.js',
];

describe('the pure modules', () => {
  it.each(MODULES)('%s loads', async (path) => {
    const mod = (await import(path)) as Record<string, unknown>;
    expect(Object.keys(mod).length).toBeGreaterThan(0);
  });

  it('the line splitter decodes UTF-8 strictly, and lossily when it must', async () => {
    const { LineSplitter } = await import('../src/protocol/lines.js');
    const events = new LineSplitter().push(Buffer.concat([Buffer.from('h\u00e9\n'), Buffer.from([0xff, 0x0a])]));
    expect(events.map((e) => [e.kind, 'text' in e ? e.text : ''])).toEqual([
      ['line', 'h\u00e9'],
      ['invalidUtf8', '\uFFFD'],
    ]);
  });
});
