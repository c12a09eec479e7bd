import { describe, expect, it } from 'vitest';
import { ownerOfSlot, parseClusterNodes, toNodeInfo } from './redis-cluster-nodes.ts';

// A primary that took slot 5462 over and is migrating slot 42 away, its replica, a primary the others agree is
// down, and a node still in the handshake.
const REPLY = [
  'a1 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-5460 5462 [42->-c3]',
  'b2 127.0.0.1:7002@17002 slave a1 0 1700000000000 1 connected',
  'c3 127.0.0.1:7003@17003 master,fail - 1700000000000 1700000000000 3 disconnected 5461 5463-16383',
  'd4 127.0.0.1:7004@17004 handshake - 0 0 0 connected',
  '',
].join('\n');

describe('parseClusterNodes', () => {
  it('reads roles, slot ranges, whom replicas follow and who is down', () => {
    const nodes = parseClusterNodes(REPLY);
    expect(nodes.map(toNodeInfo)).toEqual([
      {
        id: 'a1',
        port: 7001,
        role: 'primary',
        slots: [
          [0, 5460],
          [5462, 5462],
        ],
        primaryId: null,
        failing: false,
      },
      { id: 'b2', port: 7002, role: 'replica', slots: [], primaryId: 'a1', failing: false },
      {
        id: 'c3',
        port: 7003,
        role: 'primary',
        slots: [
          [5461, 5461],
          [5463, 16383],
        ],
        primaryId: null,
        failing: true,
      },
    ]);
    expect(nodes.map(({ myself, connected }) => [myself, connected])).toEqual([
      [true, true],
      [false, true],
      [false, false],
    ]);
  });

  it('finds the primary serving a slot, the one migrating it away included', () => {
    const nodes = parseClusterNodes(REPLY);
    expect(ownerOfSlot(nodes, 42)?.id).toBe('a1');
    expect(ownerOfSlot(nodes, 5462)?.id).toBe('a1');
    expect(ownerOfSlot(nodes, 5461)?.id).toBe('c3');
  });
});
