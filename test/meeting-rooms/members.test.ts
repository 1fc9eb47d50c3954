/**
 * Spec "Meeting Rooms" for members: the first join opens the room (a call and a temporary text
 * channel), counts reach the space (calendar:room_participant_changed), the last leave closes it
 * (calendar:room_closed), deletes the channel with its messages and destroys the LiveKit room.
 * "Event is today" and early entry; personal event rooms.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { FakeLiveKit } from '../fakes/livekit.ts';
import { registerUser } from '../helpers/users.ts';
import { SioClient } from '../realtime-clients.ts';
import { addMember, createSpace, expectStatus } from '../spaces/helpers.ts';
import { addDays, createEvent, grantsOf, noonClock } from './helpers.ts';

let t: TestContext;
let lk: FakeLiveKit;
const clock = noonClock();
before(async () => {
  lk = await FakeLiveKit.start();
  t = await TestContext.start({ env: { LIVEKIT_URL: lk.url, ACTOR_ASK_TIMEOUT_MS: '20000' }, clock });
});
after(async () => {
  await t.close();
  await lk.close();
});

test('a room opens on first join with a call and a temporary channel; it closes with its messages when the last leaves', async () => {
  const space = await createSpace(t);
  const [ann, bob] = [await addMember(t, space), await addMember(t, space)];
  const eventId = await createEvent(t, space, { eventDate: clock.today, eventTime: '12:30', earlyEntry: 60 });
  const S = `/spaces/${space.id}/calendar`;
  const bobSock = await SioClient.connect(t, bob.accessToken);
  try {
    // 1. Ann opens the room.
    const joined = await expectStatus(
      t.api('POST', `${S}/events/${eventId}/room/join`, { token: ann.accessToken, body: {} }),
      200,
    );
    assert.ok(joined.channelId, 'a temporary text channel');
    assert.equal(joined.meetingRoom.status, 'open');
    assert.equal(joined.meetingRoom.participantCount, 1);
    assert.equal(joined.call.status, 'active');
    assert.deepEqual(
      joined.call.participants.map((p: any) => p.userId),
      [ann.id],
    );
    const grants = grantsOf(joined.token.token);
    assert.deepEqual([grants.room, grants.sub, grants.canPublish], [joined.call.roomName, ann.id, true]);
    const changed = await bobSock.waitFor(
      'calendar:room_participant_changed',
      (d) => d.eventId === eventId,
      15_000,
    );
    assert.deepEqual(changed, { eventId, participantCount: 1 });

    // 2. Bob sees the room, the channel, and chats in it; he is not in the room himself.
    const active = await expectStatus(t.api('GET', `${S}/active-rooms`, { token: bob.accessToken }), 200);
    assert.deepEqual(
      active.map((r: any) => [r.eventId, r.participantCount, r.channelId]),
      [[eventId, 1, joined.channelId]],
    );
    assert.deepEqual(
      await expectStatus(t.api('GET', `${S}/my-active-room`, { token: bob.accessToken }), 200),
      {
        room: null,
      },
    );
    const mine = await expectStatus(t.api('GET', `${S}/my-active-room`, { token: ann.accessToken }), 200);
    assert.equal(mine.room.eventId, eventId);
    await expectStatus(
      t.api('POST', `/channels/${joined.channelId}/messages`, {
        token: ann.accessToken,
        body: { content: 'hello room' },
      }),
      201,
    );
    const msgs = await expectStatus(
      t.api('GET', `/channels/${joined.channelId}/messages`, { token: bob.accessToken }),
      200,
    );
    assert.ok(JSON.stringify(msgs).includes('hello room'));

    // 3. Bob joins too (same session), then both leave: the room closes.
    const second = await expectStatus(
      t.api('POST', `${S}/events/${eventId}/room/join`, { token: bob.accessToken }),
      200,
    );
    assert.equal(second.channelId, joined.channelId);
    assert.equal(second.call.id, joined.call.id);
    assert.equal(second.meetingRoom.participantCount, 2);
    await bobSock.waitFor('calendar:room_participant_changed', (d) => d.participantCount === 2, 15_000);
    await expectStatus(t.api('POST', `${S}/events/${eventId}/room/leave`, { token: ann.accessToken }), 204);
    await expectStatus(t.api('POST', `${S}/events/${eventId}/room/leave`, { token: bob.accessToken }), 204);
    assert.deepEqual(await bobSock.waitFor('calendar:room_closed', (d) => d.eventId === eventId, 15_000), {
      eventId,
    });

    // 4. Gone: the channel and its messages (seen from Bob), the LiveKit room, the listing.
    await lk.calls.waitFor(
      (c) => c.method === 'DeleteRoom' && c.body.room === joined.call.roomName,
      1,
      15_000,
    );
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await t.api('GET', `/channels/${joined.channelId}/messages`, { token: bob.accessToken }))
        .status;
      if (status === 404) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 404, 'the temporary channel is gone');
    const rows = await t.reef.engine.db.db
      .selectFrom('messages')
      .select('id')
      .where('channel_id', '=', joined.channelId)
      .execute();
    assert.equal(rows.length, 0, 'its messages are gone');
    assert.deepEqual(
      await expectStatus(t.api('GET', `${S}/active-rooms`, { token: bob.accessToken }), 200),
      [],
    );

    // 5. A new join opens a new session with a new channel.
    const again = await expectStatus(
      t.api('POST', `${S}/events/${eventId}/room/join`, { token: ann.accessToken }),
      200,
    );
    assert.notEqual(again.channelId, joined.channelId);
    await expectStatus(t.api('POST', `${S}/events/${eventId}/room/leave`, { token: ann.accessToken }), 204);
  } finally {
    await bobSock.close();
  }
});

test('not today, too early, early entry -1, the date override, disabled rooms and non-members', async () => {
  const space = await createSpace(t);
  const ann = await addMember(t, space);
  const S = `/spaces/${space.id}/calendar/events`;
  const join = (eventId: string, body: Record<string, unknown> = {}, token = ann.accessToken) =>
    t.api('POST', `${S}/${eventId}/room/join`, { token, body });
  const tomorrow = await createEvent(t, space, { eventDate: addDays(clock.today, 1) });
  const res = await join(tomorrow);
  assert.equal(res.status, 400);
  assert.match(res.body.error.message, /not today/);
  assert.equal(res.body.error.data.today, clock.today);
  // The client's own date counts as today.
  await expectStatus(join(tomorrow, { date: addDays(clock.today, 1) }), 200);
  await expectStatus(t.api('POST', `${S}/${tomorrow}/room/leave`, { token: ann.accessToken }), 204);

  const later = await createEvent(t, space, { eventDate: clock.today, eventTime: '14:00', earlyEntry: 10 });
  const early = await join(later);
  assert.equal(early.status, 400);
  assert.match(early.body.error.message, /opens 10 minutes before/);
  assert.equal(early.body.error.data.opensAt, `${clock.today}T13:50:00.000Z`);
  const defaultEarly = await createEvent(t, space, { eventDate: clock.today, eventTime: '12:10' });
  await expectStatus(join(defaultEarly), 200);
  await expectStatus(t.api('POST', `${S}/${defaultEarly}/room/leave`, { token: ann.accessToken }), 204);
  const anytime = await createEvent(t, space, { eventDate: clock.today, eventTime: '23:00', earlyEntry: -1 });
  await expectStatus(join(anytime), 200);
  await expectStatus(t.api('POST', `${S}/${anytime}/room/leave`, { token: ann.accessToken }), 204);

  const disabled = await createEvent(t, space, { eventDate: clock.today, meetingRoomEnabled: false });
  assert.match((await join(disabled)).body.error.message, /no meeting room/);
  const stranger = await registerUser(t);
  assert.equal((await join(anytime, {}, stranger.accessToken)).status, 403);
  assert.equal((await join('123456789', {})).status, 404);
});

test('personal event rooms: the owner only, today, closed on leave', async () => {
  const owner = await registerUser(t);
  const other = await registerUser(t);
  const db = t.reef.engine.db.db;
  const eventId = t.reef.engine.ids.next();
  await db
    .insertInto('personal_events')
    .values({
      id: eventId,
      user_id: owner.id,
      name: 'Coaching call',
      event_date: clock.today,
      event_time: '12:05',
      end_time: '13:00',
      meeting_room_enabled: true,
      meeting_room_early_entry: 30,
    })
    .execute();
  const P = `/users/me/collections/events/${eventId}/room`;
  assert.equal((await t.api('POST', `${P}/join`, { token: other.accessToken })).status, 403);
  const joined = await expectStatus(t.api('POST', `${P}/join`, { token: owner.accessToken, body: {} }), 200);
  assert.equal(joined.meetingRoom.kind, 'personal');
  assert.equal(joined.meetingRoom.participantCount, 1);
  assert.equal(joined.channelId, undefined, 'personal rooms have no text channel');
  assert.equal(grantsOf(joined.token.token).room, joined.call.roomName);
  await expectStatus(t.api('POST', `${P}/leave`, { token: owner.accessToken }), 204);
  await lk.calls.waitFor((c) => c.method === 'DeleteRoom' && c.body.room === joined.call.roomName, 1, 15_000);
  const state = await t.reef.services.meetingRooms.rooms.members.rooms.read(`p${eventId}`);
  assert.equal(state?.status, 'idle');
});
