// The Redis Cluster key slot, as the cluster specification defines it (CRC16-XMODEM of the key or of its first
// non-empty `{hash tag}`, modulo 16384). Sixteen lines here rather than a dependency that ships no types.

const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i += 1) {
  let crc = i << 8;
  for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  TABLE[i] = crc;
}

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ byte) & 0xff] as number);
  return crc;
}

/** The hash slot (0–16383) of a key or shard channel, honouring its hash tag. */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  return crc16(Buffer.from(key, 'utf8')) % 16_384;
}
