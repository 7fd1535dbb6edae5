// A picture of the client's windows, read from the X server's own framebuffer.
// Xvfb started with `-fbdir DIR` keeps its screen as an XWD file there
// (Xvfb_screen0), memory-mapped and always current, so a capture is a file
// read plus a PNG encode: no xwd or ImageMagick process, no round trip
// through the X protocol. The XWD header is big-endian; the pixels follow in
// the byte order the header names.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// pngjs is CommonJS without bundled types; this is the one call we make.
interface PngSync {
  write(png: { width: number; height: number; data: Buffer }, opts: Record<string, number | boolean>): Buffer;
}
const { PNG } = createRequire(import.meta.url)('pngjs') as { PNG: { sync: PngSync } };

/** A screen rectangle in pixels (a window's position and size). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What a screenshot failed on; a harness fault, never the student's. */
export class ScreenshotError extends Error {
  constructor(
    readonly code: 'screenshot.unreadable' | 'screenshot.badXwd' | 'screenshot.unsupported',
    message: string,
  ) {
    super(message);
    this.name = 'ScreenshotError';
  }
}

/** The parts of an XWD header needed to read its pixels. */
export interface XwdHeader {
  width: number;
  height: number;
  depth: number;
  bitsPerPixel: number;
  bytesPerLine: number;
  /** Pixel byte order: 'lsb' (LSBFirst) or 'msb' (MSBFirst). */
  byteOrder: 'lsb' | 'msb';
  masks: { red: number; green: number; blue: number };
  /** Offset of the first pixel row in the file. */
  dataOffset: number;
}

const XWD_VERSION = 7;
const Z_PIXMAP = 2;
const TRUE_COLOR = 4;
const DIRECT_COLOR = 5;
const HEADER_FIELDS = 25; // CARD32s in XWDFileHeader
const COLOR_SIZE = 12; // one XWDColor: pixel (4), r/g/b (2 each), flags, pad
const MAX_SIDE = 16384;

/** The framebuffer file of screen `screen` of an Xvfb started with `-fbdir dir`. */
export function framebufferFile(dir: string, screen = 0): string {
  return join(dir, `Xvfb_screen${screen}`);
}

/** Read and check an XWD header; throws ScreenshotError on anything we cannot read. */
export function readXwdHeader(buf: Buffer): XwdHeader {
  if (buf.length < HEADER_FIELDS * 4) throw new ScreenshotError('screenshot.badXwd', `XWD file too short (${buf.length} bytes)`);
  const f = (i: number) => buf.readUInt32BE(i * 4);
  const [headerSize, version, format, depth, width, height] = [f(0), f(1), f(2), f(3), f(4), f(5)];
  const [byteOrder, bpp, bytesPerLine, visual] = [f(7), f(11), f(12), f(13)];
  const masks = { red: f(14), green: f(15), blue: f(16) };
  const ncolors = f(19);
  if (version !== XWD_VERSION) throw new ScreenshotError('screenshot.badXwd', `XWD version ${version}, expected ${XWD_VERSION}`);
  if (format !== Z_PIXMAP) throw new ScreenshotError('screenshot.unsupported', `XWD pixmap format ${format}; only ZPixmap (2) is read`);
  if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
    throw new ScreenshotError('screenshot.badXwd', `XWD size ${width}x${height} out of range`);
  }
  if (bpp !== 16 && bpp !== 24 && bpp !== 32) {
    throw new ScreenshotError('screenshot.unsupported', `${bpp} bits per pixel; only 16, 24 and 32 are read`);
  }
  if ((visual !== TRUE_COLOR && visual !== DIRECT_COLOR) || !masks.red || !masks.green || !masks.blue) {
    throw new ScreenshotError('screenshot.unsupported', `visual class ${visual}; only TrueColor and DirectColor are read`);
  }
  if (bytesPerLine < (width * bpp) / 8) throw new ScreenshotError('screenshot.badXwd', `XWD line of ${bytesPerLine} bytes is too short for ${width} pixels`);
  const dataOffset = headerSize + ncolors * COLOR_SIZE;
  if (headerSize < HEADER_FIELDS * 4 || dataOffset + bytesPerLine * height > buf.length) {
    throw new ScreenshotError('screenshot.badXwd', `XWD file of ${buf.length} bytes is too short for its ${width}x${height} header`);
  }
  return { width, height, depth, bitsPerPixel: bpp, bytesPerLine, byteOrder: byteOrder === 0 ? 'lsb' : 'msb', masks, dataOffset };
}

