import { readFile } from 'node:fs/promises';

interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Bytes and object counts of a heap snapshot by kind of object (V8's node type and constructor name). */
export type HeapCensus = Map<string, { count: number; bytes: number }>;

/** Kinds whose snapshot "name" is their value (a string's text, a heap number): counted by type only. */
const VALUE_TYPES = new Set(['string', 'concatenated string', 'sliced string', 'number']);

/** Reads a `.heapsnapshot` file and sums the self size of its objects by kind. */
export async function heapCensus(file: string): Promise<HeapCensus> {
  const snapshot = JSON.parse(await readFile(file, 'utf8')) as HeapSnapshotFile;
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const census: HeapCensus = new Map();
  const { nodes, strings } = snapshot;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt] as number] ?? 'unknown';
    const kind = VALUE_TYPES.has(type) ? type : `${type} ${strings[nodes[i + nameAt] as number] ?? ''}`.trim();
    const entry = census.get(kind) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += nodes[i + sizeAt] as number;
    census.set(kind, entry);
  }
  return census;
}

export interface KindGrowth {
  kind: string;
  /** Bytes per stream this kind grew by. */
  bytesPerStream: number;
  /** Objects per stream. */
  countPerStream: number;
}

/** What each kind grew by between two censuses, per stream, largest first. */
export function growthPerStream(before: HeapCensus, after: HeapCensus, streams: number): KindGrowth[] {
  const kinds = new Set([...before.keys(), ...after.keys()]);
  return [...kinds]
    .map((kind) => {
      const a = before.get(kind) ?? { count: 0, bytes: 0 };
      const b = after.get(kind) ?? { count: 0, bytes: 0 };
      return { kind, bytesPerStream: (b.bytes - a.bytes) / streams, countPerStream: (b.count - a.count) / streams };
    })
    .sort((x, y) => y.bytesPerStream - x.bytesPerStream);
}

export function totalBytes(census: HeapCensus): number {
  let total = 0;
  for (const { bytes } of census.values()) total += bytes;
  return total;
}
