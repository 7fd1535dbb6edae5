// Reading what fflate's unzip does not return: each entry's Unix mode.

/** Unix modes by entry name, from the zip's central directory (external attributes, high 16 bits). */
export function zipModes(zip: Uint8Array): Record<string, number> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  // The end-of-central-directory record sits in the last 22 bytes (no archive comment here).
  let end = zip.length - 22;
  while (end >= 0 && view.getUint32(end, true) !== 0x06054b50) end--;
  if (end < 0) throw new Error('not a zip: no end of central directory');
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const modes: Record<string, number> = {};
  for (let n = 0; n < count; n++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error(`bad central directory entry at ${at}`);
    const nameLength = view.getUint16(at + 28, true);
    const extra = view.getUint16(at + 30, true);
    const comment = view.getUint16(at + 32, true);
    const name = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength));
    modes[name] = view.getUint32(at + 38, true) >>> 16;
    at += 46 + nameLength + extra + comment;
  }
  return modes;
}
