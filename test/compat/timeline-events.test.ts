/**
 * spec/timeline-api.txt "User Timeline API" at /1/user/:userName, endpoint by endpoint: the four
 * timeline-event creates, feed/events (min_ts / max_ts / count), feed/events/listens/following and
 * /similar (listen events are activity posts), delete, hide, unhide — success shapes and each
 * documented status, errors as `{ code, error }`, `Authorization: Token <access token>`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../engine/clock.ts';
import { TestContext, uniq } from '../context.ts';
import { makeAdmin, registerUser, registerUsers, type TestUser } from '../helpers/users.ts';
import { createPost, ok } from '../social/helpers.ts';

// The clock starts now (ids derive from it: a fixed start would reuse ids of earlier runs in a shared
// database) and runs on a node id of its own, since it is moved ahead of other processes' clocks.
const clock = new ManualClock(Date.now());
let t: TestContext;
before(async () => {
  const nodeId = String(512 + Math.floor(Math.random() * 512));
  t = await TestContext.start({ clock, env: { ACCESS_TOKEN_TTL_S: '864000', NODE_ID: nodeId } });
});
after(async () => {
  await t.close();
});

const lb = (method: string, path: string, who?: TestUser | string, body?: unknown) =>
  t.api(method, `/1/user${path}`, {
    headers: who ? { authorization: `Token ${typeof who === 'string' ? who : who.accessToken}` } : {},
    ...(method === 'POST' ? { body: body ?? {} } : {}),
  });
const feed = async (u: TestUser, qs = '') =>
  (await ok(lb('GET', `/${u.username}/feed/events${qs}`, u))).payload;
const follow = (a: TestUser, b: TestUser) => ok(lb('POST', `/${b.username}/follow`, a));

function assertError(res: { status: number; body: any }, status: number) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.code, status);
  assert.equal(typeof res.body.error, 'string');
}

test('create/recording: the event; followers see it in feed/events, others do not; 400/401/404', async () => {
  const [a, b, c] = await registerUsers(t, 3);
  await follow(b!, a!);
  const mbid = uniq('mbid');
  const e = await ok(
    lb('POST', `/${a!.username}/timeline-event/create/recording`, a!, { metadata: { recording_mbid: mbid } }),
  );
  assert.equal(e.event_type, 'recording_recommendation');
  assert.equal(e.user_name, a!.username);
  assert.deepEqual(e.metadata, { recording_mbid: mbid });
  assert.equal(typeof e.created, 'number');
  assert.equal(typeof e.id, 'string');

  const fb = await feed(b!);
  assert.equal(fb.user_id, b!.username);
  const seen = fb.events.find((x: any) => x.id === e.id);
  assert.deepEqual(seen, { ...e, hidden: false });
  assert.equal((await feed(c!)).events.length, 0);
  // reef's own API sees the same event.
  const reef = await ok(t.api('GET', '/timeline/feed', { token: b!.accessToken }));
  assert.equal(reef[0].id, e.id);
  assert.equal(reef[0].eventType, 'recommendation');

  const path = `/${a!.username}/timeline-event/create/recording`;
  assertError(await lb('POST', path, a!, { metadata: { title: 'no ids' } }), 400);
  assertError(await lb('POST', path, a!, {}), 400);
  assertError(await lb('POST', path, undefined, { metadata: { recording_mbid: mbid } }), 401);
  assertError(await lb('POST', path, 'bad-token', { metadata: { recording_mbid: mbid } }), 401);
  // On behalf of someone else: 401.
  assertError(await lb('POST', path, b!, { metadata: { recording_mbid: mbid } }), 401);
  const missing = await lb('POST', '/no_such_user_zz/timeline-event/create/recording', a!, {
    metadata: { recording_mbid: mbid },
  });
  assert.deepEqual(missing.body, { code: 404, error: 'User not found' });
});

test('create/notification: approved users only (403 otherwise); lands on the named user’s timeline', async () => {
  const [admin, target, follower] = await registerUsers(t, 3);
  await makeAdmin(t, admin!.id);
  await follow(follower!, target!);
  const path = `/${target!.username}/timeline-event/create/notification`;
  assertError(await lb('POST', path, follower!, { metadata: { message: 'hi' } }), 403);
  assertError(await lb('POST', path, undefined, { metadata: { message: 'hi' } }), 401);
  assertError(await lb('POST', path, admin!, { metadata: {} }), 400);
  assertError(
    await lb('POST', '/no_such_user_zz/timeline-event/create/notification', admin!, {
      metadata: { message: 'x' },
    }),
    404,
  );
  const msg = `Check <a href="https://example.test">this</a> ${uniq('m')}`;
  assert.deepEqual(await ok(lb('POST', path, admin!, { metadata: { message: msg } })), { status: 'ok' });
  for (const u of [target!, follower!]) {
    const ev = (await feed(u)).events.find((x: any) => x.event_type === 'notification');
    assert.ok(ev, `${u.username} sees the notification`);
    assert.equal(ev.user_name, target!.username);
    assert.deepEqual(ev.metadata, { message: msg, creator: admin!.username });
  }
});

test('create/review: snake_case metadata in and out; 400 missing fields; 401; 404', async () => {
  const [a, b] = await registerUsers(t, 2);
  await follow(b!, a!);
  const metadata = {
    entity_name: 'Blue Train',
    entity_id: uniq('ent'),
    entity_type: 'release_group',
    text: 'A classic record with a great title track.',
    language: 'en',
    rating: 5,
  };
  const path = `/${a!.username}/timeline-event/create/review`;
  const e = await ok(lb('POST', path, a!, { metadata }));
  assert.equal(e.event_type, 'critiquebrainz_review');
  assert.deepEqual(e.metadata, metadata);
  const seen = (await feed(b!)).events.find((x: any) => x.id === e.id);
  assert.deepEqual(seen.metadata, metadata);
  assertError(await lb('POST', path, a!, { metadata: { ...metadata, text: undefined } }), 400);
  assertError(await lb('POST', path, a!, { metadata: { ...metadata, rating: 9 } }), 400);
  assertError(await lb('POST', path, undefined, { metadata }), 401);
  assertError(await lb('POST', path, b!, { metadata }), 401);
  assertError(await lb('POST', '/no_such_user_zz/timeline-event/create/review', a!, { metadata }), 404);
});

test('create/recommend-personal: to chosen followers only; others do not see it; 400/401/404', async () => {
  const [a, b, c, d] = await registerUsers(t, 4);
  await follow(b!, a!);
  await follow(c!, a!);
  const path = `/${a!.username}/timeline-event/create/recommend-personal`;
  const mbid = uniq('mbid');
  const e = await ok(
    lb('POST', path, a!, {
      metadata: { recording_mbid: mbid, users: [b!.username], blurb_content: 'you will love this' },
    }),
  );
  assert.equal(e.event_type, 'personal_recording_recommendation');
  assert.deepEqual(e.metadata, {
    recording_mbid: mbid,
    users: [b!.username],
    blurb_content: 'you will love this',
  });
  assert.ok((await feed(b!)).events.some((x: any) => x.id === e.id));
  // c follows a but was not chosen.
  assert.ok(!(await feed(c!)).events.some((x: any) => x.id === e.id));
  // d does not follow a: 400, nothing created.
  assertError(await lb('POST', path, a!, { metadata: { recording_mbid: mbid, users: [d!.username] } }), 400);
  assertError(
    await lb('POST', path, a!, { metadata: { recording_mbid: mbid, users: ['no_such_user_zz'] } }),
    400,
  );
  assertError(await lb('POST', path, a!, { metadata: { recording_mbid: mbid, users: [] } }), 400);
  assertError(await lb('POST', path, a!, { metadata: { users: [b!.username] } }), 400);
  assertError(
    await lb('POST', path, undefined, { metadata: { recording_mbid: mbid, users: [b!.username] } }),
    401,
  );
  assertError(await lb('POST', path, b!, { metadata: { recording_mbid: mbid, users: [b!.username] } }), 401);
  assertError(
    await lb('POST', '/no_such_user_zz/timeline-event/create/recommend-personal', a!, {
      metadata: { recording_mbid: mbid, users: [b!.username] },
    }),
    404,
  );
});

test('feed/events: own and followed users’ events, newest first; min_ts / max_ts / count; 400/401/403/404', async () => {
  const [a, b] = await registerUsers(t, 2);
  await follow(b!, a!);
  const created: any[] = [];
  for (let i = 0; i < 4; i++) {
    clock.advance(10_000);
    const who = i % 2 ? b! : a!;
    created.push(
      await ok(
        lb('POST', `/${who.username}/timeline-event/create/recording`, who, {
          metadata: { recording_mbid: `m${i}` },
        }),
      ),
    );
  }
  const all = await feed(b!);
  assert.equal(all.count, 4);
  assert.deepEqual(
    all.events.map((e: any) => e.metadata.recording_mbid),
    ['m3', 'm2', 'm1', 'm0'],
  );
  const two = await feed(b!, '?count=2');
  assert.equal(two.count, 2);
  assert.deepEqual(
    two.events.map((e: any) => e.id),
    [created[3].id, created[2].id],
  );
  // Exclusive bounds, in seconds.
  const mid = await feed(b!, `?min_ts=${created[0].created}&max_ts=${created[3].created}`);
  assert.deepEqual(
    mid.events.map((e: any) => e.id),
    [created[2].id, created[1].id],
  );
  // a does not follow b: only a's own events.
  assert.deepEqual(
    (await feed(a!)).events.map((e: any) => e.metadata.recording_mbid),
    ['m2', 'm0'],
  );

  assertError(await lb('GET', `/${b!.username}/feed/events?count=101`, b!), 400);
  assertError(await lb('GET', `/${b!.username}/feed/events?count=abc`, b!), 400);
  assertError(await lb('GET', `/${b!.username}/feed/events?min_ts=20&max_ts=10`, b!), 400);
  assertError(await lb('GET', `/${b!.username}/feed/events`), 401);
  assertError(await lb('GET', `/${b!.username}/feed/events`, 'bad-token'), 401);
  assertError(await lb('GET', `/${b!.username}/feed/events`, a!), 403);
  assertError(await lb('GET', '/no_such_user_zz/feed/events', a!), 404);
});

test('feed/events/delete: one’s own recommendation and notification; 400/401/404', async () => {
  const [a, b] = await registerUsers(t, 2);
  await makeAdmin(t, a!.id);
  await follow(b!, a!);
  const rec = await ok(
    lb('POST', `/${a!.username}/timeline-event/create/recording`, a!, {
      metadata: { recording_mbid: 'del' },
    }),
  );
  await ok(
    lb('POST', `/${a!.username}/timeline-event/create/notification`, a!, { metadata: { message: 'bye' } }),
  );
  const note = (await feed(a!)).events.find((e: any) => e.event_type === 'notification');
  const path = `/${a!.username}/feed/events/delete`;

  // Not theirs / wrong type: 404; unknown type: 400; b on a's behalf: 401.
  assertError(
    await lb('POST', `/${b!.username}/feed/events/delete`, b!, {
      event_type: 'recording_recommendation',
      id: rec.id,
    }),
    404,
  );
  assertError(await lb('POST', path, a!, { event_type: 'notification', id: rec.id }), 404);
  assertError(await lb('POST', path, a!, { event_type: 'listen', id: rec.id }), 400);
  assertError(await lb('POST', path, a!, { event_type: 'notification' }), 400);
  assertError(await lb('POST', path, b!, { event_type: 'recording_recommendation', id: rec.id }), 401);
  assertError(await lb('POST', path, undefined, { event_type: 'recording_recommendation', id: rec.id }), 401);
  assertError(
    await lb('POST', '/no_such_user_zz/feed/events/delete', a!, { event_type: 'notification', id: note.id }),
    404,
  );

  assert.deepEqual(await ok(lb('POST', path, a!, { event_type: 'recording_recommendation', id: rec.id })), {
    status: 'ok',
  });
  assert.deepEqual(await ok(lb('POST', path, a!, { event_type: 'notification', id: note.id })), {
    status: 'ok',
  });
  assert.deepEqual((await feed(a!)).events, []);
  assert.deepEqual((await feed(b!)).events, []);
});

test('feed/events/hide and unhide: a followed user’s recommendation is marked hidden, then not; 400/401/404', async () => {
  const [a, b] = await registerUsers(t, 2);
  await makeAdmin(t, a!.id);
  await follow(b!, a!);
  const rec = await ok(
    lb('POST', `/${a!.username}/timeline-event/create/recording`, a!, {
      metadata: { recording_mbid: 'hid' },
    }),
  );
  const hide = `/${b!.username}/feed/events/hide`;
  const unhide = `/${b!.username}/feed/events/unhide`;
  assert.deepEqual(
    await ok(lb('POST', hide, b!, { event_type: 'recording_recommendation', event_id: rec.id })),
    {
      status: 'ok',
    },
  );
  const hidden = (await feed(b!)).events.find((e: any) => e.id === rec.id);
  assert.equal(hidden.hidden, true);
  // Only for b: a's own view is unchanged.
  assert.equal((await feed(a!)).events.find((e: any) => e.id === rec.id).hidden, false);

  assert.deepEqual(
    await ok(lb('POST', unhide, b!, { event_type: 'recording_recommendation', event_id: rec.id })),
    {
      status: 'ok',
    },
  );
  assert.equal((await feed(b!)).events.find((e: any) => e.id === rec.id).hidden, false);

  // Kinds the spec does not allow, one's own event, unknown event, auth.
  await ok(
    lb('POST', `/${a!.username}/timeline-event/create/notification`, a!, { metadata: { message: 'n' } }),
  );
  const note = (await feed(b!)).events.find((e: any) => e.event_type === 'notification');
  assertError(await lb('POST', hide, b!, { event_type: 'notification', event_id: note.id }), 400);
  assertError(
    await lb('POST', `/${a!.username}/feed/events/hide`, a!, {
      event_type: 'recording_recommendation',
      event_id: rec.id,
    }),
    400,
  );
  assertError(
    await lb('POST', hide, b!, { event_type: 'recording_recommendation', event_id: '999999999999' }),
    404,
  );
  assertError(await lb('POST', hide, b!, { event_type: 'recording_recommendation' }), 400);
  assertError(await lb('POST', hide, a!, { event_type: 'recording_recommendation', event_id: rec.id }), 401);
  assertError(
    await lb('POST', unhide, undefined, { event_type: 'recording_recommendation', event_id: rec.id }),
    401,
  );
  assertError(await lb('POST', unhide, b!, { event_type: 'notification', event_id: note.id }), 400);
  assertError(
    await lb('POST', '/no_such_user_zz/feed/events/unhide', b!, {
      event_type: 'recording_pin',
      event_id: rec.id,
    }),
    404,
  );
});

test('listens/following: followed users’ activity posts as listen events; /similar is empty; 400/401/403/404', async () => {
  const [a, b, c] = await registerUsers(t, 3);
  await follow(b!, a!);
  const word = uniq('song');
  clock.advance(10_000);
  const p1 = await createPost(t, a!, { body: `${word} one` });
  clock.advance(10_000);
  const p2 = await createPost(t, a!, { body: `${word} two` });
  clock.advance(10_000);
  await createPost(t, b!, { body: 'my own post is no listen' });
  await createPost(t, c!, { body: 'not followed' });

  const res = (await ok(lb('GET', `/${b!.username}/feed/events/listens/following`, b!))).payload;
  assert.equal(res.user_id, b!.username);
  assert.deepEqual(
    res.events.map((e: any) => e.id),
    [p2.id, p1.id],
  );
  assert.equal(res.count, 2);
  const ev = res.events[0];
  assert.equal(ev.event_type, 'listen');
  assert.equal(ev.user_name, a!.username);
  assert.equal(ev.metadata.track_metadata.track_name, `${word} two`);
  assert.equal(ev.metadata.track_metadata.additional_info.post_id, p2.id);
  assert.equal(ev.hidden, false);

  const one = (await ok(lb('GET', `/${b!.username}/feed/events/listens/following?count=1`, b!))).payload;
  assert.deepEqual(
    one.events.map((e: any) => e.id),
    [p2.id],
  );
  const older = (
    await ok(lb('GET', `/${b!.username}/feed/events/listens/following?max_ts=${ev.created}`, b!))
  ).payload;
  assert.deepEqual(
    older.events.map((e: any) => e.id),
    [p1.id],
  );
  const newer = (
    await ok(lb('GET', `/${b!.username}/feed/events/listens/following?min_ts=${res.events[1].created}`, b!))
  ).payload;
  assert.deepEqual(
    newer.events.map((e: any) => e.id),
    [p2.id],
  );
  // Nobody followed: empty.
  assert.deepEqual(
    (await ok(lb('GET', `/${c!.username}/feed/events/listens/following`, c!))).payload.events,
    [],
  );

  const similar = await ok(lb('GET', `/${b!.username}/feed/events/listens/similar`, b!));
  assert.deepEqual(similar, { payload: { count: 0, user_id: b!.username, events: [] } });

  for (const kind of ['following', 'similar']) {
    const path = `/${b!.username}/feed/events/listens/${kind}`;
    assertError(await lb('GET', `${path}?count=101`, b!), 400);
    assertError(await lb('GET', path), 401);
    assertError(await lb('GET', path, a!), 403);
    assertError(await lb('GET', `/no_such_user_zz/feed/events/listens/${kind}`, b!), 404);
  }
});

test('a user found case-insensitively; Bearer works like Token', async () => {
  const u = await registerUser(t);
  const res = await t.api('GET', `/1/user/${u.username.toUpperCase()}/feed/events`, { token: u.accessToken });
  assert.equal(res.status, 200);
  assert.equal(res.body.payload.user_id, u.username);
});
