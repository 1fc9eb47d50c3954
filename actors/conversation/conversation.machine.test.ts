/**
 * The conversation machine alone: XState's pure `transition()`, a simulated clock (each event's
 * `at`), no database, no runtime. Asserts the context it keeps and what it emits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { conversationMachine } from './conversation.machine.ts';
import type { ConversationEvent } from './conversation.events.ts';
import type { Emitted } from './conversation.rules.ts';

type Snap = SnapshotFrom<typeof conversationMachine>;
type EventBody = ConversationEvent extends infer E
  ? E extends { at: number }
    ? Omit<E, 'at'>
    : never
  : never;

/** A machine driven by hand, with a clock that only moves when told. */
function harness(id = '100', persistRetryMs = 5_000) {
  let now = 1_000_000;
  let [snap] = initialTransition(conversationMachine, { id, persistRetryMs });
  return {
    get ctx() {
      return snap.context;
    },
    advance(ms: number) {
      now += ms;
    },
    send(body: EventBody): Emitted[] {
      const [next, actions] = transition(conversationMachine, snap, {
        ...body,
        at: now,
      } as ConversationEvent);
      snap = next as Snap;
      return (actions as Array<{ type: string; params?: unknown }>)
        .filter((a) => a.type === 'xstate.emit')
        .map((a) => (a.params as { event: Emitted }).event);
    },
    get now() {
      return now;
    },
  };
}

const replyOf = (emits: Emitted[]) =>
  emits.find((e) => e.type === 'reply') as Extract<Emitted, { type: 'reply' }>;
const ofType = <T extends Emitted['type']>(emits: Emitted[], type: T) =>
  emits.filter((e): e is Extract<Emitted, { type: T }> => e.type === type);

test('opening a 1:1 with a require_approval recipient makes a pending request and announces it', () => {
  const h = harness();
  const emits = h.send({ type: 'open', by: 'a', other: 'b', otherStatus: 'pending' });
  assert.equal(h.ctx.type, 'dm');
  assert.equal(h.ctx.members.a?.status, 'accepted');
  assert.equal(h.ctx.members.b?.status, 'pending');
  const [announce] = ofType(emits, 'conversation.announce');
  assert.deepEqual(announce!.created, ['a', 'b']);
  assert.deepEqual(announce!.requested, ['b']);
  assert.equal(ofType(emits, 'conversation.sync')[0]!.view.rev, 1);
  assert.equal((replyOf(emits).data as { id: string }).id, '100');
});

test('the second opener of the same 1:1 gets the same conversation, and opening accepts its own request', () => {
  const h = harness();
  h.send({ type: 'open', by: 'a', other: 'b', otherStatus: 'pending' });
  const again = h.send({ type: 'open', by: 'a', other: 'b', otherStatus: 'accepted' });
  assert.equal(ofType(again, 'conversation.sync').length, 0, 'no change for the first opener');
  const fromB = h.send({ type: 'open', by: 'b', other: 'a', otherStatus: 'accepted' });
  assert.equal(h.ctx.members.b?.status, 'accepted');
  assert.deepEqual(ofType(fromB, 'conversation.announce')[0]!.updated.sort(), ['a', 'b']);
});

test('a pending recipient cannot send; after accepting they can', () => {
  const h = harness();
  h.send({ type: 'open', by: 'a', other: 'b', otherStatus: 'pending' });
  const refused = replyOf(
    h.send({ type: 'message.send', by: 'b', messageId: '5', content: 'hi', attachments: [] }),
  );
  assert.equal(refused.error?.status, 403);
  h.send({ type: 'accept', by: 'b' });
  const ok = replyOf(
    h.send({ type: 'message.send', by: 'b', messageId: '5', content: 'hi', attachments: [] }),
  );
  assert.equal((ok.data as { message: { id: string } }).message.id, '5');
});

