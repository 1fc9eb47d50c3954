import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext, uniq } from '../context.ts';
import { addMember, expectStatus } from '../spaces/helpers.ts';
import { calendarSpace, createEvent, currentNotifications, notificationsFor } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { ACTOR_ASK_TIMEOUT_MS: '20000' } });
});
after(() => t.close());

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

test('organizerNeeded needs an activityType; creating one notifies CLAIM_EVENTS holders only', async () => {
  const c = await calendarSpace(t);
  const bad = await t.api('POST', `/spaces/${c.space.id}/calendar/events`, {
    token: c.manager.accessToken,
    body: { name: 'Talk', eventDate: day(3), organizerNeeded: true },
  });
  assert.equal(bad.status, 400);
  const e = await createEvent(t, c, {
    name: uniq('Ride'),
    eventDate: day(3),
    activityType: 'ride',
    organizerNeeded: true,
    organizerId: c.member.id,
  });
  assert.equal(e.organizerNeeded, true);
  assert.equal(e.organizerId, null, 'organizerNeeded forces organizerId to null');
  for (const u of [c.claimer, c.space.owner]) {
    const [n] = await notificationsFor(t, u, 'event_organizer_needed', e.id);
    assert.equal(n.data.activityType, 'ride');
    assert.equal(n.data.eventName, e.name);
  }
  await notificationsFor(t, c.member, 'new_event', e.id);
  assert.deepEqual(await currentNotifications(t, c.member, 'event_organizer_needed', e.id), []);
  assert.deepEqual(await currentNotifications(t, c.manager, 'event_organizer_needed', e.id), []);
});

test('needing-organizer lists, claim, organizer edits only description/location/routeId, release notifies', async () => {
  const c = await calendarSpace(t);
  const e = await createEvent(t, c, {
    name: uniq('Run'),
    eventDate: day(2),
    activityType: 'run',
    organizerNeeded: true,
  });
  const other = await createEvent(t, c, { name: 'not flagged', eventDate: day(1), activityType: 'run' });
  const url = `/spaces/${c.space.id}/calendar/events`;
  assert.equal((await t.api('GET', `${url}/needing-organizer`, { token: c.member.accessToken })).status, 403);
  const needing = await expectStatus(
    t.api('GET', `${url}/needing-organizer`, { token: c.claimer.accessToken }),
    200,
  );
  assert.deepEqual(
    needing.map((x: any) => x.id),
    [e.id],
  );
  const mine = await expectStatus(
    t.api('GET', '/users/me/events/needing-organizer', { token: c.claimer.accessToken }),
    200,
  );
  assert.deepEqual(
    mine.map((x: any) => [x.id, x.spaceSlug]),
    [[e.id, c.space.slug]],
  );
  assert.deepEqual(
    await expectStatus(
      t.api('GET', '/users/me/events/needing-organizer', { token: c.member.accessToken }),
      200,
    ),
    [],
  );
  // claim
  assert.equal((await t.api('POST', `${url}/${e.id}/claim`, { token: c.member.accessToken })).status, 403);
  assert.equal(
    (await t.api('POST', `${url}/${other.id}/claim`, { token: c.claimer.accessToken })).status,
    400,
  );
  const claimed = await expectStatus(
    t.api('POST', `${url}/${e.id}/claim`, { token: c.claimer.accessToken }),
    200,
  );
  assert.equal(claimed.organizerId, c.claimer.id);
  assert.equal(claimed.organizerNeeded, false);
  assert.equal(
    (await t.api('POST', `${url}/${e.id}/claim`, { token: c.space.owner.accessToken })).status,
    400,
  );
  // the organizer (CLAIM_EVENTS, no MANAGE_CALENDAR) edits description/location/routeId only
  const edited = await expectStatus(
    t.api('PATCH', `${url}/${e.id}`, {
      token: c.claimer.accessToken,
      body: { description: 'Meet at the gate', location: 'North gate' },
    }),
    200,
  );
  assert.deepEqual(
    [edited.description, edited.location, edited.name],
    ['Meet at the gate', 'North gate', e.name],
  );
  const denied = await t.api('PATCH', `${url}/${e.id}`, {
    token: c.claimer.accessToken,
    body: { description: 'x', name: 'Renamed' },
  });
  assert.equal(denied.status, 403);
  assert.deepEqual(denied.body.error.data.fields, ['name']);
  assert.equal(
    (await t.api('PATCH', `${url}/${e.id}`, { token: c.member.accessToken, body: { location: 'x' } })).status,
    403,
  );
  assert.equal(
    (await expectStatus(t.api('GET', `${url}/${e.id}`, { token: c.member.accessToken }), 200)).name,
    e.name,
    'the refused edit changed nothing',
  );
  // release: only the organizer; CLAIM_EVENTS holders (not the releaser) hear of it
  assert.equal((await t.api('POST', `${url}/${e.id}/release`, { token: c.member.accessToken })).status, 403);
  const before = (await currentNotifications(t, c.space.owner, 'event_organizer_needed', e.id)).length;
  const released = await expectStatus(
    t.api('POST', `${url}/${e.id}/release`, { token: c.claimer.accessToken }),
    200,
  );
  assert.deepEqual([released.organizerId, released.organizerNeeded], [null, true]);
  await notificationsFor(t, c.space.owner, 'event_organizer_needed', e.id, before + 1);
  assert.deepEqual(
    await currentNotifications(t, c.claimer, 'event_organizer_needed', e.id).then((l) => l.length),
    1,
    'only the creation one',
  );
  // a manager flipping the flag on notifies; reassigning an organizer (any member) clears it
  const assigned = await expectStatus(
    t.api('PATCH', `${url}/${e.id}`, { token: c.manager.accessToken, body: { organizerId: c.member.id } }),
    200,
  );
  assert.deepEqual([assigned.organizerId, assigned.organizerNeeded], [c.member.id, false]);
  await expectStatus(
    t.api('PATCH', `${url}/${e.id}`, { token: c.manager.accessToken, body: { organizerNeeded: true } }),
    200,
  );
  await notificationsFor(t, c.claimer, 'event_organizer_needed', e.id, 2);
  const outsider = await t.api('PATCH', `${url}/${e.id}`, {
    token: c.manager.accessToken,
    body: { organizerId: (await addMember(t, c.space)).id, organizerNeeded: false },
  });
  assert.equal(outsider.status, 200);
});

