/**
 * Timeline events (timeline-api "User Timeline API") in reef's API: recommendation, notification
 * (approved users and admins only), review, personal recommendation (chosen followers only); the
 * feed with min_ts / max_ts / count (TIMELINE_FEED_DEFAULT 3, TIMELINE_FEED_MAX 5 here); hide /
 * unhide; delete. Every visibility rule is checked from another user's view.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../engine/clock.ts';
import { TestContext } from '../context.ts';
import { registerAdmin, registerUsers, type TestUser } from '../helpers/users.ts';
import { follow, setPreferences } from '../social/helpers.ts';
import { notifications, ok } from './helpers.ts';

let t: TestContext;
const clock = new ManualClock(Date.now());
before(async () => {
  t = await TestContext.start({ clock, env: { TIMELINE_FEED_DEFAULT: '3', TIMELINE_FEED_MAX: '5' } });
});
after(async () => {
  await t.close();
});

/** Each event 10 s after the previous one, so timestamps order them. */
async function recommend(u: TestUser, metadata: Record<string, unknown>): Promise<any> {
  clock.advance(10_000);
  return ok(
    t.api('POST', '/timeline/events/recommendation', { token: u.accessToken, body: { metadata } }),
    201,
  );
}
const feed = (u: TestUser, q = '') => ok<any[]>(t.api('GET', `/timeline/feed${q}`, { token: u.accessToken }));
const ids = (evs: any[]) => evs.map((e) => e.id);

test('a recommendation: seen by the author and their followers only', async () => {
  const [author, fan, stranger] = await registerUsers(t, 3);
  await follow(t, fan!, author!);
  const ev = await recommend(author!, { recording_mbid: 'mbid-1', title: 'Song' });
  assert.equal(ev.eventType, 'recommendation');
  assert.equal(ev.userId, author!.id);
  assert.equal(ev.username, author!.username);
  assert.deepEqual(ev.metadata, { recording_mbid: 'mbid-1', title: 'Song' });
  assert.equal(ev.hidden, false);
  assert.equal(ev.created, Math.floor(Date.parse(ev.createdAt) / 1000));

  assert.deepEqual(ids(await feed(author!)), [ev.id]);
  assert.deepEqual(ids(await feed(fan!)), [ev.id]);
  assert.deepEqual(await feed(stranger!), []);
  assert.deepEqual(
    ids(await ok<any[]>(t.api('GET', `/timeline/users/${author!.id}/events`, { token: fan!.accessToken }))),
    [ev.id],
  );
  const denied = await t.api('GET', `/timeline/users/${author!.id}/events`, { token: stranger!.accessToken });
  assert.equal(denied.status, 403);
  assert.equal(
    (await t.api('GET', '/timeline/users/987654321012345678/events', { token: fan!.accessToken })).status,
    404,
  );

  // Unfollowing takes the events away.
  await ok(t.api('DELETE', `/follows/${author!.id}`, { token: fan!.accessToken }), 204);
  assert.deepEqual(await feed(fan!), []);

  for (const metadata of [{}, { nested: { no: 1 } }, 'x']) {
    const bad = await t.api('POST', '/timeline/events/recommendation', {
      token: author!.accessToken,
      body: { metadata },
    });
    assert.equal(bad.status, 400, JSON.stringify(metadata));
  }
  assert.equal(
    (await t.api('POST', '/timeline/events/recommendation', { body: { metadata: { a: 1 } } })).status,
    401,
  );
});

