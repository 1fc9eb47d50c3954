import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import { sql } from 'kysely';
import { TestContext, uniq } from '../context.ts';
import { expectStatus } from '../spaces/helpers.ts';
import { registerUser } from '../helpers/users.ts';
import { calendarSpace, createEvent } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({
    env: { ACTOR_ASK_TIMEOUT_MS: '20000', PUBLIC_URL: 'https://app.example.test' },
  });
});
after(() => t.close());

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

interface Parsed {
  uid: string;
  summary: string;
  start: string;
  isDate: boolean;
  description: string;
  meetingUrl: string | null;
  status: string | null;
}

/** Parse the feed back with ical.js (an independent RFC 5545 parser). */
function parseFeed(text: string): Parsed[] {
  const cal = new ICAL.Component(ICAL.parse(text));
  assert.equal(cal.name, 'vcalendar');
  assert.equal(cal.getFirstPropertyValue('version'), '2.0');
  assert.ok(cal.getFirstPropertyValue('prodid'));
  return cal.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    const stamp = v.getFirstPropertyValue('dtstamp') as ICAL.Time;
    assert.ok(stamp, 'DTSTAMP is required');
    assert.equal(stamp.zone?.tzid, 'UTC', 'DTSTAMP is UTC');
    const url = v.getFirstPropertyValue('x-meeting-url');
    const status = v.getFirstPropertyValue('status');
    return {
      uid: e.uid,
      summary: e.summary,
      start: e.startDate.toString(),
      isDate: e.startDate.isDate,
      description: e.description ?? '',
      meetingUrl: typeof url === 'string' ? url : null,
      status: typeof status === 'string' ? status : null,
    };
  });
}

test('ICS feed: RFC 5545 parsed back, 6 months back to 12 forward, public only for anonymous, X-MEETING-URL', async () => {
  const c = await calendarSpace(t, { allowPublicCalendar: true });
  // The `timezone` admin setting (API-DECISIONS) is not editable through admin-settings yet: set it in the row.
  await sql`update spaces set settings = settings || '{"timezone":"Europe/Berlin"}'::jsonb where id = ${c.space.id}`.execute(
    t.reef.engine.db.db,
  );
  const pub = await createEvent(t, c, {
    name: 'Public ride',
    eventDate: '2026-12-10',
    eventTime: '18:30',
    endTime: '20:00',
    isPublic: true,
    description: 'Bring lights',
    meetingRoomEnabled: true,
    meetingPublicAccess: true,
  });
  const priv = await createEvent(t, c, { name: 'Members only', eventDate: day(10), isPublic: false });
  const tooOld = await createEvent(t, c, { name: 'Old', eventDate: day(-200), isPublic: true });
  const tooFar = await createEvent(t, c, { name: 'Far', eventDate: day(380), isPublic: true });
  const inWindow = await createEvent(t, c, {
    name: 'Recent; with, commas',
    eventDate: day(-150),
    isPublic: true,
  });
  const dropped = await createEvent(t, c, {
    name: 'Dropped',
    eventDate: day(20),
    eventTime: '08:00',
    isPublic: true,
  });
  await expectStatus(
    t.api('POST', `/spaces/${c.space.id}/calendar/events/${dropped.id}/cancel`, {
      token: c.manager.accessToken,
    }),
    200,
  );
  const feedUrl = `/boards/calendar/${c.space.slug}/feed.ics`;
  const anon = await t.api('GET', feedUrl);
  assert.equal(anon.status, 200);
  assert.match(anon.headers.get('content-type') ?? '', /^text\/calendar/);
  const events = parseFeed(anon.text);
  const host = 'app.example.test';
  const ids = events.map((e) => e.uid).sort();
  assert.deepEqual(ids, [`${pub.id}@${host}`, `${inWindow.id}@${host}`, `${dropped.id}@${host}`].sort());
  const d = events.find((e) => e.uid === `${dropped.id}@${host}`)!;
  assert.equal(d.status, 'CANCELLED');
  assert.ok(
    !ids.includes(`${priv.id}@${host}`) &&
      !ids.includes(`${tooOld.id}@${host}`) &&
      !ids.includes(`${tooFar.id}@${host}`),
  );
  const p = events.find((e) => e.uid === `${pub.id}@${host}`)!;
  // 18:30 in Berlin (CET, UTC+1 in December) is 17:30Z
  assert.equal(p.start, '2026-12-10T17:30:00Z');
  assert.equal(p.summary, 'Public ride');
  const link = `https://app.example.test/public/calendar/${encodeURIComponent(c.space.slug)}/events/${pub.id}/meeting`;
  assert.equal(p.meetingUrl, link);
  assert.ok(p.description.startsWith('Bring lights') && p.description.includes(link));
  const r = events.find((e) => e.uid === `${inWindow.id}@${host}`)!;
  assert.equal(r.summary, 'Recent; with, commas');
  assert.equal(r.isDate, true, 'no time: an all-day DATE');
  assert.equal(r.meetingUrl, null);
  // a member sees every event in the window, private ones too
  const member = parseFeed((await t.api('GET', feedUrl, { token: c.member.accessToken })).text);
  assert.ok(member.some((e) => e.uid === `${priv.id}@${host}`));
  assert.equal(member.length, 4);
  // without allowPublicCalendar: 404
  const closed = await calendarSpace(t);
  assert.equal((await t.api('GET', `/boards/calendar/${closed.space.slug}/feed.ics`)).status, 404);
});

