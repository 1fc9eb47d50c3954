/**
 * The call machine alone, with XState's pure `transition()` and a simulated clock: the spec's call
 * and participant state flows, the ring deadline as a durable timer, and the effects emitted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { callMachine } from './call.machine.ts';
import type { CallEvent, CallView } from './call.events.ts';
import type { Emitted } from './call.rules.ts';

type Snap = SnapshotFrom<typeof callMachine>;
type EventBody = CallEvent extends infer E ? (E extends { at: number } ? Omit<E, 'at'> : never) : never;

const RING_MS = 60_000;

function harness(id = '500') {
  let now = 2_000_000;
  let [snap] = initialTransition(callMachine, { id });
  /** Timers the machine asked for, as the runtime would keep them. */
  const timers = new Map<string, { at: number; event: { type: string } }>();
  const h = {
    get ctx() {
      return snap.context;
    },
    get now() {
      return now;
    },
    send(body: EventBody): Emitted[] {
      const [next, actions] = transition(callMachine, snap, { ...body, at: now } as CallEvent);
      snap = next as Snap;
      const emits = (actions as Array<{ type: string; params?: unknown }>)
        .filter((a) => a.type === 'xstate.emit')
        .map((a) => (a.params as { event: Emitted }).event);
      for (const e of emits) {
        if (e.type === 'timer.set') timers.set(e.key, { at: e.at, event: e.event });
        if (e.type === 'timer.cancel') timers.delete(e.key);
      }
      return emits;
    },
    /** Move the clock; deliver due timers like the runtime does (each once, at its time). */
    advance(ms: number): Emitted[] {
      now += ms;
      const out: Emitted[] = [];
      for (const [key, t] of [...timers]) {
        if (t.at <= now) {
          timers.delete(key);
          out.push(...h.send(t.event as EventBody));
        }
      }
      return out;
    },
    timers,
  };
  return h;
}

const replyOf = (emits: Emitted[]) =>
  emits.find((e) => e.type === 'reply') as Extract<Emitted, { type: 'reply' }>;
const ofType = <T extends Emitted['type']>(emits: Emitted[], type: T) =>
  emits.filter((e): e is Extract<Emitted, { type: T }> => e.type === type);
const statuses = (v: { participants: CallView['participants'] }) =>
  Object.fromEntries(v.participants.map((p) => [p.userId, p.status]));

const start = (h: ReturnType<typeof harness>, participants = ['a', 'b'], isGroup = false) =>
  h.send({
    type: 'dm.start',
    by: 'a',
    conversationId: '77',
    participants,
    isGroup,
    conversationName: isGroup ? 'crew' : null,
    ringMs: RING_MS,
  });

test('a DM call starts ringing: the initiator joined, the others ringing, a durable ring timer, pushes', () => {
  const h = harness();
  const emits = start(h, ['a', 'b', 'c'], true);
  const call = replyOf(emits).data as CallView;
  assert.equal(call.status, 'ringing');
  assert.equal(call.roomName, 'call_500');
  assert.deepEqual(statuses(call), { a: 'joined', b: 'ringing', c: 'ringing' });
  assert.deepEqual(ofType(emits, 'timer.set'), [
    { type: 'timer.set', key: 'ring', at: h.now + RING_MS, event: { type: 'ring.timeout' } },
  ]);
  assert.deepEqual(ofType(emits, 'call.ring')[0]!.to, ['b', 'c']);
});

test('nobody answers for 60 s: the call ends, unanswered participants missed, ringing devices cancelled', () => {
  const h = harness();
  start(h);
  assert.deepEqual(h.advance(RING_MS - 1), [], 'nothing before the deadline');
  const fired = h.advance(1);
  const [ended] = ofType(fired, 'call.ended');
  assert.equal(ended!.view.status, 'ended');
  assert.equal(ended!.view.endedAt, h.now);
  assert.deepEqual(statuses(ended!.view), { a: 'left', b: 'missed' });
  assert.deepEqual(ended!.cancelRinging, ['b']);
  assert.equal(h.timers.size, 0);
});

test('the first accept makes the call active; the ring deadline then only marks late ones missed', () => {
  const h = harness();
  start(h, ['a', 'b', 'c'], true);
  h.advance(5_000);
  const acc = h.send({ type: 'respond', by: 'b', action: 'accept' });
  const call = replyOf(acc).data as CallView;
  assert.equal(call.status, 'active');
  assert.equal(call.startedAt, h.now);
  assert.deepEqual(ofType(acc, 'call.elsewhere'), [
    { type: 'call.elsewhere', callId: '500', userId: 'b', action: 'answered' },
  ]);
  assert.equal(ofType(acc, 'call.participant')[0]!.change, 'joined');
  const late = h.advance(RING_MS);
  assert.equal(ofType(late, 'call.ended').length, 0, 'a and b are still talking');
  assert.deepEqual(statuses(h.ctx), { a: 'joined', b: 'joined', c: 'missed' });
});

