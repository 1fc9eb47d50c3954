import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rendezvousOrder, shardOf } from './placement.ts';

describe('placement', () => {
  it('maps an address to a stable shard, spread evenly', () => {
    assert.equal(shardOf({ kind: 'call', id: '123' }, 256), shardOf({ kind: 'call', id: '123' }, 256));
    assert.notEqual(
      shardOf({ kind: 'call', id: '1' }, 1 << 30),
      shardOf({ kind: 'space', id: '1' }, 1 << 30),
    );
    const counts = new Array<number>(64).fill(0);
    for (let i = 0; i < 64_000; i++) counts[shardOf({ kind: 'conversation', id: String(1e15 + i) }, 64)]!++;
    assert.ok(
      Math.min(...counts) > 800 && Math.max(...counts) < 1200,
      `uneven: ${Math.min(...counts)}..${Math.max(...counts)}`,
    );
  });

  it("orders members the same on every node, and moves only the leaving node's shards", () => {
    const three = ['reef-1-100', 'reef-2-200', 'reef-3-300'];
    const owners = (members: string[]) =>
      Array.from({ length: 512 }, (_, s) => rendezvousOrder(s, members)[0]);
    const before = owners(three);
    assert.deepEqual(owners([...three].reverse()), before, 'independent of list order');
    const perNode = three.map((m) => before.filter((o) => o === m).length);
    assert.ok(Math.min(...perNode) > 130, `balanced: ${perNode.join(', ')}`);
    const after = owners(three.filter((m) => m !== 'reef-2-200'));
    for (let s = 0; s < 512; s++)
      if (before[s] !== 'reef-2-200') assert.equal(after[s], before[s], `shard ${s} moved`);
  });
});