test('notification events: admins and approved users only, on a user’s timeline', async () => {
  const admin = await registerAdmin(t);
  const [poster, target, fan, stranger] = await registerUsers(t, 4);
  await follow(t, fan!, target!);
  const body = { message: 'Check the new release', userId: target!.id };
  const denied = await t.api('POST', '/timeline/events/notification', { token: poster!.accessToken, body });
  assert.equal(denied.status, 403);
  assert.equal((denied.body as any).error.code, 'FORBIDDEN');

  clock.advance(10_000);
  const byAdmin = await ok(
    t.api('POST', '/timeline/events/notification', { token: admin.accessToken, body }),
    201,
  );
  assert.equal(byAdmin.eventType, 'notification');
  assert.equal(byAdmin.userId, target!.id);
  assert.deepEqual(byAdmin.metadata, {
    message: 'Check the new release',
    creator: admin.username,
    creatorId: admin.id,
  });

  // An admin approves the poster; then they may post.
  assert.equal(
    (await t.api('PUT', `/timeline/approved/${poster!.id}`, { token: poster!.accessToken })).status,
    403,
  );
  const approved = await ok(t.api('PUT', `/timeline/approved/${poster!.id}`, { token: admin.accessToken }));
  assert.equal(approved.username, poster!.username);
  assert.ok(
    (await ok<any[]>(t.api('GET', '/timeline/approved', { token: admin.accessToken }))).some(
      (u) => u.id === poster!.id,
    ),
  );
  clock.advance(10_000);
  const byPoster = await ok(
    t.api('POST', '/timeline/events/notification', { token: poster!.accessToken, body }),
    201,
  );
  assert.equal(byPoster.metadata.creator, poster!.username);

  // Seen on the target's timeline by the target and their followers.
  assert.deepEqual(ids(await feed(target!)), [byPoster.id, byAdmin.id]);
  assert.deepEqual(ids(await feed(fan!)), [byPoster.id, byAdmin.id]);
  assert.deepEqual(await feed(stranger!), []);
  assert.deepEqual(await feed(poster!), [], 'the creator does not follow the target');

  assert.equal(
    (await t.api('DELETE', `/timeline/approved/${poster!.id}`, { token: admin.accessToken })).status,
    204,
  );
  assert.equal(
    (await t.api('POST', '/timeline/events/notification', { token: poster!.accessToken, body })).status,
    403,
  );
  const unknown = await t.api('POST', '/timeline/events/notification', {
    token: admin.accessToken,
    body: { message: 'x', userId: '987654321012345678' },
  });
  assert.equal(unknown.status, 404);
});

test('review events: entity, text, language, rating', async () => {
  const [critic, fan] = await registerUsers(t, 2);
  await follow(t, fan!, critic!);
  const review = {
    entityName: 'Blue Train',
    entityId: '0b8b3f6e-5b6a-4e1b-a7a2-1f0f1f1f1f1f',
    entityType: 'release_group',
    text: 'A classic record, warm and alive.',
    language: 'en',
    rating: 5,
  };
  clock.advance(10_000);
  const ev = await ok(
    t.api('POST', '/timeline/events/review', { token: critic!.accessToken, body: review }),
    201,
  );
  assert.equal(ev.eventType, 'review');
  assert.deepEqual(ev.metadata, review);
  assert.deepEqual((await feed(fan!))[0].metadata, review);
  for (const bad of [
    { ...review, rating: 6 },
    { ...review, language: 'English' },
    { ...review, text: '' },
    { entityName: 'x', entityId: 'y', text: 'z', language: 'en' },
  ]) {
    const res = await t.api('POST', '/timeline/events/review', { token: critic!.accessToken, body: bad });
    assert.equal(res.status, 400, JSON.stringify(bad));
    assert.equal((res.body as any).error.code, 'VALIDATION_ERROR');
  }
});

