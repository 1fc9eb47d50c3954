import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { TestContext, uniq } from '../context.ts';
import { expectStatus } from '../spaces/helpers.ts';
import { SioClient, barrier } from '../realtime-clients.ts';
import { registerUser } from '../helpers/users.ts';
import { calendarSpace, createEvent, currentNotifications, notificationsFor } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { ACTOR_ASK_TIMEOUT_MS: '20000' } });
});
after(() => t.close());

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

test('categories: #RRGGBB colours, MANAGE_CALENDAR only, listed for members', async () => {
  const c = await calendarSpace(t);
  const base = `/spaces/${c.space.id}/calendar/categories`;
  const bad = await t.api('POST', base, {
    token: c.manager.accessToken,
    body: { name: 'Rides', color: 'red' },
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'VALIDATION_ERROR');
  assert.equal(bad.body.error.data.issues[0].path, 'color');
  const denied = await t.api('POST', base, {
    token: c.member.accessToken,
    body: { name: 'x', color: '#112233' },
  });
  assert.equal(denied.status, 403);
  const cat = await expectStatus(
    t.api('POST', base, { token: c.manager.accessToken, body: { name: 'Rides', color: '#ff8800' } }),
    201,
  );
  assert.equal(cat.color, '#FF8800');
  const patched = await expectStatus(
    t.api('PATCH', `${base}/${cat.id}`, { token: c.manager.accessToken, body: { color: '#00aa00' } }),
    200,
  );
  assert.equal(patched.color, '#00AA00');
  const list = await expectStatus(t.api('GET', base, { token: c.member.accessToken }), 200);
  assert.deepEqual(
    list.map((x: any) => [x.name, x.color]),
    [['Rides', '#00AA00']],
  );
  const outsider = await registerUser(t);
  assert.equal((await t.api('GET', base, { token: outsider.accessToken })).status, 403);
  await expectStatus(t.api('DELETE', `${base}/${cat.id}`, { token: c.manager.accessToken }), 204);
  assert.deepEqual(await expectStatus(t.api('GET', base, { token: c.member.accessToken }), 200), []);
});

test('create: validation, new_event to members but the creator, social post, calendar:event_created on the socket', async () => {
  const c = await calendarSpace(t, { socialEnabled: true });
  const url = `/spaces/${c.space.id}/calendar/events`;
  for (const body of [
    { name: 'x', eventDate: '2026-02-30' },
    { name: 'x', eventDate: day(3), eventTime: '24:00' },
    { name: 'x', eventDate: day(3), eventTime: '9:00' },
    { name: 'x', eventDate: day(3), color: '#fff' },
  ]) {
    const r = await t.api('POST', url, { token: c.manager.accessToken, body });
    assert.equal(r.status, 400, JSON.stringify(body));
  }
  const endBefore = await t.api('POST', url, {
    token: c.manager.accessToken,
    body: { name: 'x', eventDate: day(3), eventTime: '10:00', endTime: '09:00' },
  });
  assert.equal(endBefore.status, 400);
  assert.equal(
    (await t.api('POST', url, { token: c.member.accessToken, body: { name: 'x', eventDate: day(3) } }))
      .status,
    403,
  );

  const sock = await SioClient.connect(t, c.member.accessToken);
  try {
    await barrier(t, `space:${c.space.id}`, [sock]);
    const name = uniq('Ride');
    const e = await createEvent(t, c, {
      name,
      eventDate: day(5),
      eventTime: '18:30',
      endTime: '20:00',
      location: 'Harbour',
      meetingRoomEnabled: true,
      meetingPublicAccess: true,
      meetingRoomPassword: 'secret-pass',
      meetingIdentityMode: 'anonymous',
    });
    assert.equal(e.name, name);
    assert.equal(e.organizerId, c.manager.id, 'the organizer defaults to the creator');
    assert.equal(e.organizer.username, c.manager.username);
    assert.equal(e.meetingHasPassword, true);
    assert.equal(e.meetingRoomPassword, undefined, 'the password never leaves the server');
    assert.deepEqual(e.rsvpCounts, { going: 0, maybe: 0, notGoing: 0 });
    // 1. another member sees the socket event
    const pushed = await sock.waitFor('calendar:event_created', (d) => d.id === e.id, 10_000);
    assert.equal(pushed.name, name);
    assert.equal(pushed.spaceId, c.space.id);
    await expectStatus(
      t.api('PATCH', `/spaces/${c.space.id}/calendar/events/${e.id}`, {
        token: c.manager.accessToken,
        body: { location: 'Lighthouse' },
      }),
      200,
    );
    const upd = await sock.waitFor('calendar:event_updated', (d) => d.id === e.id, 10_000);
    assert.equal(upd.location, 'Lighthouse');
    // 2. new_event reached every member but the creator
    for (const u of [c.member, c.claimer, c.space.owner]) {
      const [n] = await notificationsFor(t, u, 'new_event', e.id);
      assert.equal(n.data.eventName, name);
      assert.equal(n.data.eventDate, day(5));
      assert.equal(n.data.eventTime, '18:30');
      assert.equal(n.data.spaceId, c.space.id);
      assert.ok(n.data.spaceName);
    }
    assert.deepEqual(await currentNotifications(t, c.manager, 'new_event', e.id), []);
    // 3. the password hash is stored (bcrypt), and the meeting lookup hands it to meeting rooms
    const info = await t.reef.services.calendar.meetingEvents.spaceEvent(t.reef.engine.db.db, e.id);
    assert.ok(info?.passwordHash?.startsWith('$2'));
    assert.equal(info?.publicAccess, true);
    assert.equal(info?.endTime, '20:00');
    // 4. the space's auto-generated social post
    const posts = await t.reef.engine.db.db
      .selectFrom('posts')
      .select(['space_id', 'metadata', 'visibility'])
      .where('space_id', '=', c.space.id)
      .execute();
    assert.deepEqual(
      posts.map((p) => p.metadata),
      [{ type: 'calendar_event', eventId: e.id, spaceId: c.space.id }],
    );
    assert.equal(posts[0]?.visibility, 'public');
  } finally {
    await sock.close();
  }
});

test('no social post without socialEnabled; get, range and upcoming', async () => {
  const c = await calendarSpace(t);
  const a = await createEvent(t, c, { name: 'later', eventDate: day(10), eventTime: '09:00' });
  const b = await createEvent(t, c, { name: 'sooner', eventDate: day(2) });
  const past = await createEvent(t, c, { name: 'past', eventDate: day(-3) });
  const posts = await t.reef.engine.db.db
    .selectFrom('posts')
    .select('id')
    .where('space_id', '=', c.space.id)
    .execute();
  assert.equal(posts.length, 0);
  const got = await expectStatus(
    t.api('GET', `/spaces/${c.space.id}/calendar/events/${a.id}`, { token: c.member.accessToken }),
    200,
  );
  assert.equal(got.name, 'later');
  assert.equal(got.myRsvp, null);
  const range = await expectStatus(
    t.api('GET', `/spaces/${c.space.id}/calendar/events?from=${day(-5)}&to=${day(5)}`, {
      token: c.member.accessToken,
    }),
    200,
  );
  assert.deepEqual(
    range.map((e: any) => e.id),
    [past.id, b.id],
  );
  const up = await expectStatus(
    t.api('GET', `/spaces/${c.space.id}/calendar/upcoming?limit=1`, { token: c.member.accessToken }),
    200,
  );
  assert.deepEqual(
    up.map((e: any) => e.id),
    [b.id],
  );
  assert.equal(
    (await t.api('GET', `/spaces/${c.space.id}/calendar/upcoming?limit=51`, { token: c.member.accessToken }))
      .status,
    400,
  );
});

test('RSVP: counts and myRsvp, event_rsvp to the creator; delete notifies going/maybe only, first', async () => {
  const c = await calendarSpace(t);
  const other = c.claimer;
  const e = await createEvent(t, c, { name: uniq('Run'), eventDate: day(4), eventTime: '07:00' });
  const url = `/spaces/${c.space.id}/calendar/events/${e.id}`;
  const r1 = await expectStatus(
    t.api('POST', `${url}/rsvp`, { token: c.member.accessToken, body: { status: 'going' } }),
    200,
  );
  assert.equal(r1.myRsvp, 'going');
  assert.deepEqual(r1.rsvpCounts, { going: 1, maybe: 0, notGoing: 0 });
  const r2 = await expectStatus(
    t.api('POST', `${url}/rsvp`, { token: other.accessToken, body: { status: 'maybe' } }),
    200,
  );
  assert.deepEqual(r2.rsvpCounts, { going: 1, maybe: 1, notGoing: 0 });
  await expectStatus(
    t.api('POST', `${url}/rsvp`, { token: c.space.owner.accessToken, body: { status: 'not_going' } }),
    200,
  );
  await expectStatus(
    t.api('POST', `${url}/rsvp`, { token: c.manager.accessToken, body: { status: 'going' } }),
    200,
  );
  assert.equal(
    (await t.api('POST', `${url}/rsvp`, { token: c.member.accessToken, body: { status: 'yes' } })).status,
    400,
  );
  const seen = await expectStatus(t.api('GET', url, { token: other.accessToken }), 200);
  assert.equal(seen.myRsvp, 'maybe');
  assert.deepEqual(seen.rsvpCounts, { going: 2, maybe: 1, notGoing: 1 });
  const list = await expectStatus(t.api('GET', `${url}/rsvps`, { token: c.member.accessToken }), 200);
  assert.deepEqual(
    list.map((x: any) => [x.user.username, x.status]).sort(),
    [
      [c.manager.username, 'going'],
      [c.member.username, 'going'],
      [other.username, 'maybe'],
      [c.space.owner.username, 'not_going'],
    ].sort(),
  );
  // event_rsvp went to the creator (the manager) for the three others, not for their own RSVP
  const rsvps = await notificationsFor(t, c.manager, 'event_rsvp', e.id, 3);
  assert.deepEqual(
    rsvps.map((n) => [n.data.rsvpUsername, n.data.rsvpStatus]).sort(),
    [
      [c.member.username, 'going'],
      [other.username, 'maybe'],
      [c.space.owner.username, 'not_going'],
    ].sort(),
  );
  assert.ok(rsvps.every((n) => n.data.eventName === e.name && n.data.rsvpDisplayName));
  // removing an RSVP
  const un = await expectStatus(t.api('DELETE', `${url}/rsvp`, { token: c.space.owner.accessToken }), 200);
  assert.equal(un.myRsvp, null);
  assert.deepEqual(un.rsvpCounts, { going: 2, maybe: 1, notGoing: 0 });
  await expectStatus(
    t.api('POST', `${url}/rsvp`, { token: c.space.owner.accessToken, body: { status: 'not_going' } }),
    200,
  );
  // deleting: going / maybe users hear of it, the not_going one and the deleter do not
  const sock = await SioClient.connect(t, c.member.accessToken);
  try {
    await barrier(t, `space:${c.space.id}`, [sock]);
    await expectStatus(t.api('DELETE', url, { token: c.member.accessToken }), 403);
    await expectStatus(t.api('DELETE', url, { token: c.manager.accessToken }), 204);
    assert.deepEqual(await sock.waitFor('calendar:event_deleted', (d) => d.eventId === e.id, 10_000), {
      eventId: e.id,
      spaceId: c.space.id,
    });
  } finally {
    await sock.close();
  }
  for (const u of [c.member, other]) {
    const [n] = await notificationsFor(t, u, 'event_cancelled', e.id);
    assert.equal(n.data.eventName, e.name);
    assert.equal(n.data.eventDate, day(4));
  }
  assert.deepEqual(await currentNotifications(t, c.space.owner, 'event_cancelled', e.id), []);
  assert.deepEqual(await currentNotifications(t, c.manager, 'event_cancelled', e.id), []);
  await expectStatus(t.api('GET', url, { token: c.member.accessToken }), 404);
});

test('event image: cropped to 16:9, at most 1280×720 JPEG; not an image is 400', async () => {
  const c = await calendarSpace(t);
  const png = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#3366ff' } })
    .png()
    .toBuffer();
  const form = new FormData();
  form.append('image', new Blob([png], { type: 'image/png' }), 'big.png');
  const r = await expectStatus(
    t.api('POST', `/spaces/${c.space.id}/calendar/events/upload-image`, {
      token: c.manager.accessToken,
      raw: form,
    }),
    200,
  );
  assert.match(r.url, /^\/uploads\/calendar\/\d+\.jpg$/);
  const img = await fetch(`${t.url}${r.url}`);
  assert.equal(img.status, 200);
  const meta = await sharp(Buffer.from(await img.arrayBuffer())).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 1280, 720]);
  const small = await sharp({ create: { width: 400, height: 100, channels: 3, background: '#000' } })
    .png()
    .toBuffer();
  const f2 = new FormData();
  f2.append('image', new Blob([small], { type: 'image/png' }), 'wide.png');
  const r2 = await expectStatus(
    t.api('POST', `/spaces/${c.space.id}/calendar/events/upload-image`, {
      token: c.manager.accessToken,
      raw: f2,
    }),
    200,
  );
  const m2 = await sharp(Buffer.from(await (await fetch(`${t.url}${r2.url}`)).arrayBuffer())).metadata();
  assert.deepEqual([m2.width, m2.height], [177, 100]);
  const f3 = new FormData();
  f3.append('image', new Blob([Buffer.from('not an image')], { type: 'image/png' }), 'x.png');
  assert.equal(
    (
      await t.api('POST', `/spaces/${c.space.id}/calendar/events/upload-image`, {
        token: c.manager.accessToken,
        raw: f3,
      })
    ).status,
    400,
  );
  const f4 = new FormData();
  f4.append('image', new Blob([png], { type: 'image/png' }), 'big.png');
  assert.equal(
    (
      await t.api('POST', `/spaces/${c.space.id}/calendar/events/upload-image`, {
        token: c.member.accessToken,
        raw: f4,
      })
    ).status,
    403,
  );
});
