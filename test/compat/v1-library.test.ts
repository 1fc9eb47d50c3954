/**
 * spec/social-graph-api.txt at /api/v1, the parts over reef's pages and library: artist following
 * (artist = page, a socialEnabled space), add / remove library, liked tracks / albums / artists,
 * collections (album and playlist = user collection) and user playlists; following-guide
 * "Following Producers": a page follow is a liked producer and its followers hear of new uploads.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext, uniq } from '../context.ts';
import { registerUsers } from '../helpers/users.ts';
import { createPost, ok } from '../social/helpers.ts';
import { until } from '../realtime-clients.ts';
import { createPage, notifications, pagePost } from '../timeline/helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { LIBRARY_MAX_ITEMS: '3', COLLECTION_MAX_ITEMS: '2' } });
});
after(async () => {
  await t.close();
});

const v1 = (method: string, path: string, token?: string, body?: unknown) =>
  t.api(method, `/api/v1${path}`, { ...(token ? { token } : {}), ...(body !== undefined ? { body } : {}) });

test('artist follow / unfollow / follow-status / followers; liked artists; new_upload to followers', async () => {
  const { space, manager } = await createPage(t);
  const [a, b] = await registerUsers(t, 2);
  assert.deepEqual(await ok(v1('POST', `/artists/${space.id}/follow`, a!.accessToken)), {
    status: 'success',
    isFollowing: true,
    followersCount: 1,
  });
  await ok(v1('POST', `/artists/${space.id}/follow`, b!.accessToken));
  const st = await ok(v1('GET', `/artists/${space.id}/follow-status`, a!.accessToken));
  assert.deepEqual(st, { status: 'success', isFollowing: true, followersCount: 2 });
  assert.equal((await ok(v1('GET', `/artists/${space.id}/follow-status`))).isFollowing, false);

  const followers = await ok(v1('GET', `/artists/${space.id}/followers?perPage=10`));
  assert.deepEqual(followers.pagination.data.map((u: any) => u.id).sort(), [a!.id, b!.id].sort());
  // Following a producer = a liked artist, in both APIs.
  const liked = await ok(v1('GET', `/users/${a!.id}/liked-artists`));
  assert.deepEqual(
    liked.pagination.data.map((p: any) => p.id),
    [space.id],
  );
  const reef = await ok(t.api('GET', `/pages/${space.id}/follow`, { token: a!.accessToken }));
  assert.equal(reef.isFollowing, true);

  // A page post notifies its followers (new_upload).
  const post = await pagePost(t, manager, space.id, `new beat ${uniq('w')}`);
  let n: any;
  await until(
    async () => !!(n = (await notifications(t, a!)).find((x: any) => x.type === 'new_upload')),
    15_000,
    'new_upload',
  );
  assert.equal(n?.data.postId, post.id);

  assert.deepEqual(await ok(v1('POST', `/artists/${space.id}/unfollow`, a!.accessToken)), {
    status: 'success',
    isFollowing: false,
    followersCount: 1,
  });
  assert.deepEqual((await ok(v1('GET', `/users/${a!.id}/liked-artists`))).pagination.data, []);

  // Not a page: 404; no token: 401; bad id: 400.
  const plain = await registerUsers(t, 1);
  assert.equal((await v1('POST', `/artists/999999999999/follow`, a!.accessToken)).status, 404);
  assert.equal((await v1('GET', `/artists/999999999999/followers`)).status, 404);
  assert.equal((await v1('POST', `/artists/${space.id}/follow`)).status, 401);
  assert.equal((await v1('POST', `/artists/abc/follow`, plain[0]!.accessToken)).status, 400);
});

test('library: add / remove a track (track_id or likeables); liked tracks; liked albums (collections); 10,000-item limit', async () => {
  const [author, a, other] = await registerUsers(t, 3);
  const posts = await Promise.all([1, 2, 3, 4].map((i) => createPost(t, author!, { body: `t${i}` })));
  const add = await ok(v1('POST', '/users/me/add-to-library', a!.accessToken, { track_id: posts[0].id }));
  assert.equal(add.status, 'success');
  assert.equal(add.counts.posts, 1);
  await ok(
    v1('POST', '/users/me/add-to-library', a!.accessToken, {
      likeables: [
        { likeable_id: posts[1].id, likeable_type: 'track' },
        { likeable_id: other!.id, likeable_type: 'user' },
      ],
    }),
  );
  const tracks = await ok(v1('GET', `/users/${a!.id}/liked-tracks`, other!.accessToken));
  assert.deepEqual(
    tracks.pagination.data.map((p: any) => p.id),
    [posts[1].id, posts[0].id],
  );
  // Same likes in reef's API.
  const reef = await ok(t.api('GET', `/library/posts?userId=${a!.id}`, { token: a!.accessToken }));
  assert.deepEqual(
    reef.map((p: any) => p.id),
    [posts[1].id, posts[0].id],
  );

  // LIBRARY_MAX_ITEMS is 3 here (10,000 by default).
  const full = await v1('POST', '/users/me/add-to-library', a!.accessToken, { track_id: posts[2].id });
  assert.equal(full.status, 400);
  assert.match(full.body.error.message, /at most 3/);

  const rm = await ok(v1('POST', '/users/me/remove-from-library', a!.accessToken, { track_id: posts[0].id }));
  assert.equal(rm.counts.posts, 1);
  assert.deepEqual(
    (await ok(v1('GET', `/users/${a!.id}/liked-tracks`))).pagination.data.map((p: any) => p.id),
    [posts[1].id],
  );
  assert.deepEqual(await ok(v1('GET', `/users/${a!.id}/liked-albums`)), {
    status: 'success',
    pagination: {
      data: [],
      current_page: 1,
      per_page: 20,
      from: null,
      to: null,
      next_page: null,
      prev_page: null,
    },
  });

  // An album is a collection: liked through likeables, listed as a liked album.
  const album = await ok(v1('POST', '/collections', author!.accessToken, { name: uniq('album') }), 201);
  const albumLike = { likeables: [{ likeable_id: album.collection.id, likeable_type: 'album' }] };
  await ok(v1('POST', '/users/me/add-to-library', a!.accessToken, albumLike));
  const albums = await ok(v1('GET', `/users/${a!.id}/liked-albums`, other!.accessToken));
  assert.deepEqual(
    albums.pagination.data.map((c: any) => c.id),
    [album.collection.id],
  );
  assert.equal(albums.pagination.from, 1);
  await ok(v1('POST', '/users/me/remove-from-library', a!.accessToken, albumLike));
  assert.deepEqual((await ok(v1('GET', `/users/${a!.id}/liked-albums`))).pagination.data, []);

  assert.equal(
    (await v1('POST', '/users/me/add-to-library', a!.accessToken, { track_id: '999999999999' })).status,
    404,
  );
  assert.equal((await v1('POST', '/users/me/add-to-library', a!.accessToken, {})).status, 400);
  assert.equal(
    (
      await v1('POST', '/users/me/add-to-library', a!.accessToken, {
        likeables: [{ likeable_id: posts[3].id, likeable_type: 'playlist' }],
      })
    ).status,
    400,
  );
  assert.equal(
    (await v1('POST', '/users/me/add-to-library', undefined, { track_id: posts[3].id })).status,
    401,
  );
  for (const list of ['liked-tracks', 'liked-albums', 'liked-artists'])
    assert.equal((await v1('GET', `/users/999999999999/${list}`)).status, 404, list);
});

test('collections: create, get, update, play, list (all, user, featured, recommendations), delete; playlists', async () => {
  const [owner, viewer] = await registerUsers(t, 2);
  const p1 = await createPost(t, owner!, { body: 'c1' });
  const p2 = await createPost(t, owner!, { body: 'c2' });
  const name = uniq('coll');
  const c = await ok(
    v1('POST', '/collections', owner!.accessToken, { name, is_public: true, track_ids: [p1.id] }),
    201,
  );
  assert.equal(c.status, 'success');
  assert.equal(c.collection.name, name);
  assert.deepEqual(
    c.collection.items.map((i: any) => i.post.id),
    [p1.id],
  );
  const id = c.collection.id;

  const got = await ok(v1('GET', `/collections/${id}`, viewer!.accessToken));
  assert.equal(got.collection.ownerId, owner!.id);
  const up = await ok(
    v1('PUT', `/collections/${id}`, owner!.accessToken, { name: `${name}!`, postIds: [p2.id, p1.id] }),
  );
  assert.deepEqual(
    up.collection.items.map((i: any) => i.post.id),
    [p2.id, p1.id],
  );
  // COLLECTION_MAX_ITEMS is 2 here (500 by default).
  const p3 = await createPost(t, owner!, { body: 'c3' });
  assert.equal(
    (await v1('PUT', `/collections/${id}`, owner!.accessToken, { postIds: [p1.id, p2.id, p3.id] })).status,
    400,
  );
  assert.equal(
    (await v1('PUT', `/collections/${id}`, viewer!.accessToken, { name: 'mine now' })).status,
    403,
  );
  const played = await ok(v1('POST', `/collections/${id}/play`, viewer!.accessToken));
  assert.equal(played.collection.playCount, 1);

  const mine = await ok(v1('GET', '/collections/user', owner!.accessToken));
  assert.deepEqual(
    mine.pagination.data.map((x: any) => x.id),
    [id],
  );
  const playlists = await ok(v1('GET', `/users/${owner!.id}/playlists`, viewer!.accessToken));
  assert.deepEqual(
    playlists.pagination.data.map((x: any) => x.id),
    [id],
  );
  const all = await ok(v1('GET', '/collections?perPage=100', viewer!.accessToken));
  assert.ok(all.pagination.data.some((x: any) => x.id === id));
  const featured = await ok(v1('GET', '/collections/featured', viewer!.accessToken));
  assert.ok(!featured.pagination.data.some((x: any) => x.id === id));
  const recs = await ok(v1('GET', '/collections/recommendations', viewer!.accessToken));
  assert.ok(Array.isArray(recs.pagination.data));

  // A private collection is the owner's alone.
  const priv = await ok(
    v1('POST', '/collections', owner!.accessToken, { name: `${name}-p`, isPublic: false }),
    201,
  );
  assert.equal((await v1('GET', `/collections/${priv.collection.id}`, viewer!.accessToken)).status, 404);
  assert.deepEqual(
    (await ok(v1('GET', `/users/${owner!.id}/playlists`, viewer!.accessToken))).pagination.data.map(
      (x: any) => x.id,
    ),
    [id],
  );

  assert.equal((await v1('POST', '/collections', owner!.accessToken, { name: '' })).status, 400);
  assert.equal((await v1('GET', '/collections', undefined)).status, 401);
  assert.equal((await v1('DELETE', `/collections/${id}`, viewer!.accessToken)).status, 403);
  assert.deepEqual(await ok(v1('DELETE', `/collections/${id}`, owner!.accessToken)), { status: 'success' });
  assert.equal((await v1('GET', `/collections/${id}`, owner!.accessToken)).status, 404);
  assert.equal((await v1('GET', `/users/999999999999/playlists`)).status, 404);
});
