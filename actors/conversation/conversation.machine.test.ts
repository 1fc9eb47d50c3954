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

test('a send is written by the commit that accepts it (inline insert), then delivered through the outbox', () => {
  const h = harness();
  h.send({ type: 'open', by: 'a', other: 'b', otherStatus: 'accepted' });
  const first = h.send({ type: 'message.send', by: 'a', messageId: '10', content: 'one', attachments: [] });
  const [ins] = ofType(first, 'messages.insert');
  assert.deepEqual(
    ins!.messages.map((m) => [m.id, m.authorId, m.content]),
    [['10', 'a', 'one']],
  );
  const [del] = ofType(first, 'messages.deliver');
  assert.deepEqual(
    del!.messages.map((m) => m.id),
    ['10'],
  );
  assert.deepEqual(
    del!.members.map((m) => m.userId),
    ['a', 'b'],
  );
  assert.equal(ofType(first, 'timer.set').length, 0, 'no watchdog: nothing is accepted but unwritten');
  assert.equal(ofType(first, 'messages.persist').length, 0);

  h.advance(3);
  const second = h.send({ type: 'message.send', by: 'b', messageId: '11', content: 'two', attachments: [] });
  assert.deepEqual(
    ofType(second, 'messages.insert')[0]!.messages.map((m) => m.id),
    ['11'],
  );
  assert.equal((replyOf(second).data as { message: { createdAt: number } }).message.createdAt, h.now);
  assert.equal(h.ctx.pending.length + h.ctx.writing.length, 0, 'no message bodies in the snapshot');
  assert.equal(h.ctx.lastMessageId, '11');
});

test('an id older than the newest accepted message is refused so the sender redraws it', () => {
  const h = harness();
  h.send({ type: 'open', by: 'a', other: 'b', otherStatus: 'accepted' });
  h.send({ type: 'message.send', by: 'a', messageId: '20', content: 'x', attachments: [] });
  const refusedSend = h.send({
    type: 'message.send',
    by: 'b',
    messageId: '19',
    content: 'y',
    attachments: [],
  });
  const stale = replyOf(refusedSend);
  assert.equal(stale.error?.code, 'MESSAGE_ID_STALE');
  assert.deepEqual(stale.error?.data, { lastMessageId: '20' });
  assert.equal(ofType(refusedSend, 'messages.insert').length, 0);
  assert.equal(h.ctx.lastMessageId, '20');
});

test('a retried send (same id, outcome unknown) is accepted once; the retry reads the stored row', () => {
  const h = harness();
  h.send({ type: 'open', by: 'a', other: 'b', otherStatus: 'accepted' });
  h.send({ type: 'message.send', by: 'a', messageId: '50', content: 'x', attachments: [] });
  h.send({ type: 'message.send', by: 'b', messageId: '51', content: 'y', attachments: [] });
  const retried = h.send({ type: 'message.send', by: 'a', messageId: '50', content: 'x', attachments: [] });
  assert.equal(replyOf(retried).error, undefined);
  assert.deepEqual(replyOf(retried).data, { message: null, duplicate: true });
  assert.equal(ofType(retried, 'messages.insert').length, 0, 'not written twice');
});

test('a snapshot of the former protocol (messages accepted, not yet written) writes them on its watchdog', () => {
  const h = harness();
  h.send({ type: 'open', by: 'a', other: 'b', otherStatus: 'accepted' });
  // Forge the former state: one message being written, one pending, the watchdog armed.
  const legacy = (id: string) => ({ id, authorId: 'a', content: id, attachments: [], createdAt: h.now });
  Object.assign(h.ctx, {
    writing: [legacy('60')],
    pending: [legacy('61')],
    writingSince: h.now,
    watchdogAt: h.now + 5_000,
  });
  const fired = h.send({ type: 'persist.retry' });
  assert.deepEqual(
    ofType(fired, 'messages.insert')[0]!.messages.map((m) => m.id),
    ['60', '61'],
  );
  assert.equal(ofType(fired, 'messages.deliver').length, 1);
  assert.equal(h.ctx.writing.length + h.ctx.pending.length, 0);
  assert.equal(h.ctx.watchdogAt, null);
  assert.deepEqual(h.send({ type: 'messages.persisted', upTo: '61' }), []);
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
