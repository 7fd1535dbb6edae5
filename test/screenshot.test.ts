// captureScreen and the XWD reader: synthetic XWD files for every pixel
// layout we accept, then a real Xvfb (-fbdir) with a Tk window of a known
// colour at a known place.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundingBox, captureScreen, contentBox, framebufferFile, readXwdHeader, xwdToPng, type Rect } from '../src/env/screenshot.js';
import { makeXwd, type XwdSpec } from './helpers/xwd.js';
import { findXvfb } from '../src/env/display.js';

const { PNG } = createRequire(import.meta.url)('pngjs') as {
  PNG: { sync: { read(b: Buffer): { width: number; height: number; data: Buffer } } };
};

/** RGBA of pixel (x, y) of a decoded PNG. */
function pixel(png: { width: number; data: Buffer }, x: number, y: number): number[] {
  const i = (y * png.width + x) * 4;
  return [...png.data.subarray(i, i + 4)];
}

/** The first line a child prints on stdout (a chunk may hold only part of it). */
async function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += chunk.toString();
    if (text.includes('\n')) return text.slice(0, text.indexOf('\n'));
  }
  throw new Error(`exited before printing a line (${JSON.stringify(text)})`);
}

const RGB888: [number, number, number] = [0xff0000, 0x00ff00, 0x0000ff];
// A pattern where every pixel differs, so a wrong stride or offset shows.
const pattern = (x: number, y: number) => [(x * 40) & 0xff, (y * 50) & 0xff, (x + y) * 7 & 0xff] as const;

