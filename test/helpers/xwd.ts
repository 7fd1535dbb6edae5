// XWD files the way Xvfb writes its framebuffer, for tests of what reads them.

/** An XWD image: its size, pixel layout and the value of each pixel. */
export interface XwdSpec {
  width: number;
  height: number;
  bpp: 16 | 24 | 32;
  msb: boolean;
  masks: [number, number, number];
  /** Pixel value at (x, y). */
  value(x: number, y: number): number;
  padTo?: number;
  ncolors?: number;
}

/** An XWD file the way Xvfb writes one: big-endian header, a name, a colormap, then pixels. */
export function makeXwd(s: XwdSpec): Buffer {
  const name = Buffer.from('test\0');
  const headerSize = 100 + name.length;
  const bytes = s.bpp / 8;
  const bpl = Math.ceil((s.width * bytes) / (s.padTo ?? 4)) * (s.padTo ?? 4);
  const ncolors = s.ncolors ?? 0;
  const head = Buffer.alloc(100);
  const fields = [headerSize, 7, 2, s.bpp === 16 ? 16 : 24, s.width, s.height, 0, s.msb ? 1 : 0, 32, s.msb ? 1 : 0, 32, s.bpp, bpl, 4,
    ...s.masks, 8, 256, ncolors, s.width, s.height, 0, 0, 0];
  fields.forEach((v, i) => head.writeUInt32BE(v >>> 0, i * 4));
  const pixels = Buffer.alloc(bpl * s.height, 0xee); // padding bytes must be ignored
  for (let y = 0; y < s.height; y++) {
    for (let x = 0; x < s.width; x++) {
      const p = y * bpl + x * bytes;
      const v = s.value(x, y);
      if (s.msb) pixels.writeUIntBE(v, p, bytes);
      else pixels.writeUIntLE(v, p, bytes);
    }
  }
  return Buffer.concat([head, name, Buffer.alloc(ncolors * 12), pixels]);
}

