/**
 * Collections (social-graph-api "Collections", "Library Limits"): curated ordered lists of posts.
 * Limits here: COLLECTIONS_MAX 2, COLLECTION_MAX_ITEMS 3. CRUD, private ones from another user's
 * view, items seen through the reader's visibility, featured (admins), recommendations, plays.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { registerAdmin, registerUsers } from '../helpers/users.ts';
import { createPost, mutual } from '../social/helpers.ts';
import { ok } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { COLLECTIONS_MAX: '2', COLLECTION_MAX_ITEMS: '3' } });
});
after(async () => {
  await t.close();
});

const posts = (t2: TestContext, u: any, n: number) =>
  Promise.all(
    Array.from({ length: n }, (_, i) => createPost(t2, u, { body: `item ${i}`, visibility: 'public' })),
  );

test('create, read, update (rename, reorder), add / remove items, delete', async () => {
  const [owner, reader] = await registerUsers(t, 2);
  const [p1, p2, p3] = await posts(t, owner, 3);
  const c = await ok(
    t.api('POST', '/collections', {
      token: owner!.accessToken,
      body: { name: '  Night drive ', description: 'late', postIds: [p2.id, p1.id, p2.id] },
    }),
    201,
  );
  assert.equal(c.name, 'Night drive');
  assert.equal(c.ownerId, owner!.id);
  assert.equal(c.owner.username, owner!.username);
  assert.equal(c.isPublic, true);
  assert.equal(c.itemCount, 2, 'duplicates keep their first position');
  assert.deepEqual(
    c.items.map((i: any) => [i.position, i.post.id]),
    [
      [0, p2.id],
      [1, p1.id],
    ],
  );

  // Another user reads it.
  const seen = await ok(t.api('GET', `/collections/${c.id}`, { token: reader!.accessToken }));
  assert.deepEqual(
    seen.items.map((i: any) => i.post.body),
    ['item 1', 'item 0'],
  );
  // ... but may not change or delete it.
  assert.equal(
    (await t.api('PUT', `/collections/${c.id}`, { token: reader!.accessToken, body: { name: 'x' } })).status,
    403,
  );
  assert.equal((await t.api('DELETE', `/collections/${c.id}`, { token: reader!.accessToken })).status, 403);

  const upd = await ok(
    t.api('PUT', `/collections/${c.id}`, {
      token: owner!.accessToken,
      body: { name: 'Day drive', postIds: [p1.id, p3.id, p2.id] },
    }),
  );
  assert.equal(upd.name, 'Day drive');
  assert.equal(upd.description, 'late');
  assert.deepEqual(
    upd.items.map((i: any) => i.post.id),
    [p1.id, p3.id, p2.id],
  );

  // Moving an item with POST /items at a position.
  const moved = await ok(
    t.api('POST', `/collections/${c.id}/items`, {
      token: owner!.accessToken,
      body: { postId: p2.id, position: 0 },
    }),
  );
  assert.deepEqual(
    moved.items.map((i: any) => i.post.id),
    [p2.id, p1.id, p3.id],
  );
  assert.equal(
    (await t.api('DELETE', `/collections/${c.id}/items/${p1.id}`, { token: owner!.accessToken })).status,
    204,
  );
  const after1 = await ok(t.api('GET', `/collections/${c.id}`, { token: reader!.accessToken }));
  assert.equal(after1.itemCount, 2);
  assert.deepEqual(
    after1.items.map((i: any) => [i.position, i.post.id]),
    [
      [0, p2.id],
      [1, p3.id],
    ],
  );
  assert.equal(
    (await t.api('DELETE', `/collections/${c.id}/items/${p1.id}`, { token: owner!.accessToken })).status,
    404,
  );

  assert.equal((await t.api('DELETE', `/collections/${c.id}`, { token: owner!.accessToken })).status, 204);
  assert.equal((await t.api('GET', `/collections/${c.id}`, { token: owner!.accessToken })).status, 404);
});

test('limits: COLLECTIONS_MAX per user, COLLECTION_MAX_ITEMS per collection', async () => {
  const [owner] = await registerUsers(t, 1);
  const ps = await posts(t, owner, 4);
  const tooMany = await t.api('POST', '/collections', {
    token: owner!.accessToken,
    body: { name: 'big', postIds: ps.map((p) => p.id) },
  });
  assert.equal(tooMany.status, 400);
  assert.equal((tooMany.body as any).error.data.limit, 3);

  const c = await ok(
    t.api('POST', '/collections', {
      token: owner!.accessToken,
      body: { name: 'a', postIds: ps.slice(0, 3).map((p) => p.id) },
    }),
    201,
  );
  const add = await t.api('POST', `/collections/${c.id}/items`, {
    token: owner!.accessToken,
    body: { postId: ps[3].id },
  });
  assert.equal(add.status, 400);
  assert.equal((add.body as any).error.data.limit, 3);
  // Re-adding an item already in (a move) is fine at the limit.
  await ok(
    t.api('POST', `/collections/${c.id}/items`, { token: owner!.accessToken, body: { postId: ps[0].id } }),
  );

  await ok(t.api('POST', '/collections', { token: owner!.accessToken, body: { name: 'b' } }), 201);
  const third = await t.api('POST', '/collections', { token: owner!.accessToken, body: { name: 'c' } });
  assert.equal(third.status, 400);
  assert.equal((third.body as any).error.data.limit, 2);
  const mine = await ok<any[]>(t.api('GET', '/collections/mine', { token: owner!.accessToken }));
  assert.deepEqual(mine.map((x) => x.name).sort(), ['a', 'b']);

  const bad = await t.api('POST', '/collections', { token: owner!.accessToken, body: { name: '' } });
  assert.equal(bad.status, 400);
  assert.equal((bad.body as any).error.code, 'VALIDATION_ERROR');
});

test('private collections and items the reader may not see; posts the owner may not see are refused', async () => {
  const [owner, friend, stranger] = await registerUsers(t, 3);
  await mutual(t, owner!, friend!);
  const pub = await createPost(t, owner!, { body: 'pub', visibility: 'public' });
  const foll = await createPost(t, owner!, { body: 'foll', visibility: 'followers' });
  const strangerPrivate = await createPost(t, stranger!, { body: 'secret', visibility: 'private' });

  const refused = await t.api('POST', '/collections', {
    token: owner!.accessToken,
    body: { name: 'nope', postIds: [strangerPrivate.id] },
  });
  assert.equal(refused.status, 400);
  assert.deepEqual((refused.body as any).error.data.postIds, [strangerPrivate.id]);

  const c = await ok(
    t.api('POST', '/collections', {
      token: owner!.accessToken,
      body: { name: 'mixed', postIds: [foll.id, pub.id] },
    }),
    201,
  );
  const byFriend = await ok(t.api('GET', `/collections/${c.id}`, { token: friend!.accessToken }));
  assert.deepEqual(
    byFriend.items.map((i: any) => i.post.id),
    [foll.id, pub.id],
  );
  const byStranger = await ok(t.api('GET', `/collections/${c.id}`, { token: stranger!.accessToken }));
  assert.equal(byStranger.itemCount, 2);
  assert.deepEqual(
    byStranger.items.map((i: any) => i.post.id),
    [pub.id],
  );

  const priv = await ok(
    t.api('POST', '/collections', { token: owner!.accessToken, body: { name: 'hush', isPublic: false } }),
    201,
  );
  assert.equal((await t.api('GET', `/collections/${priv.id}`, { token: friend!.accessToken })).status, 404);
  const ownerList = await ok<any[]>(
    t.api('GET', `/collections?userId=${owner!.id}`, { token: owner!.accessToken }),
  );
  const friendList = await ok<any[]>(
    t.api('GET', `/collections?userId=${owner!.id}`, { token: friend!.accessToken }),
  );
  assert.deepEqual(
    ownerList.map((x) => x.name),
    ['hush', 'mixed'],
  );
  assert.deepEqual(
    friendList.map((x) => x.name),
    ['mixed'],
  );
  assert.ok(
    !(await ok<any[]>(t.api('GET', '/collections?limit=50', { token: friend!.accessToken }))).some(
      (x) => x.id === priv.id,
    ),
  );
});

test('featured (admins only), recommendations (followed users first), plays', async () => {
  const admin = await registerAdmin(t);
  const [viewer, followed, other] = await registerUsers(t, 3);
  await ok(t.api('POST', `/follows/${followed!.id}`, { token: viewer!.accessToken }));
  const [fp] = await posts(t, followed, 1);
  const [op] = await posts(t, other, 1);
  const [vp] = await posts(t, viewer, 1);
  const fromFollowed = await ok(
    t.api('POST', '/collections', { token: followed!.accessToken, body: { name: 'F', postIds: [fp.id] } }),
    201,
  );
  const fromOther = await ok(
    t.api('POST', '/collections', { token: other!.accessToken, body: { name: 'O', postIds: [op.id] } }),
    201,
  );
  const empty = await ok(
    t.api('POST', '/collections', { token: other!.accessToken, body: { name: 'E' } }),
    201,
  );
  const own = await ok(
    t.api('POST', '/collections', { token: viewer!.accessToken, body: { name: 'V', postIds: [vp.id] } }),
    201,
  );

  assert.equal(
    (
      await t.api('PUT', `/collections/${fromOther.id}/featured`, {
        token: viewer!.accessToken,
        body: { featured: true },
      })
    ).status,
    403,
  );
  const feat = await ok(
    t.api('PUT', `/collections/${fromOther.id}/featured`, {
      token: admin.accessToken,
      body: { featured: true },
    }),
  );
  assert.equal(feat.isFeatured, true);
  const featured = await ok<any[]>(
    t.api('GET', '/collections/featured?limit=50', { token: viewer!.accessToken }),
  );
  assert.ok(featured.some((c) => c.id === fromOther.id));
  assert.ok(!featured.some((c) => c.id === fromFollowed.id));

  const recs = await ok<any[]>(
    t.api('GET', '/collections/recommendations?limit=50', { token: viewer!.accessToken }),
  );
  const ids = recs.map((c) => c.id);
  assert.equal(ids[0], fromFollowed.id, 'a followed user’s collection comes first');
  assert.ok(ids.includes(fromOther.id));
  assert.ok(!ids.includes(own.id), 'never one’s own');
  assert.ok(!ids.includes(empty.id), 'never an empty one');

  const played = await ok(t.api('POST', `/collections/${fromOther.id}/play`, { token: viewer!.accessToken }));
  assert.equal(played.playCount, 1);
  assert.equal(played.items[0].post.id, op.id);
  assert.equal(
    (await ok(t.api('GET', `/collections/${fromOther.id}`, { token: other!.accessToken }))).playCount,
    1,
  );
});
