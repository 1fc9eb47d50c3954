import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitRoomEvent } from './room-hub.ts';

/** What engine/rooms.ts publishes. */
const wire = (event: string, payload: unknown, exceptUserId?: string) =>
  JSON.stringify({ event, payload, ...(exceptUserId ? { exceptUserId } : {}) });

test('splitRoomEvent slices the payload JSON out of every shape rooms.emit produces', () => {
  const payloads: unknown[] = [
    { id: '1', content: 'hi' },
    { a: 'x', exceptUserId: '5' },
    'a string ending like a tail ,"exceptUserId":"7"',
    'ends with a quote "',
    ['x', { exceptUserId: '9' }],
    42,
    true,
    null,
    { nested: { deep: ['"}', '\\'] } },
  ];
  for (const p of payloads)
    for (const except of [undefined, '123456789012345678']) {
      const s = splitRoomEvent(wire('message:new', p, except));
      assert.ok(s, `split ${JSON.stringify(p)}`);
      assert.equal(s.event, 'message:new');
      assert.equal(s.eventJson, '"message:new"');
      assert.deepEqual(JSON.parse(s.payloadJson), p);
      assert.equal(s.except, except);
    }
});

test('splitRoomEvent declines what it cannot slice safely (the caller parses instead)', () => {
  assert.equal(splitRoomEvent(wire('we"ird', 1)), null);
  assert.equal(splitRoomEvent(wire('back\\slash', 1)), null);
  assert.equal(splitRoomEvent(JSON.stringify({ event: 'x' })), null);
  assert.equal(splitRoomEvent(JSON.stringify({ payload: 1, event: 'x' })), null);
  assert.equal(splitRoomEvent('garbage'), null);
});
