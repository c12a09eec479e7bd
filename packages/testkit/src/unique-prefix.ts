import { randomBytes } from 'node:crypto';

/** A Redis key prefix no other test uses, so tests sharing a server never see each other's keys. */
export function uniquePrefix(label = 'test'): string {
  return `${label}-${randomBytes(4).toString('hex')}:`;
}