test('all non-initiators declining ends the call', () => {
  const h = harness();
  start(h, ['a', 'b', 'c'], true);
  const one = h.send({ type: 'respond', by: 'b', action: 'decline' });
  assert.equal(ofType(one, 'call.ended').length, 0);
  assert.deepEqual(ofType(one, 'call.elsewhere')[0], {
    type: 'call.elsewhere',
    callId: '500',
    userId: 'b',
    action: 'declined',
  });
  const two = h.send({ type: 'respond', by: 'c', action: 'decline' });
  assert.equal(ofType(two, 'call.ended').length, 1);
  assert.equal(h.ctx.status, 'ended');
  assert.deepEqual(statuses(h.ctx), { a: 'left', b: 'declined', c: 'declined' });
  assert.ok(ofType(two, 'timer.cancel').some((t) => t.key === 'ring'));
});

test('DM calls end when fewer than 2 remain; rejoin after leaving; join works for declined/missed', () => {
  const h = harness();
  start(h);
  h.send({ type: 'respond', by: 'b', action: 'accept' });
  const left = h.send({ type: 'leave', by: 'a' });
  assert.equal(ofType(left, 'call.participant')[0]!.change, 'left');
  assert.equal(ofType(left, 'call.ended').length, 1, 'b alone: the call ends');
  assert.equal(replyOf(h.send({ type: 'join', by: 'a' })).error?.code, 'CALL_ENDED');

  const g = harness('501');
  start(g, ['a', 'b', 'c'], true);
  g.send({ type: 'respond', by: 'b', action: 'accept' });
  g.send({ type: 'respond', by: 'c', action: 'decline' });
  g.send({ type: 'leave', by: 'b' });
  assert.equal(g.ctx.status, 'ended', 'a alone after b left: ended');

  const r = harness('502');
  start(r, ['a', 'b', 'c'], true);
  r.send({ type: 'respond', by: 'b', action: 'accept' });
  r.send({ type: 'respond', by: 'c', action: 'decline' });
  const rejoin = r.send({ type: 'join', by: 'c' });
  assert.deepEqual(statuses(replyOf(rejoin).data as CallView), { a: 'joined', b: 'joined', c: 'joined' });
  r.send({ type: 'leave', by: 'c' });
  r.send({ type: 'join', by: 'c' });
  assert.equal(r.ctx.participants.find((p) => p.userId === 'c')?.leftAt, null);
  assert.equal(replyOf(r.send({ type: 'join', by: 'z' })).error?.status, 403, 'not a participant');
});

test('end: any participant force-ends for everyone; ringing ones missed', () => {
  const h = harness();
  start(h, ['a', 'b', 'c'], true);
  h.send({ type: 'respond', by: 'b', action: 'accept' });
  assert.equal(replyOf(h.send({ type: 'end', by: 'z' })).error?.status, 403);
  const ended = h.send({ type: 'end', by: 'b' });
  assert.deepEqual(statuses(ofType(ended, 'call.ended')[0]!.view), { a: 'left', b: 'left', c: 'missed' });
  assert.deepEqual(h.advance(RING_MS), [], 'the cancelled ring timer never fires');
});

test('voice channel: starts active without ringing, anyone joins, ends when empty', () => {
  const h = harness('600');
  const first = h.send({ type: 'voice.join', by: 'a', channelId: '9', spaceId: '8' });
  const call = replyOf(first).data as CallView;
  assert.equal(call.type, 'voice_channel');
  assert.equal(call.status, 'active');
  assert.equal(ofType(first, 'timer.set').length, 0);
  h.send({ type: 'voice.join', by: 'b', channelId: '9', spaceId: '8' });
  h.send({ type: 'leave', by: 'a' });
  assert.equal(h.ctx.status, 'active', 'b is still there');
  const last = h.send({ type: 'leave', by: 'b' });
  assert.equal(ofType(last, 'call.ended').length, 1);
  assert.equal(
    replyOf(h.send({ type: 'voice.join', by: 'c', channelId: '9', spaceId: '8' })).error?.code,
    'CALL_ENDED',
  );
});

test('a call with nobody else to ring is refused', () => {
  const h = harness();
  assert.equal(replyOf(start(h, ['a'])).error?.status, 400);
  assert.equal(h.ctx.status, 'idle');
});
