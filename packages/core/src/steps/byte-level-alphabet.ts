/** GPT-2's byte <-> printable-unicode mapping (bytes_to_unicode), used by byte-level BPE vocabularies. */
export function createByteDecoder(): Map<string, number> {
  const bytes: number[] = [];
  for (let b = 33; b <= 126; b++) bytes.push(b);
  for (let b = 161; b <= 172; b++) bytes.push(b);
  for (let b = 174; b <= 255; b++) bytes.push(b);
  const chars = [...bytes];
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    if (!bytes.includes(b)) { bytes.push(b); chars.push(256 + extra++); }
  }
  const decoder = new Map<string, number>();
  bytes.forEach((b, i) => decoder.set(String.fromCharCode(chars[i]!), b));
  return decoder;
}