test('public calendar JSON: allowPublicCalendar, anonymous needs allowAnonymousBrowsing, members see all', async () => {
  const c = await calendarSpace(t, { allowPublicCalendar: true });
  await expectStatus(
    t.api('POST', `/spaces/${c.space.id}/calendar/categories`, {
      token: c.manager.accessToken,
      body: { name: 'Rides', color: '#123456' },
    }),
    201,
  );
  const pub = await createEvent(t, c, { name: 'open', eventDate: day(3), isPublic: true });
  const priv = await createEvent(t, c, { name: 'closed', eventDate: day(4) });
  const base = `/boards/calendar/${c.space.slug}`;
  assert.equal((await t.api('GET', base)).status, 401);
  const stranger = await registerUser(t);
  const info = await expectStatus(t.api('GET', base, { token: stranger.accessToken }), 200);
  assert.equal(info.space.id, c.space.id);
  assert.deepEqual(
    info.categories.map((x: any) => [x.name, x.color]),
    [['Rides', '#123456']],
  );
  const range = `${base}/events?from=${day(0)}&to=${day(10)}`;
  const seen = await expectStatus(t.api('GET', range, { token: stranger.accessToken }), 200);
  assert.deepEqual(
    seen.map((e: any) => e.id),
    [pub.id],
  );
  const all = await expectStatus(t.api('GET', range, { token: c.member.accessToken }), 200);
  assert.deepEqual(
    all.map((e: any) => e.id),
    [pub.id, priv.id],
  );
  await expectStatus(
    t.api('PUT', `/spaces/${c.space.id}/admin-settings`, {
      token: c.space.owner.accessToken,
      body: { allowAnonymousBrowsing: true },
    }),
    200,
  );
  const anon = await expectStatus(t.api('GET', range), 200);
  assert.deepEqual(
    anon.map((e: any) => e.id),
    [pub.id],
  );
});

test('aggregated upcoming: calendarEnabled spaces only, not_going excluded, space metadata', async () => {
  const on = await calendarSpace(t, { calendarEnabled: true });
  const off = await calendarSpace(t);
  const a = await createEvent(t, on, { name: 'A', eventDate: day(2), eventTime: '10:00' });
  const b = await createEvent(t, on, { name: 'B', eventDate: day(1) });
  const skipped = await createEvent(t, on, { name: 'skip', eventDate: day(3) });
  await createEvent(t, off, { name: 'hidden', eventDate: day(1) });
  await createEvent(t, on, { name: 'past', eventDate: day(-1) });
  await expectStatus(
    t.api('POST', `/spaces/${on.space.id}/calendar/events/${skipped.id}/rsvp`, {
      token: on.member.accessToken,
      body: { status: 'not_going' },
    }),
    200,
  );
  await expectStatus(
    t.api('POST', `/spaces/${on.space.id}/calendar/events/${a.id}/rsvp`, {
      token: on.member.accessToken,
      body: { status: 'going' },
    }),
    200,
  );
  const up = await expectStatus(
    t.api('GET', '/users/me/events/upcoming', { token: on.member.accessToken }),
    200,
  );
  assert.deepEqual(
    up.map((e: any) => e.id),
    [b.id, a.id],
  );
  assert.equal(up[0].spaceSlug, on.space.slug);
  assert.ok(up[0].spaceName);
  assert.equal(up[1].myRsvp, 'going');
  assert.deepEqual(up[1].rsvpCounts, { going: 1, maybe: 0, notGoing: 0 });
  assert.equal(
    (await t.api('GET', '/users/me/events/upcoming?limit=0', { token: on.member.accessToken })).status,
    400,
  );
});

