import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext, uniq } from '../context.ts';
import { expectStatus } from '../spaces/helpers.ts';
import { calendarSpace, currentNotifications, notificationsFor, type CalendarSpace } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { ACTOR_ASK_TIMEOUT_MS: '20000' } });
});
after(() => t.close());

function createSeries(c: CalendarSpace, body: Record<string, unknown>) {
  return expectStatus(
    t.api('POST', `/spaces/${c.space.id}/calendar/series`, { token: c.manager.accessToken, body }),
    201,
  );
}

async function occurrences(c: CalendarSpace, seriesId: string, from: string, to: string): Promise<any[]> {
  const all = await expectStatus(
    t.api('GET', `/spaces/${c.space.id}/calendar/events?from=${from}&to=${to}`, {
      token: c.member.accessToken,
    }),
    200,
  );
  return all.filter((e: any) => e.seriesId === seriesId);
}

const THIRD_FRIDAYS_2027 = [
  '2027-01-15',
  '2027-02-19',
  '2027-03-19',
  '2027-04-16',
  '2027-05-21',
  '2027-06-18',
  '2027-07-16',
  '2027-08-20',
  '2027-09-17',
  '2027-10-15',
  '2027-11-19',
  '2027-12-17',
];

test('the 3rd Friday of each month over a year produces exactly those dates; rule validation', async () => {
  const c = await calendarSpace(t);
  const s = await createSeries(c, {
    name: 'Club night',
    eventTime: '19:00',
    recurrenceRule: {
      freq: 'monthly',
      interval: 1,
      byDay: ['FR'],
      bySetPos: 3,
      dtstart: '2027-01-01',
      until: '2027-12-31',
    },
  });
  assert.equal(s.occurrenceCount, 12);
  assert.deepEqual(s.recurrenceRule, {
    freq: 'monthly',
    interval: 1,
    byDay: ['FR'],
    bySetPos: 3,
    dtstart: '2027-01-01',
    until: '2027-12-31',
  });
  const occ = await occurrences(c, s.id, '2027-01-01', '2027-12-31');
  assert.deepEqual(
    occ.map((e) => e.eventDate),
    THIRD_FRIDAYS_2027,
  );
  assert.ok(occ.every((e) => e.name === 'Club night' && e.eventTime === '19:00' && e.isOverride === false));
  const listed = await expectStatus(
    t.api('GET', `/spaces/${c.space.id}/calendar/series`, { token: c.member.accessToken }),
    200,
  );
  assert.deepEqual(
    listed.map((x: any) => x.id),
    [s.id],
  );
  // every 3 weeks on Friday (the spec's other example)
  const w = await createSeries(c, {
    name: 'Tri-weekly',
    recurrenceRule: {
      freq: 'weekly',
      interval: 3,
      byDay: ['FR'],
      dtstart: '2027-03-01',
      until: '2027-04-30',
    },
  });
  assert.deepEqual(
    (await occurrences(c, w.id, '2027-03-01', '2027-04-30')).map((e) => e.eventDate),
    ['2027-03-05', '2027-03-26', '2027-04-16'],
  );
  const url = `/spaces/${c.space.id}/calendar/series`;
  for (const rule of [
    { freq: 'daily', interval: 1, byDay: ['FR'], dtstart: '2027-01-01', until: '2027-02-01' },
    { freq: 'weekly', interval: 53, byDay: ['FR'], dtstart: '2027-01-01', until: '2027-02-01' },
    { freq: 'monthly', interval: 1, byDay: ['FR'], bySetPos: 6, dtstart: '2027-01-01', until: '2027-02-01' },
    { freq: 'weekly', interval: 1, byDay: ['XX'], dtstart: '2027-01-01', until: '2027-02-01' },
    { freq: 'weekly', interval: 1, byDay: ['FR'], dtstart: '2027-02-01', until: '2027-01-01' },
  ]) {
    const r = await t.api('POST', url, {
      token: c.manager.accessToken,
      body: { name: 'x', recurrenceRule: rule },
    });
    assert.equal(r.status, 400, JSON.stringify(rule));
  }
  assert.equal(
    (
      await t.api('POST', url, {
        token: c.member.accessToken,
        body: {
          name: 'x',
          recurrenceRule: {
            freq: 'weekly',
            interval: 1,
            byDay: ['FR'],
            dtstart: '2027-01-01',
            until: '2027-02-01',
          },
        },
      })
    ).status,
    403,
  );
});

