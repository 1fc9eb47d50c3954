/**
 * The meeting room machine alone, with XState's pure `transition()` and a simulated clock: open on
 * first join, counts, guests (resume, kick blocks rejoin), close on last leave, expiry by the
 * durable sweep timer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { meetingRoomMachine } from './meeting-room.machine.ts';
import type { GuestJoin, MeetingRoomEvent, MeetingRoomView, RoomTarget } from './meeting-room.events.ts';
import type { Emitted } from './meeting-room.rules.ts';

type Snap = SnapshotFrom<typeof meetingRoomMachine>;
type EventBody = MeetingRoomEvent extends infer E
  ? E extends { at: number }
    ? Omit<E, 'at'>
    : never
  : never;

const TTL = 60_000;
const target: RoomTarget = { kind: 'event', eventId: '9', spaceId: '1', voiceChannelId: null, ownerId: null };
const open = (n: number) => ({ callId: `c${n}`, roomName: `meeting_c${n}`, channelId: `ch${n}` });

function harness() {
  let now = 5_000_000;
  let [snap] = initialTransition(meetingRoomMachine, { id: 'e9' });
  const timers = new Map<string, { at: number; event: { type: string } }>();
  const h = {
    get ctx() {
      return snap.context;
    },
    send(body: EventBody): Emitted[] {
      const [next, actions] = transition(meetingRoomMachine, snap, { ...body, at: now } as MeetingRoomEvent);
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
    advance(ms: number): Emitted[] {
      now += ms;
      const out: Emitted[] = [];
      for (const [key, t] of [...timers])
        if (t.at <= now) {
          timers.delete(key);
          out.push(...h.send(t.event as EventBody));
        }
      return out;
    },
    timers,
  };
  return h;
}

const reply = (emits: Emitted[]) =>
  emits.find((e) => e.type === 'reply') as Extract<Emitted, { type: 'reply' }>;
const ofType = <T extends Emitted['type']>(emits: Emitted[], type: T) =>
  emits.filter((e): e is Extract<Emitted, { type: T }> => e.type === type);
const join = (userId: string, n = 1): EventBody => ({
  type: 'member.join',
  userId,
  target,
  open: open(n),
  ttlMs: TTL,
});
const guest = (id: string, extra: Partial<GuestJoin> = {}): EventBody => ({
  type: 'guest.join',
  target,
  open: open(7),
  ttlMs: TTL,
  guest: {
    guestId: id,
    displayName: `Guest ${id}`,
    email: null,
    emailVerified: false,
    userId: null,
    sessionHash: `s-${id}`,
    inviteId: null,
    inviteSingleUse: false,
    livekitIdentity: `guest_${id}`,
    grants: { chat: true, participation: false },
    ...extra,
  },
});

test('first join opens the room with its session; a second join counts; no second open', () => {
  const h = harness();
  const first = h.send(join('a'));
  const r = reply(first).data as MeetingRoomView & { opened: boolean };
  assert.equal(r.opened, true);
  assert.deepEqual(r.session?.channelId, 'ch1');
  assert.equal(ofType(first, 'room.opened').length, 1);
  assert.deepEqual(
    ofType(first, 'room.count').map((e) => e.participantCount),
    [1],
  );
  assert.equal(h.timers.get('sweep')?.event.type, 'sweep');
  const second = h.send(join('b', 2));
  assert.equal((reply(second).data as { opened: boolean }).opened, false);
  assert.equal(ofType(second, 'room.opened').length, 0);
  assert.equal(h.ctx.session?.callId, 'c1', 'the open session is kept');
  assert.deepEqual(
    ofType(second, 'room.count').map((e) => e.participantCount),
    [2],
  );
  // A repeated join is a heartbeat, not a new participant.
  assert.equal(ofType(h.send(join('b')), 'room.count').length, 0);
});

test('the last leave closes the room: room.closed with the session, timer cancelled, idle again', () => {
  const h = harness();
  h.send(join('a'));
  h.send(guest('g1'));
  const l1 = h.send({ type: 'member.leave', userId: 'a' });
  assert.deepEqual(
    ofType(l1, 'room.count').map((e) => e.participantCount),
    [1],
  );
  const l2 = h.send({ type: 'guest.leave', sessionHash: 's-g1' });
  const closed = ofType(l2, 'room.closed');
  assert.equal(closed.length, 1);
  assert.equal(closed[0]!.session.channelId, 'ch1');
  assert.equal(ofType(l2, 'room.guest')[0]?.change, 'left');
  assert.equal(h.ctx.status, 'idle');
  assert.equal(h.timers.has('sweep'), false);
  // Leaving again is harmless; a new join opens a new session.
  assert.equal(ofType(h.send({ type: 'member.leave', userId: 'a' }), 'room.closed').length, 0);
  h.send(join('b', 3));
  assert.equal(h.ctx.session?.callId, 'c3');
});

test('guests: resume by session, kick removes from LiveKit and blocks session, email and single-use invite', () => {
  const h = harness();
  h.send(join('a'));
  const j = h.send(guest('g1', { email: 'Pat@Example.com', inviteId: 'inv1', inviteSingleUse: true }));
  assert.equal(ofType(j, 'room.guest')[0]?.change, 'joined');
  const resumed = h.send({ type: 'guest.resume', sessionHash: 's-g1' });
  assert.equal((reply(resumed).data as { guest: { guestId: string } }).guest.guestId, 'g1');
  const kick = h.send({ type: 'guest.kick', guestId: 'g1', by: 'a' });
  const k = ofType(kick, 'room.guest')[0]!;
  assert.deepEqual([k.change, k.kickedBy, k.livekitIdentity], ['kicked', 'a', 'guest_g1']);
  assert.equal(reply(h.send({ type: 'guest.resume', sessionHash: 's-g1' })).error?.status, 403);
  assert.equal(reply(h.send(guest('g2', { email: 'pat@example.com' }))).error?.status, 403);
  assert.equal(reply(h.send(guest('g3', { inviteId: 'inv1' }))).error?.status, 403);
  assert.equal(reply(h.send(guest('g4'))).error, undefined, 'someone else still gets in');
  assert.equal(reply(h.send({ type: 'guest.kick', guestId: 'nope', by: 'a' })).error?.status, 404);
});

test('silent participants: guests expire, members are probed then dropped; the room closes (no ghosts)', () => {
  const h = harness();
  h.send(join('a'));
  h.send(guest('g1'));
  h.advance(TTL / 2);
  h.send({ type: 'guest.heartbeat', sessionHash: 's-g1' });
  // a falls silent first: probed (is a still online?), not dropped yet.
  const first = h.advance(TTL / 2 + 1);
  assert.deepEqual(
    ofType(first, 'room.probe').map((e) => e.userIds),
    [['a']],
  );
  assert.equal(ofType(first, 'room.count').length, 0);
  assert.equal(h.ctx.members[0]?.probedAt !== undefined, true);
  // The probe found a online: a heartbeat clears the probe.
  h.send({ type: 'member.heartbeat', userId: 'a' });
  assert.equal(h.ctx.members[0]?.probedAt, undefined);
  // g1 lapses: dropped at once (guests have no sockets to ask).
  const second = h.advance(TTL / 2);
  assert.deepEqual(
    ofType(second, 'room.guest').map((e) => e.change),
    ['left'],
  );
  assert.deepEqual(h.ctx.guests, []);
  // Nobody answers for a any more: probed, then dropped a TTL later; the room closes.
  const third = h.advance(TTL);
  assert.equal(ofType(third, 'room.probe').length, 1);
  const fourth = h.advance(TTL);
  assert.equal(ofType(fourth, 'room.closed').length, 1);
  assert.equal(h.ctx.status, 'idle');
  // A stray sweep on an idle room does nothing.
  assert.deepEqual(h.send({ type: 'sweep' }), []);
});