test('personal recommendations: to chosen followers only; each recipient is notified', async () => {
  const [author, chosen, otherFan, notFan] = await registerUsers(t, 4);
  await follow(t, chosen!, author!);
  await follow(t, otherFan!, author!);
  const body = {
    metadata: { recording_mbid: 'mbid-p' },
    userIds: [chosen!.id],
    blurbContent: 'you will love this',
  };

  const refused = await t.api('POST', '/timeline/events/personal-recommendation', {
    token: author!.accessToken,
    body: { ...body, userIds: [chosen!.id, notFan!.id] },
  });
  assert.equal(refused.status, 400);
  assert.deepEqual((refused.body as any).error.data.userIds, [notFan!.id]);
  assert.equal(
    (
      await t.api('POST', '/timeline/events/personal-recommendation', {
        token: author!.accessToken,
        body: { ...body, userIds: [] },
      })
    ).status,
    400,
  );

  clock.advance(10_000);
  const ev = await ok(
    t.api('POST', '/timeline/events/personal-recommendation', { token: author!.accessToken, body }),
    201,
  );
  assert.equal(ev.eventType, 'personal_recommendation');
  assert.deepEqual(ev.metadata, {
    recording_mbid: 'mbid-p',
    blurbContent: 'you will love this',
    users: [chosen!.username],
    userIds: [chosen!.id],
  });
  assert.deepEqual(ids(await feed(chosen!)), [ev.id]);
  assert.deepEqual(await feed(otherFan!), [], 'a follower who was not chosen does not see it');
  assert.deepEqual(await feed(notFan!), []);
  assert.deepEqual(ids(await feed(author!)), [ev.id]);

  const n = (await notifications(t, chosen!)).filter((x) => x.type === 'personal_recommendation');
  assert.equal(n.length, 1);
  assert.equal(n[0].data.eventId, ev.id);
  assert.equal(n[0].data.actorUsername, author!.username);
  assert.deepEqual(
    (await notifications(t, otherFan!)).filter((x) => x.type === 'personal_recommendation'),
    [],
  );
});

test('the feed merges own and followed users’ events; count default / max; min_ts / max_ts', async () => {
  const [me, a, b, unfollowed] = await registerUsers(t, 4);
  await follow(t, me!, a!);
  await follow(t, me!, b!);
  const e1 = await recommend(a!, { n: 1 });
  const e2 = await recommend(me!, { n: 2 });
  const e3 = await recommend(b!, { n: 3 });
  await recommend(unfollowed!, { n: 99 });
  const e4 = await recommend(a!, { n: 4 });
  const e5 = await recommend(b!, { n: 5 });
  const e6 = await recommend(me!, { n: 6 });

  assert.deepEqual(ids(await feed(me!)), [e6.id, e5.id, e4.id], 'default count 3, newest first');
  assert.deepEqual(ids(await feed(me!, '?count=5')), [e6.id, e5.id, e4.id, e3.id, e2.id]);
  const tooMany = await t.api('GET', '/timeline/feed?count=6', { token: me!.accessToken });
  assert.equal(tooMany.status, 400);
  assert.equal((tooMany.body as any).error.data.max, 5);
  assert.equal((await t.api('GET', '/timeline/feed?count=0', { token: me!.accessToken })).status, 400);
  assert.equal((await t.api('GET', '/timeline/feed?max_ts=soon', { token: me!.accessToken })).status, 400);

  // Exclusive bounds, in seconds.
  assert.deepEqual(ids(await feed(me!, `?max_ts=${e4.created}&count=5`)), [e3.id, e2.id, e1.id]);
  assert.deepEqual(ids(await feed(me!, `?min_ts=${e4.created}&count=5`)), [e6.id, e5.id]);
  assert.deepEqual(ids(await feed(me!, `?min_ts=${e1.created}&max_ts=${e4.created}`)), [e3.id, e2.id]);
  assert.equal(
    (
      await t.api('GET', `/timeline/feed?min_ts=${e4.created}&max_ts=${e1.created}`, {
        token: me!.accessToken,
      })
    ).status,
    400,
  );
});