test('personal events: CRUD, categories, meeting room needs times, visibility to others, copy to a space', async () => {
  const c = await calendarSpace(t);
  const me = c.manager;
  const base = '/users/me/collections/events';
  const cat = await expectStatus(
    t.api('POST', `${base}/categories`, { token: me.accessToken, body: { name: 'Work', color: '#abcdef' } }),
    201,
  );
  assert.equal(
    (await t.api('POST', `${base}/categories`, { token: me.accessToken, body: { name: 'x', color: 'blue' } }))
      .status,
    400,
  );
  const noTimes = await t.api('POST', base, {
    token: me.accessToken,
    body: { name: 'Call', eventDate: day(1), meetingRoomEnabled: true },
  });
  assert.equal(noTimes.status, 400);
  const e = await expectStatus(
    t.api('POST', base, {
      token: me.accessToken,
      body: {
        name: uniq('Call'),
        eventDate: day(1),
        eventTime: '09:00',
        endTime: '10:00',
        meetingRoomEnabled: true,
        meetingRoomEarlyEntry: 10,
        categoryId: cat.id,
        visibility: 'public',
      },
    }),
    201,
  );
  assert.deepEqual(e.category, { id: cat.id, name: 'Work', color: '#ABCDEF' });
  const secret = await expectStatus(
    t.api('POST', base, {
      token: me.accessToken,
      body: { name: 'Secret', eventDate: day(2), visibility: 'private' },
    }),
    201,
  );
  const info = await t.reef.services.calendar.meetingEvents.personalEvent(t.reef.engine.db.db, e.id);
  assert.deepEqual([info?.ownerId, info?.meetingRoomEnabled, info?.earlyEntry], [me.id, true, 10]);
  const patched = await expectStatus(
    t.api('PATCH', `${base}/${e.id}`, { token: me.accessToken, body: { location: 'Online' } }),
    200,
  );
  assert.equal(patched.location, 'Online');
  assert.equal(
    (await t.api('PATCH', `${base}/${e.id}`, { token: c.member.accessToken, body: { location: 'x' } }))
      .status,
    404,
  );
  const mine = await expectStatus(t.api('GET', base, { token: me.accessToken }), 200);
  assert.deepEqual(
    mine.map((x: any) => x.id),
    [e.id, secret.id],
  );
  const theirs = await expectStatus(
    t.api('GET', `/users/${me.id}/collections/events`, { token: c.member.accessToken }),
    200,
  );
  assert.deepEqual(
    theirs.map((x: any) => x.id),
    [e.id],
  );
  // copy to the space calendar: MANAGE_CALENDAR there
  const copied = await expectStatus(
    t.api('POST', `${base}/${e.id}/copy`, { token: me.accessToken, body: { spaceId: c.space.id } }),
    201,
  );
  assert.deepEqual(
    [copied.name, copied.spaceId, copied.eventTime, copied.endTime],
    [e.name, c.space.id, '09:00', '10:00'],
  );
  const memberPersonal = await expectStatus(
    t.api('POST', base, { token: c.member.accessToken, body: { name: 'mine', eventDate: day(1) } }),
    201,
  );
  assert.equal(
    (
      await t.api('POST', `${base}/${memberPersonal.id}/copy`, {
        token: c.member.accessToken,
        body: { spaceId: c.space.id },
      })
    ).status,
    403,
  );
  await expectStatus(t.api('DELETE', `${base}/${e.id}`, { token: me.accessToken }), 204);
  await expectStatus(t.api('DELETE', `${base}/categories/${cat.id}`, { token: me.accessToken }), 204);
  assert.deepEqual(
    await expectStatus(t.api('GET', `${base}/categories`, { token: me.accessToken }), 200),
    [],
  );
});