test('group commit: the first send starts a write; sends during the write form the next batch', () => {
  const h = harness();
  h.send({ type: 'open', by: 'a', other: 'b', otherStatus: 'accepted' });
  const first = h.send({ type: 'message.send', by: 'a', messageId: '10', content: 'one', attachments: [] });
  const [w1] = ofType(first, 'messages.persist');
  assert.deepEqual(
    w1!.messages.map((m) => m.id),
    ['10'],
  );
  const [timer] = ofType(first, 'timer.set');
  assert.deepEqual(timer, {
    type: 'timer.set',
    key: 'persist',
    at: h.now + 5_000,
    event: { type: 'persist.retry' },
  });

  h.advance(3);
  const second = h.send({ type: 'message.send', by: 'b', messageId: '11', content: 'two', attachments: [] });
  const third = h.send({ type: 'message.send', by: 'a', messageId: '12', content: 'three', attachments: [] });
  assert.equal(ofType(second, 'messages.persist').length + ofType(third, 'messages.persist').length, 0);
  assert.equal(h.ctx.pending.length, 2);
  // Acks do not wait for the batch: each send answers with its message, in acceptance order.
  assert.equal((replyOf(third).data as { message: { createdAt: number } }).message.createdAt, h.now);

  const confirmed = h.send({ type: 'messages.persisted', upTo: '10' });
  const [w2] = ofType(confirmed, 'messages.persist');
  assert.deepEqual(
    w2!.messages.map((m) => [m.id, m.authorId, m.content]),
    [
      ['11', 'b', 'two'],
      ['12', 'a', 'three'],
    ],
  );
  assert.equal(ofType(confirmed, 'timer.set').length, 0, 'the watchdog stays armed, not re-set per batch');
  const done = h.send({ type: 'messages.persisted', upTo: '12' });
  assert.deepEqual(done, []);
  assert.equal(h.ctx.writing.length + h.ctx.pending.length, 0);
  assert.equal(h.ctx.lastMessageId, '12');
});

test('an id older than the newest accepted message is refused so the sender redraws it', () => {
  const h = harness();
  h.send({ type: 'open', by: 'a', other: 'b', otherStatus: 'accepted' });
  h.send({ type: 'message.send', by: 'a', messageId: '20', content: 'x', attachments: [] });
  const stale = replyOf(
    h.send({ type: 'message.send', by: 'b', messageId: '19', content: 'y', attachments: [] }),
  );
  assert.equal(stale.error?.code, 'MESSAGE_ID_STALE');
  assert.deepEqual(stale.error?.data, { lastMessageId: '20' });
  assert.equal(h.ctx.pending.length + h.ctx.writing.length, 1);
});

test('a retried send (same id, outcome unknown) is accepted once and answered again', () => {
  const h = harness();
  h.send({ type: 'open', by: 'a', other: 'b', otherStatus: 'accepted' });
  h.send({ type: 'message.send', by: 'a', messageId: '50', content: 'x', attachments: [] });
  h.send({ type: 'message.send', by: 'b', messageId: '51', content: 'y', attachments: [] });
  const again = replyOf(
    h.send({ type: 'message.send', by: 'a', messageId: '50', content: 'x', attachments: [] }),
  );
  assert.equal(again.error, undefined);
  assert.deepEqual((again.data as { message: { id: string }; duplicate: boolean }).message.id, '50');
  assert.equal((again.data as { duplicate: boolean }).duplicate, true);
  assert.equal(h.ctx.pending.length + h.ctx.writing.length, 2, 'not queued twice');
  h.send({ type: 'messages.persisted', upTo: '51' });
  const late = replyOf(
    h.send({ type: 'message.send', by: 'a', messageId: '50', content: 'x', attachments: [] }),
  );
  assert.deepEqual(late.data, { message: null, duplicate: true }, 'already written: read it from the table');
});

test('the durable watchdog hands an unconfirmed write over again, and leaves a young one alone', () => {
  const h = harness();
  h.send({ type: 'open', by: 'a', other: 'b', otherStatus: 'accepted' });
  const first = h.send({ type: 'message.send', by: 'a', messageId: '30', content: 'x', attachments: [] });
  assert.equal(ofType(first, 'timer.set')[0]!.at, h.now + 5_000);
  h.advance(5_000);
  const retry = h.send({ type: 'persist.retry' });
  assert.deepEqual(
    ofType(retry, 'messages.persist')[0]!.messages.map((m) => m.id),
    ['30'],
  );
  assert.equal(ofType(retry, 'timer.set')[0]!.at, h.now + 5_000);
  // Confirmed; a new batch starts 1 s later; the armed watchdog fires 4 s into it: re-armed, no re-send.
  h.send({ type: 'messages.persisted', upTo: '30' });
  h.advance(1_000);
  h.send({ type: 'message.send', by: 'a', messageId: '31', content: 'y', attachments: [] });
  const startedAt = h.now;
  h.advance(4_000);
  const early = h.send({ type: 'persist.retry' });
  assert.equal(ofType(early, 'messages.persist').length, 0);
  assert.deepEqual(ofType(early, 'timer.set')[0]!.at, startedAt + 5_000);
  // Nothing in flight: the watchdog fires into nothing and is not re-armed.
  h.send({ type: 'messages.persisted', upTo: '31' });
  h.advance(1_000);
  assert.deepEqual(h.send({ type: 'persist.retry' }), []);
});