describe('XWD to PNG', () => {
  const cases: [string, Omit<XwdSpec, 'value' | 'width' | 'height'>][] = [
    ['32 bpp LSB first (Xvfb on x86)', { bpp: 32, msb: false, masks: RGB888 }],
    ['32 bpp MSB first', { bpp: 32, msb: true, masks: RGB888 }],
    ['32 bpp, a colormap before the pixels', { bpp: 32, msb: false, masks: RGB888, ncolors: 256 }],
    ['24 bpp packed, lines padded to 4 bytes', { bpp: 24, msb: false, masks: RGB888 }],
    ['24 bpp MSB first, BGR masks', { bpp: 24, msb: true, masks: [0x0000ff, 0x00ff00, 0xff0000] }],
  ];
  it.each(cases)('%s', (_, spec) => {
    const [r, g, b] = spec.masks;
    const shift = (m: number) => Math.log2(m & -m);
    const value = (x: number, y: number) => {
      const [R, G, B] = pattern(x, y);
      return ((R << shift(r)) | (G << shift(g)) | (B << shift(b))) >>> 0;
    };
    const file = makeXwd({ ...spec, width: 7, height: 5, value });
    const out = xwdToPng(file);
    expect([out.width, out.height]).toEqual([7, 5]);
    const png = PNG.sync.read(out.png);
    for (let y = 0; y < 5; y++) for (let x = 0; x < 7; x++) expect(pixel(png, x, y)).toEqual([...pattern(x, y), 255]);
  });

  it('16 bpp 5-6-5 stretches each channel to 0..255', () => {
    const file = makeXwd({ width: 3, height: 1, bpp: 16, msb: false, masks: [0xf800, 0x07e0, 0x001f], value: (x) => [0xf800, 0x07e0, 0x0010][x]! });
    const png = PNG.sync.read(xwdToPng(file).png);
    expect(pixel(png, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(pixel(png, 1, 0)).toEqual([0, 255, 0, 255]);
    expect(pixel(png, 2, 0)).toEqual([0, 0, 132, 255]);
  });

  it('crops to the bounding box of the windows, clipped to the screen', () => {
    const value = (x: number, y: number) => { const [R, G, B] = pattern(x, y); return (R << 16) | (G << 8) | B; };
    const file = makeXwd({ width: 20, height: 10, bpp: 32, msb: false, masks: RGB888, value });
    const out = xwdToPng(file, [{ x: 2, y: 3, width: 4, height: 2 }, { x: 15, y: 8, width: 50, height: 50 }]);
    expect([out.width, out.height]).toEqual([18, 7]);
    const png = PNG.sync.read(out.png);
    expect(pixel(png, 0, 0)).toEqual([...pattern(2, 3), 255]);
    expect(pixel(png, 17, 6)).toEqual([...pattern(19, 9), 255]);
    // Nothing on screen: the whole screen rather than nothing.
    expect(xwdToPng(file, [{ x: 100, y: 100, width: 5, height: 5 }]).width).toBe(20);
    expect(boundingBox([{ x: 0, y: 0, width: 0, height: 9 }, { x: NaN, y: 0, width: 1, height: 1 }], { width: 9, height: 9 })).toBeUndefined();
  });

  it("crops to what is drawn: the windows at the top left, not the bare root window around them", () => {
    // A 'window' of colour at x 3..8, y 2..4 on a black 40x30 screen.
    const value = (x: number, y: number) => (x >= 3 && x <= 8 && y >= 2 && y <= 4 ? 0x336699 : 0);
    const file = makeXwd({ width: 40, height: 30, bpp: 32, msb: false, masks: RGB888, value });
    const h = readXwdHeader(file);
    expect(contentBox(file, h, 0)).toEqual({ x: 3, y: 2, width: 6, height: 3 });
    expect(contentBox(file, h, 2)).toEqual({ x: 1, y: 0, width: 10, height: 7 });
    const out = xwdToPng(file, 'content');
    expect([out.width, out.height]).toEqual([17, 13]); // an 8-pixel margin, clipped at the top and left
    // A blank screen: the whole screen, not nothing.
    expect(xwdToPng(makeXwd({ width: 5, height: 4, bpp: 32, msb: false, masks: RGB888, value: () => 0 }), 'content').width).toBe(5);
  });

  it('refuses what it cannot read, with a code', () => {
    const good = makeXwd({ width: 4, height: 4, bpp: 32, msb: false, masks: RGB888, value: () => 0 });
    const code = (buf: Buffer) => { try { readXwdHeader(buf); return 'ok'; } catch (e) { return (e as { code: string }).code; } };
    expect(code(good)).toBe('ok');
    expect(code(good.subarray(0, 50))).toBe('screenshot.badXwd');
    expect(code(good.subarray(0, good.length - 1))).toBe('screenshot.badXwd');
    const patched = (field: number, v: number) => { const b = Buffer.from(good); b.writeUInt32BE(v, field * 4); return b; };
    expect(code(patched(1, 6))).toBe('screenshot.badXwd'); // version
    expect(code(patched(2, 1))).toBe('screenshot.unsupported'); // XYPixmap
    expect(code(patched(11, 8))).toBe('screenshot.unsupported'); // 8 bpp
    expect(code(patched(13, 3))).toBe('screenshot.unsupported'); // PseudoColor
    expect(code(patched(4, 100_000))).toBe('screenshot.badXwd'); // absurd width
    expect(code(patched(19, 1_000_000))).toBe('screenshot.badXwd'); // colormap past the end
  });

  it('a missing framebuffer is screenshot.unreadable', async () => {
    await expect(captureScreen('/nonexistent/Xvfb_screen0')).rejects.toMatchObject({ code: 'screenshot.unreadable' });
  });
});

// ---- A real Xvfb ----------------------------------------------------------

const XVFB = findXvfb();
const TK_WINDOW = `
import sys, tkinter as tk
root = tk.Tk()
root.geometry('200x120+40+30')
root.configure(bg='#3366cc')
root.update()
print(root.winfo_rootx(), root.winfo_rooty(), root.winfo_width(), root.winfo_height(), flush=True)
sys.stdin.read()
`;

describe.skipIf(!XVFB)('captureScreen on a real Xvfb (needs xvfb and python3 with tkinter)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatgrade-fb-'));
  const procs: ChildProcess[] = [];
  let display = '';

  beforeAll(async () => {
    const xvfb = spawn(XVFB!, ['-displayfd', '1', '-fbdir', dir, '-screen', '0', '640x480x24', '-br', '-nocursor', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
    procs.push(xvfb);
    const [chunk] = (await Promise.race([once(xvfb.stdout!, 'data'), once(xvfb, 'exit').then(() => { throw new Error('Xvfb exited'); })])) as [Buffer];
    display = `:${chunk.toString().trim()}`;
  });

  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) { p.kill('SIGKILL'); await once(p, 'exit'); }
    rmSync(dir, { recursive: true, force: true });
  });

  it('a Tk window of a known colour appears at its place, in full and cropped', async () => {
    const tk = spawn('python3', ['-c', TK_WINDOW], { env: { ...process.env, DISPLAY: display }, stdio: ['pipe', 'pipe', 'inherit'] });
    procs.push(tk);
    const [x, y, width, height] = (await firstLine(tk.stdout!)).trim().split(/\s+/).map(Number) as [number, number, number, number];
    expect([x, y, width, height]).toEqual([40, 30, 200, 120]);
    const rect: Rect = { x, y, width, height };
    const fb = framebufferFile(dir);

    // Tk has flushed its requests; the server paints them soon after. Poll the
    // framebuffer for the colour (bounded) instead of sleeping.
    const blue = [0x33, 0x66, 0xcc, 255];
    let full = PNG.sync.read(Buffer.from((await captureScreen(fb)).png, 'base64'));
    const deadline = Date.now() + 5000;
    while (pixel(full, x + 100, y + 60).join() !== blue.join() && Date.now() < deadline) {
      await new Promise((r) => setImmediate(r));
      full = PNG.sync.read(Buffer.from((await captureScreen(fb)).png, 'base64'));
    }
    expect([full.width, full.height]).toEqual([640, 480]);
    expect(pixel(full, x + 100, y + 60)).toEqual(blue);
    expect(pixel(full, x, y)).toEqual(blue);
    expect(pixel(full, x + width - 1, y + height - 1)).toEqual(blue);
    expect(pixel(full, x - 1, y)).toEqual([0, 0, 0, 255]); // -br: a black root window
    expect(pixel(full, x + width, y + height)).toEqual([0, 0, 0, 255]);

    const crop = await captureScreen(fb, [rect]);
    expect([crop.width, crop.height]).toEqual([200, 120]);
    const cropped = PNG.sync.read(Buffer.from(crop.png, 'base64'));
    const colours = new Set<string>();
    for (let j = 0; j < cropped.height; j++) for (let i = 0; i < cropped.width; i++) colours.add(pixel(cropped, i, j).join());
    expect([...colours]).toEqual([blue.join()]);
    tk.stdin!.end();
    await once(tk, 'exit');
  });
});

// Keep the synthetic writer honest: what it writes is what the reader expects.
it('makeXwd writes what readXwdHeader reads', () => {
  const file = makeXwd({ width: 3, height: 2, bpp: 24, msb: true, masks: RGB888, value: () => 0 });
  expect(readXwdHeader(file)).toMatchObject({ width: 3, height: 2, bitsPerPixel: 24, byteOrder: 'msb', bytesPerLine: 12, dataOffset: 105 });
});
