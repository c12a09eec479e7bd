import { readFile } from 'node:fs/promises';

export interface FdLimits {
  soft: number;
  hard: number;
}

/** This process's open-file limits. Node raises its own soft limit to the hard one at start. */
export async function readFdLimits(): Promise<FdLimits> {
  const text = await readFile('/proc/self/limits', 'utf8');
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  const parse = (value: string | undefined) =>
    value === undefined || value === 'unlimited' ? Number.POSITIVE_INFINITY : Number(value);
  return { soft: parse(match?.[1]), hard: parse(match?.[2]) };
}

/**
 * File descriptors a server process needs for `streams` streams: a client socket each, plus a Redis
 * connection each for the seed baseline (`perStream` 2), plus some to spare.
 */
export function fdsNeeded(streams: number, perStream: number): number {
  return perStream * streams + 200;
}