test('hide / unhide: followed users’ recommendations only, per viewer', async () => {
  const [me, a, other] = await registerUsers(t, 3);
  await follow(t, me!, a!);
  await follow(t, other!, a!);
  const rec = await recommend(a!, { n: 'hide me' });
  clock.advance(10_000);
  const review = await ok(
    t.api('POST', '/timeline/events/review', {
      token: a!.accessToken,
      body: { entityName: 'n', entityId: 'i', entityType: 'recording', text: 'ok', language: 'en' },
    }),
    201,
  );
  const mine = await recommend(me!, { n: 'mine' });

  assert.deepEqual(
    await ok(
      t.api('POST', '/timeline/hidden', {
        token: me!.accessToken,
        body: { eventType: 'recommendation', eventId: rec.id },
      }),
    ),
    {
      hidden: true,
    },
  );
  const f = await feed(me!, '?count=5');
  assert.deepEqual(
    f.map((e) => [e.id, e.hidden]),
    [
      [mine.id, false],
      [review.id, false],
      [rec.id, true],
    ],
  );
  assert.equal((await feed(other!)).find((e) => e.id === rec.id).hidden, false, 'hiding is per viewer');

  const reviewHide = await t.api('POST', '/timeline/hidden', {
    token: me!.accessToken,
    body: { eventType: 'review', eventId: review.id },
  });
  assert.equal(reviewHide.status, 400);
  const ownHide = await t.api('POST', '/timeline/hidden', {
    token: me!.accessToken,
    body: { eventType: 'recommendation', eventId: mine.id },
  });
  assert.equal(ownHide.status, 400);
  const wrongType = await t.api('POST', '/timeline/hidden', {
    token: other!.accessToken,
    body: { eventType: 'recommendation', eventId: review.id },
  });
  assert.equal(wrongType.status, 404, 'no recommendation has that id');
  const [stranger] = await registerUsers(t, 1);
  const notFollowed = await t.api('POST', '/timeline/hidden', {
    token: stranger!.accessToken,
    body: { eventType: 'recommendation', eventId: rec.id },
  });
  assert.equal(notFollowed.status, 404);

  assert.equal((await t.api('DELETE', `/timeline/hidden/${rec.id}`, { token: me!.accessToken })).status, 204);
  assert.equal((await feed(me!, '?count=5')).find((e) => e.id === rec.id).hidden, false);
});

test('delete: one’s own events only', async () => {
  const [a, fan] = await registerUsers(t, 2);
  await follow(t, fan!, a!);
  const rec = await recommend(a!, { n: 'gone' });
  assert.equal(
    (await t.api('DELETE', `/timeline/events/${rec.id}`, { token: fan!.accessToken })).status,
    404,
  );
  assert.equal(
    (await t.api('DELETE', `/timeline/events/${rec.id}?eventType=review`, { token: a!.accessToken })).status,
    404,
  );
  assert.deepEqual(ids(await feed(fan!)), [rec.id]);
  assert.equal(
    (await t.api('DELETE', `/timeline/events/${rec.id}?eventType=recommendation`, { token: a!.accessToken }))
      .status,
    204,
  );
  assert.deepEqual(await feed(fan!), []);
  assert.deepEqual(await feed(a!), []);
  assert.equal((await t.api('DELETE', `/timeline/events/${rec.id}`, { token: a!.accessToken })).status, 404);
});

test('a pending follow request sees nothing and cannot be chosen for a personal recommendation', async () => {
  const [author, requester] = await registerUsers(t, 2);
  await setPreferences(t, author!, { followRequestPolicy: 'require_approval' });
  assert.equal(await follow(t, requester!, author!), 'pending');
  const rec = await recommend(author!, { n: 'for accepted followers' });
  assert.deepEqual(await feed(requester!), []);
  assert.equal(
    (await t.api('GET', `/timeline/users/${author!.id}/events`, { token: requester!.accessToken })).status,
    403,
  );
  const personal = await t.api('POST', '/timeline/events/personal-recommendation', {
    token: author!.accessToken,
    body: { metadata: { n: 1 }, userIds: [requester!.id] },
  });
  assert.equal(personal.status, 400);
  assert.deepEqual((personal.body as any).error.data.userIds, [requester!.id]);

  // Once accepted, the earlier event shows.
  await ok(t.api('POST', `/follows/requests/${requester!.id}/accept`, { token: author!.accessToken }));
  assert.deepEqual(ids(await feed(requester!)), [rec.id]);
});
