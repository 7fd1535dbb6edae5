// The terminal report's layout in columns (wide characters included), the
// run conditions it states, and a client's escapes shown, never emitted.

import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { renderTerminal, stripAnsi } from '../src/reporters/index.js';
import { ESC, fixture, hostileResult } from './helpers/results.js';

const WIDE = `王小明 🎉 ${'宽'.repeat(60)}`;

describe('terminal layout', () => {
  it.each([60, 80, 120])('wide characters in client text keep every line within %i columns', (width) => {
    const r = hostileResult('王小明');
    const check = r.checks.find((c) => c.id === 'basic.register.format')!;
    check.actual = `REGISTER ${WIDE}`;
    check.transcript = [{ t: 3, dir: 'c>s', text: `REGISTER ${WIDE}` }];
    check.title = `标题 ${WIDE}`;
    const out = renderTerminal(r, { width });
    for (const line of out.split('\n')) expect(stringWidth(line), line).toBeLessThanOrEqual(width);
    // Rows with a right-hand column end exactly at the width.
    const rows = out.split('\n').filter((l) => / (\d+\/\d+|lost \d+ pts?)$/.test(l) && !l.startsWith('Total'));
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) expect(stringWidth(row), row).toBe(width);
    // A wrapped value loses nothing: its pieces, joined, are the whole value.
    const pieces = out.split('\n').filter((l) => /^ {6}(Actual {7}| {13})/.test(l) && l.includes('宽'));
    expect(pieces.map((l) => l.slice(19)).join('')).toContain('宽'.repeat(60));
  });

  it('colour is the caller\'s choice and changes nothing but styles', () => {
    const r = hostileResult();
    const plain = renderTerminal(r, { width: 90 });
    const colored = renderTerminal(r, { width: 90, color: true });
    expect(plain).not.toContain(ESC);
    expect(colored).toContain(ESC);
    expect(stripAnsi(colored)).toBe(plain);
  });
});

describe('terminal content', () => {
  it("a client's escapes are shown escaped, never emitted", () => {
    const out = renderTerminal(hostileResult(), { width: 200 });
    expect(out).not.toContain(ESC);
    expect(out).not.toContain('\u0000');
    expect(out).not.toContain('\u202E');
    expect(out).toContain('REGISTER A]]>B]]>C \\x1b[1mbold\\x1b[0m \\0 \uFFFD \\ud800 \\ufffe \\u202etxt.exe \\x07');
    expect(out).toContain('ValueError: A]]>B]]>C \\x1b[1mbold');
  });

  it('states the sandbox level, the probe mode and the warnings', () => {
    const out = renderTerminal(hostileResult());
    expect(out).toMatch(/^ {2}Sandbox {5}fallback$/m);
    expect(out).toMatch(/^ {2}GUI probe {3}tk-agent: the grader inspected the client's Tk widgets$/m);
    expect(out).not.toContain('GUI DESCRIBED BY THE CLIENT');
    expect(out).toMatch(/^Warnings\n {2}- grade\.json sets "timeout": ignored A\]\]>B/m);
    const bare = renderTerminal(fixture('full-marks'));
    expect(bare).not.toMatch(/Sandbox|GUI probe|Warnings/);
  });

  it('marks a GUI the client described itself', () => {
    const r = fixture('full-marks');
    r.environment = { ...r.environment, probe: 'explicit', sandbox: 'full' };
    const out = renderTerminal(r);
    // Wrapped under its label at 80 columns; read as one line.
    expect(out.replace(/\n {14}/g, ' ')).toMatch(/GUI probe {3}explicit: the client described its own GUI; the grader did not observe it\n/);
    expect(out).toContain('GUI DESCRIBED BY THE CLIENT: the GUI checks rest on what the client');
  });

  it('a submission folder with control characters is reproduced with $\'...\' quoting', () => {
    const r = fixture('full-marks');
    r.submission = { dir: `/srv/it's${ESC}[2Jme`, name: 'x' };
    const out = renderTerminal(r, { width: 120 });
    expect(out).toContain(`grade $'/srv/it\\'s\\x1b[2Jme' --seed ${r.seed}`);
    expect(out).not.toContain(ESC);
  });
});
