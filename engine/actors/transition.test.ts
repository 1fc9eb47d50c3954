import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { initialTransition, transition, type AnyMachineSnapshot, type EventObject } from 'xstate';
import { counterMachine } from '../../test/fixtures/actor-kinds.ts';
import { pureTransition } from './transition.ts';

const actionsOf = (xs: ReadonlyArray<{ type: string; params?: unknown }>) =>
  xs.map((a) => [a.type, a.params]);

describe('pureTransition', () => {
  it('gives the same snapshots and actions as xstate transition()', () => {
    const fast = pureTransition(counterMachine);
    const events: Array<EventObject & Record<string, unknown>> = [
      { type: 'inc', at: 1, tag: 'a' },
      { type: 'arm', at: 2, key: 'k', dueAt: 10 },
      { type: 'get', at: 3 },
      { type: 'ring', at: 10, key: 'k' },
      { type: 'refuse', at: 11 },
      { type: 'notify', at: 12, n: 2 },
      { type: 'disarm', at: 13, key: 'k' },
      { type: 'unknown', at: 14 },
    ];
    let a: AnyMachineSnapshot = initialTransition(counterMachine, { start: 5 })[0];
    let b = a;
    for (const e of events) {
      const [na, xa] = transition(counterMachine, a, e as never);
      const [nb, xb] = fast(b, e);
      assert.deepEqual(nb.context, na.context, e.type);
      assert.deepEqual(nb.value, na.value, e.type);
      assert.deepEqual(actionsOf(xb), actionsOf(xa), e.type);
      assert.deepEqual(counterMachine.getPersistedSnapshot(nb), counterMachine.getPersistedSnapshot(na));
      a = na;
      b = nb;
    }
    assert.equal((b.context as { count: number }).count, 7);
  });
});