test('one call per conversation: a second call is refused with the existing call id; the pointer clears on end', () => {
  const h = harness();
  h.send({
    type: 'group.create',
    by: 'a',
    name: 'crew',
    members: [
      { userId: 'b', status: 'accepted' },
      { userId: 'c', status: 'pending' },
    ],
  });
  const started = replyOf(h.send({ type: 'call.start', by: 'a', callId: '900' }));
  assert.deepEqual(started.data, { type: 'group', name: 'crew', participants: ['a', 'b'] });
  const second = replyOf(h.send({ type: 'call.start', by: 'b', callId: '901' }));
  assert.equal(second.error?.code, 'CALL_IN_PROGRESS');
  assert.equal(second.error?.status, 400);
  assert.deepEqual(second.error?.data, { existingCallId: '900' });
  h.send({ type: 'call.ended', callId: '900' });
  assert.equal(replyOf(h.send({ type: 'call.start', by: 'b', callId: '901' })).error, undefined);
});

test('groups: 1-9 participants, add up to 10 members, leave announces member_left, rename, no delete', () => {
  const h = harness();
  const tooMany = Array.from({ length: 10 }, (_, i) => ({ userId: `u${i}`, status: 'accepted' as const }));
  assert.equal(
    replyOf(h.send({ type: 'group.create', by: 'a', name: null, members: tooMany })).error?.status,
    400,
  );
  assert.equal(h.ctx.type, null);
  h.send({ type: 'group.create', by: 'a', name: null, members: tooMany.slice(0, 8) });
  assert.equal(Object.keys(h.ctx.members).length, 9);
  const add = h.send({
    type: 'members.add',
    by: 'a',
    members: [
      { userId: 'x', status: 'pending' },
      { userId: 'u0', status: 'accepted' },
    ],
  });
  const [ann] = ofType(add, 'conversation.announce');
  assert.deepEqual(ann!.created, ['x']);
  assert.deepEqual(ann!.requested, ['x']);
  assert.equal(
    replyOf(h.send({ type: 'members.add', by: 'a', members: [{ userId: 'y', status: 'accepted' }] })).error
      ?.status,
    400,
  );
  const left = h.send({ type: 'leave', by: 'u1' });
  assert.equal(ofType(left, 'conversation.announce')[0]!.left, 'u1');
  assert.equal(h.ctx.members.u1?.status, 'left');
  assert.equal(
    replyOf(h.send({ type: 'message.send', by: 'u1', messageId: '1', content: 'x', attachments: [] })).error
      ?.status,
    403,
  );
  h.send({ type: 'rename', by: 'a', name: 'new name' });
  assert.equal(h.ctx.name, 'new name');
  assert.equal(replyOf(h.send({ type: 'delete', by: 'a' })).error?.status, 400);
});

test('read markers and mutes are per member; delete ends a 1:1 for good', () => {
  const h = harness();
  h.send({ type: 'open', by: 'a', other: 'b', otherStatus: 'accepted' });
  h.send({ type: 'message.send', by: 'a', messageId: '40', content: 'x', attachments: [] });
  h.send({ type: 'read', by: 'b' });
  assert.equal(h.ctx.members.b?.lastReadId, '40');
  assert.equal(h.ctx.members.a?.lastReadId, '0');
  h.send({ type: 'mute', by: 'b', muted: true });
  assert.equal(h.ctx.members.b?.muted, true);
  const del = h.send({ type: 'delete', by: 'b' });
  assert.deepEqual(ofType(del, 'conversation.delete')[0], {
    type: 'conversation.delete',
    conversationId: '100',
    members: ['a', 'b'],
  });
  assert.equal(replyOf(h.send({ type: 'get' })).error?.status, 404);
  assert.deepEqual(h.send({ type: 'messages.persisted', upTo: '40' }), []);
});