test('an overridden occurrence survives a series update; others follow; rule changes add and drop dates', async () => {
  const c = await calendarSpace(t);
  const s = await createSeries(c, {
    name: 'Tuesday ride',
    eventTime: '18:00',
    location: 'Old bridge',
    recurrenceRule: {
      freq: 'weekly',
      interval: 1,
      byDay: ['TU'],
      dtstart: '2027-05-01',
      until: '2027-05-31',
    },
  });
  let occ = await occurrences(c, s.id, '2027-05-01', '2027-05-31');
  assert.deepEqual(
    occ.map((e) => e.eventDate),
    ['2027-05-04', '2027-05-11', '2027-05-18', '2027-05-25'],
  );
  // 1. override the 11th (moved time and name) through /override; edit the 18th through PATCH
  const o = await expectStatus(
    t.api('PATCH', `/spaces/${c.space.id}/calendar/events/${occ[1].id}/override`, {
      token: c.manager.accessToken,
      body: { name: 'Special ride', eventTime: '10:00' },
    }),
    200,
  );
  assert.equal(o.isOverride, true);
  const p = await expectStatus(
    t.api('PATCH', `/spaces/${c.space.id}/calendar/events/${occ[2].id}`, {
      token: c.manager.accessToken,
      body: { location: 'New bridge' },
    }),
    200,
  );
  assert.equal(p.isOverride, true);
  // 2. update the series (all): name, time, and the rule now also has Thursdays
  await expectStatus(
    t.api('PATCH', `/spaces/${c.space.id}/calendar/series/${s.id}`, {
      token: c.manager.accessToken,
      body: {
        name: 'Evening ride',
        eventTime: '19:00',
        recurrenceRule: {
          freq: 'weekly',
          interval: 1,
          byDay: ['TU', 'TH'],
          dtstart: '2027-05-01',
          until: '2027-05-20',
        },
      },
    }),
    200,
  );
  occ = await occurrences(c, s.id, '2027-05-01', '2027-05-31');
  assert.deepEqual(
    occ.map((e) => [e.eventDate, e.name, e.eventTime, e.location, e.isOverride]),
    [
      ['2027-05-04', 'Evening ride', '19:00', 'Old bridge', false],
      ['2027-05-06', 'Evening ride', '19:00', 'Old bridge', false],
      ['2027-05-11', 'Special ride', '10:00', 'Old bridge', true],
      ['2027-05-13', 'Evening ride', '19:00', 'Old bridge', false],
      ['2027-05-18', 'Tuesday ride', '18:00', 'New bridge', true],
      ['2027-05-20', 'Evening ride', '19:00', 'Old bridge', false],
    ],
    'overrides kept; the 25th left the rule; Thursdays added',
  );
  // 3. an occurrence deleted on its own does not come back on the next regeneration
  await expectStatus(
    t.api('DELETE', `/spaces/${c.space.id}/calendar/events/${occ[1].id}`, { token: c.manager.accessToken }),
    204,
  );
  await expectStatus(
    t.api('PATCH', `/spaces/${c.space.id}/calendar/series/${s.id}`, {
      token: c.manager.accessToken,
      body: { location: 'Quay' },
    }),
    200,
  );
  occ = await occurrences(c, s.id, '2027-05-01', '2027-05-31');
  assert.deepEqual(
    occ.map((e) => [e.eventDate, e.location]),
    [
      ['2027-05-04', 'Quay'],
      ['2027-05-11', 'Old bridge'],
      ['2027-05-13', 'Quay'],
      ['2027-05-18', 'New bridge'],
      ['2027-05-20', 'Quay'],
    ],
  );
  // 4. override is for series occurrences only
  const single = await expectStatus(
    t.api('POST', `/spaces/${c.space.id}/calendar/events`, {
      token: c.manager.accessToken,
      body: { name: 'one', eventDate: '2027-05-02' },
    }),
    201,
  );
  assert.equal(
    (
      await t.api('PATCH', `/spaces/${c.space.id}/calendar/events/${single.id}/override`, {
        token: c.manager.accessToken,
        body: { name: 'x' },
      })
    ).status,
    400,
  );
});

