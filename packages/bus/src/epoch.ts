import { randomBytes } from 'node:crypto';

/** A fresh epoch: 10 base-36 characters, unique enough that two histories of a thread never share one. */
export function newEpoch(): string {
  const n = randomBytes(8).readBigUInt64BE() % 36n ** 10n;
  return n.toString(36).padStart(10, '0');
}