/**
 * The smallest box holding every rectangle, clipped to the screen; undefined
 * when there are none or none is on screen.
 */
export function boundingBox(rects: readonly Rect[], screen: { width: number; height: number }): Rect | undefined {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const r of rects) {
    if (![r.x, r.y, r.width, r.height].every(Number.isFinite) || r.width <= 0 || r.height <= 0) continue;
    x0 = Math.min(x0, Math.max(0, Math.floor(r.x)));
    y0 = Math.min(y0, Math.max(0, Math.floor(r.y)));
    x1 = Math.max(x1, Math.min(screen.width, Math.ceil(r.x + r.width)));
    y1 = Math.max(y1, Math.min(screen.height, Math.ceil(r.y + r.height)));
  }
  if (!(x1 > x0 && y1 > y0)) return undefined;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * The box around everything that is not the bare root window (black on
 * Xvfb), plus a margin: without a window manager every window sits at the
 * top left, and the rest of the screen is only weight in the report.
 */
export function contentBox(buf: Buffer, h: XwdHeader, margin = 8): Rect | undefined {
  const bytes = h.bitsPerPixel / 8;
  const mask = h.masks.red | h.masks.green | h.masks.blue;
  const lsb = h.byteOrder === 'lsb';
  let [x0, y0, x1, y1] = [Infinity, Infinity, -1, -1];
  for (let row = 0; row < h.height; row++) {
    const start = h.dataOffset + row * h.bytesPerLine;
    for (let col = 0; col < h.width; col++) {
      const p = start + col * bytes;
      const v = bytes === 4 ? (lsb ? buf.readUInt32LE(p) : buf.readUInt32BE(p)) : bytes === 2 ? (lsb ? buf.readUInt16LE(p) : buf.readUInt16BE(p)) : lsb ? buf.readUIntLE(p, 3) : buf.readUIntBE(p, 3);
      if ((v & mask) === 0) continue;
      if (col < x0) x0 = col;
      if (col > x1) x1 = col;
      if (row < y0) y0 = row;
      y1 = row;
      // The rest of this row only matters past the right edge found so far.
      if (x1 >= h.width - 1) break;
    }
  }
  if (x1 < 0) return undefined;
  return boundingBox([{ x: x0 - margin, y: y0 - margin, width: x1 - x0 + 1 + 2 * margin, height: y1 - y0 + 1 + 2 * margin }], h);
}

/** Where a mask's bits start and how to stretch them to 0..255. */
function channel(mask: number): { shift: number; scale: number } {
  let shift = 0;
  while (shift < 32 && ((mask >>> shift) & 1) === 0) shift++;
  const max = mask >>> shift;
  return { shift, scale: 255 / max };
}