test('updateMode future leaves past occurrences alone', async () => {
  const c = await calendarSpace(t);
  const today = new Date().toISOString().slice(0, 10);
  const past = new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10);
  const future = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
  const all = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
  const s = await createSeries(c, {
    name: 'Daily-ish',
    recurrenceRule: { freq: 'weekly', interval: 1, byDay: all, dtstart: past, until: future },
  });
  await expectStatus(
    t.api('PATCH', `/spaces/${c.space.id}/calendar/series/${s.id}`, {
      token: c.manager.accessToken,
      body: { name: 'Renamed', updateMode: 'future' },
    }),
    200,
  );
  const occ = await occurrences(c, s.id, past, future);
  assert.equal(occ.length, 41);
  for (const e of occ) assert.equal(e.name, e.eventDate >= today ? 'Renamed' : 'Daily-ish', e.eventDate);
});

test('cancelling an occurrence notifies RSVP’d users once; deleting a series deletes its occurrences', async () => {
  const c = await calendarSpace(t);
  const s = await createSeries(c, {
    name: uniq('Walk'),
    recurrenceRule: {
      freq: 'weekly',
      interval: 2,
      byDay: ['SA'],
      dtstart: '2027-06-01',
      until: '2027-06-30',
    },
  });
  const occ = await occurrences(c, s.id, '2027-06-01', '2027-06-30');
  assert.deepEqual(
    occ.map((e) => e.eventDate),
    ['2027-06-05', '2027-06-19'],
  );
  const target = occ[0];
  const url = `/spaces/${c.space.id}/calendar/events/${target.id}`;
  await expectStatus(
    t.api('POST', `${url}/rsvp`, { token: c.member.accessToken, body: { status: 'going' } }),
    200,
  );
  await expectStatus(
    t.api('POST', `${url}/rsvp`, { token: c.claimer.accessToken, body: { status: 'not_going' } }),
    200,
  );
  assert.equal((await t.api('POST', `${url}/cancel`, { token: c.member.accessToken })).status, 403);
  const cancelled = await expectStatus(t.api('POST', `${url}/cancel`, { token: c.manager.accessToken }), 200);
  assert.equal(cancelled.isCancelled, true);
  assert.equal(cancelled.isOverride, true);
  await expectStatus(t.api('POST', `${url}/cancel`, { token: c.manager.accessToken }), 200);
  const [n] = await notificationsFor(t, c.member, 'event_cancelled', target.id);
  assert.equal(n.data.eventName, s.name);
  assert.equal(n.data.eventDate, '2027-06-05');
  assert.equal((await currentNotifications(t, c.member, 'event_cancelled', target.id)).length, 1, 'once');
  assert.deepEqual(await currentNotifications(t, c.claimer, 'event_cancelled', target.id), []);
  // a series update keeps the cancelled occurrence cancelled
  await expectStatus(
    t.api('PATCH', `/spaces/${c.space.id}/calendar/series/${s.id}`, {
      token: c.manager.accessToken,
      body: { location: 'Park' },
    }),
    200,
  );
  const after = await expectStatus(t.api('GET', url, { token: c.member.accessToken }), 200);
  assert.equal(after.isCancelled, true);
  // delete the series: its occurrences go with it
  await expectStatus(
    t.api('DELETE', `/spaces/${c.space.id}/calendar/series/${s.id}`, { token: c.manager.accessToken }),
    204,
  );
  assert.deepEqual(await occurrences(c, s.id, '2027-06-01', '2027-06-30'), []);
  await expectStatus(t.api('GET', url, { token: c.member.accessToken }), 404);
  const rows = await t.reef.engine.db.db
    .selectFrom('calendar_events')
    .select('id')
    .where('series_id', '=', s.id)
    .execute();
  assert.equal(rows.length, 0);
});