test('series: occurrences carry the organizer pair, series-level toggles do not notify, claims survive regeneration', async () => {
  const c = await calendarSpace(t);
  const start = day(7);
  const end = day(40);
  const s = await expectStatus(
    t.api('POST', `/spaces/${c.space.id}/calendar/series`, {
      token: c.manager.accessToken,
      body: {
        name: uniq('Weekly walk'),
        activityType: 'walk',
        organizerNeeded: true,
        recurrenceRule: { freq: 'weekly', interval: 1, byDay: ['SU', 'WE'], dtstart: start, until: end },
      },
    }),
    201,
  );
  const list = async () =>
    (
      await expectStatus(
        t.api('GET', `/spaces/${c.space.id}/calendar/events?from=${start}&to=${end}`, {
          token: c.member.accessToken,
        }),
        200,
      )
    ).filter((e: any) => e.seriesId === s.id);
  const occ = await list();
  assert.ok(occ.length >= 8);
  assert.ok(occ.every((e: any) => e.organizerNeeded && e.organizerId === null));
  // claim one occurrence: it becomes an override
  const claimed = await expectStatus(
    t.api('POST', `/spaces/${c.space.id}/calendar/events/${occ[0].id}/claim`, {
      token: c.claimer.accessToken,
    }),
    200,
  );
  assert.equal(claimed.isOverride, true);
  // series-level toggle off, then on again: occurrences follow, nobody is notified
  for (const flag of [false, true])
    await expectStatus(
      t.api('PATCH', `/spaces/${c.space.id}/calendar/series/${s.id}`, {
        token: c.manager.accessToken,
        body: { organizerNeeded: flag },
      }),
      200,
    );
  const after = await list();
  assert.equal(after[0].organizerId, c.claimer.id, 'the claim survived');
  assert.equal(after[0].organizerNeeded, false);
  assert.ok(after.slice(1).every((e: any) => e.organizerNeeded === true));
  const all = await expectStatus(
    t.api('GET', '/notifications?limit=100', { token: c.space.owner.accessToken }),
    200,
  );
  assert.deepEqual(
    all.filter((n: any) => n.type === 'event_organizer_needed'),
    [],
  );
});