/** The pixels of `box` (default: the whole screen) as packed 8-bit RGB. */
export function xwdToRgb(buf: Buffer, h: XwdHeader, box?: Rect): Buffer {
  const { x, y, width, height } = box ?? { x: 0, y: 0, width: h.width, height: h.height };
  const out = Buffer.allocUnsafe(width * height * 3);
  const bytes = h.bitsPerPixel / 8;
  const lsb = h.byteOrder === 'lsb';
  const [r, g, b] = [channel(h.masks.red), channel(h.masks.green), channel(h.masks.blue)];
  const [rm, gm, bm] = [h.masks.red, h.masks.green, h.masks.blue];
  // The common case (Xvfb depth 24: 8 bits a channel on byte boundaries) is a byte shuffle.
  const byteOf = (c: { shift: number; scale: number }) =>
    c.scale === 1 && c.shift % 8 === 0 && c.shift / 8 < bytes ? (lsb ? c.shift / 8 : bytes - 1 - c.shift / 8) : -1;
  const [ri, gi, bi] = [byteOf(r), byteOf(g), byteOf(b)];
  const bytewise = ri >= 0 && gi >= 0 && bi >= 0;
  let o = 0;
  for (let row = y; row < y + height; row++) {
    let p = h.dataOffset + row * h.bytesPerLine + x * bytes;
    if (bytewise) {
      for (let col = 0; col < width; col++, p += bytes) {
        out[o++] = buf[p + ri]!;
        out[o++] = buf[p + gi]!;
        out[o++] = buf[p + bi]!;
      }
      continue;
    }
    for (let col = 0; col < width; col++, p += bytes) {
      let v: number;
      if (bytes === 4) v = lsb ? buf.readUInt32LE(p) : buf.readUInt32BE(p);
      else if (bytes === 3) v = lsb ? buf.readUIntLE(p, 3) : buf.readUIntBE(p, 3);
      else v = lsb ? buf.readUInt16LE(p) : buf.readUInt16BE(p);
      out[o++] = Math.round(((v & rm) >>> r.shift) * r.scale);
      out[o++] = Math.round(((v & gm) >>> g.shift) * g.scale);
      out[o++] = Math.round(((v & bm) >>> b.shift) * b.scale);
    }
  }
  return out;
}

/** Options for captureScreen. */
export interface CaptureOptions {
  /** zlib level for the PNG, 1..9 (default 6; 9 costs 5x the time for 5% fewer bytes). */
  deflateLevel?: number;
}

/** A captured screen or crop, as the report stores it (PNG in base64). */
export interface Capture {
  png: string;
  width: number;
  height: number;
}

/** Encode an XWD image (or the `crop` bounding box of it, or with 'content' the box around what is drawn) as PNG bytes. */
export function xwdToPng(buf: Buffer, crop?: readonly Rect[] | 'content', opts: CaptureOptions = {}): { png: Buffer; width: number; height: number } {
  const h = readXwdHeader(buf);
  const fit = crop === 'content' ? contentBox(buf, h) : crop && boundingBox(crop, h);
  const box = fit ?? { x: 0, y: 0, width: h.width, height: h.height };
  const data = xwdToRgb(buf, h, box);
  const png = PNG.sync.write(
    { width: box.width, height: box.height, data },
    // No row filter and zlib's default strategy: on flat GUI colours this is both
    // the fastest and the smallest choice (scripts/bench-screenshot.mjs; pngjs's
    // defaults, adaptive filters and RLE, take 3x the time for 2x the bytes).
    { colorType: 2, inputColorType: 2, inputHasAlpha: false, deflateLevel: opts.deflateLevel ?? 6, deflateStrategy: 0, filterType: 0 },
  );
  return { png, width: box.width, height: box.height };
}

/**
 * Capture the screen whose framebuffer Xvfb keeps in `fbFile` (see
 * framebufferFile), cropped to the bounding box of `crop` when given and on
 * screen. Rejects with a ScreenshotError (a harness fault).
 */
export async function captureScreen(fbFile: string, crop?: readonly Rect[] | 'content', opts: CaptureOptions = {}): Promise<Capture> {
  let buf: Buffer;
  try {
    buf = await readFile(fbFile);
  } catch (e) {
    throw new ScreenshotError('screenshot.unreadable', `cannot read the framebuffer ${fbFile}: ${(e as Error).message}`);
  }
  const { png, width, height } = xwdToPng(buf, crop, opts);
  return { png: png.toString('base64'), width, height };
}
