/**
 * The feed's two queries (visibility.ts: the window scan and the per-followee LATERAL query, run by
 * posts.repository's feedPage) answer exactly the same pages as GET /follows/feed, for a viewer
 * with every kind of relationship: own posts (all visibilities), a mutual follow (public +
 * followers), a one-way follow (public only), a muted and a blocked followee, a fan the viewer
 * does not follow, a stranger, a social space, and reposts whose originals are or are not visible.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { feedSources } from '../../domain/social/feed.service.ts';
import { feedPage, type FeedStrategy } from '../../domain/social/posts.repository.ts';
import { createSpacesSocial } from '../../domain/social/spaces-adapter.ts';
import { TestContext } from '../context.ts';
import { registerUsers } from '../helpers/users.ts';
import { addMember } from '../spaces/helpers.ts';
import { createPage } from '../timeline/helpers.ts';
import { createPost, feedIds, follow, mutual, ok } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start();
});
after(async () => {
  await t.close();
});

const spaces = createSpacesSocial(() => ({ managedSocialSpaces: async () => [] }));
const sourcesOf = (viewerId: string) => feedSources(viewerId, spaces);

async function strategyIds(viewerId: string, strategy: FeedStrategy, limit: number): Promise<string[]> {
  const db = t.reef.engine.db.db;
  const all: string[] = [];
  let before: string | undefined;
  for (;;) {
    const rows = await feedPage(db, viewerId, sourcesOf, { before, limit }, strategy);
    all.push(...rows.map((r) => String(r.id)));
    if (rows.length < limit) return all;
    before = String(rows[rows.length - 1]!.id);
  }
}

test('window scan, per-followee query and GET /follows/feed agree on every relationship', async () => {
  const { space, manager } = await createPage(t);
  const v = await addMember(t, space);
  const [m, o, x, muted, blocked, fan, stranger] = await registerUsers(t, 7);

  await mutual(t, v, m!);
  assert.equal(await follow(t, v, o!), 'accepted');
  await mutual(t, o!, x!);
  assert.equal(await follow(t, v, muted!), 'accepted');
  assert.equal(await follow(t, v, blocked!), 'accepted');
  assert.equal(await follow(t, fan!, v), 'accepted');
  await ok(t.api('PUT', `/users/mutes/${muted!.id}`, { token: v.accessToken }), 204);

  const post = (u: typeof v, visibility: 'public' | 'followers' | 'private', body = `${visibility} post`) =>
    createPost(t, u, { body, visibility });
  const repost = async (u: typeof v, originalPostId: string) =>
    ok(t.api('POST', '/users/me/posts/repost', { token: u.accessToken, body: { originalPostId } }), 201);

  const expected: string[] = [];
  for (const vis of ['public', 'followers', 'private'] as const) expected.push((await post(v, vis)).id);
  const mPublic = await post(m!, 'public');
  expected.push(mPublic.id, (await post(m!, 'followers')).id);
  await post(m!, 'private');
  expected.push((await post(o!, 'public')).id);
  await post(o!, 'followers');
  await post(o!, 'private');
  // O reposts M's public post (visible) and X's followers-only post (V is not X's mutual: hidden).
  expected.push((await repost(o!, mPublic.id)).id);
  await repost(o!, (await post(x!, 'followers')).id);
  await post(x!, 'public');
  await post(muted!, 'public');
  await post(blocked!, 'public');
  await post(fan!, 'public');
  await post(stranger!, 'public');
  expected.push(
    (await createPost(t, manager, { body: 'from the space', spaceId: space.id, visibility: 'public' })).id,
  );
  // A block written past the follows it would have removed: the rule still hides the public post.
  await sql`insert into user_blocks (blocker_id, blocked_id) values (${blocked!.id}, ${v.id})`.execute(
    t.reef.engine.db.db,
  );

  const newestFirst = [...expected].sort((a, b) =>
    BigInt(b) > BigInt(a) ? 1 : BigInt(b) < BigInt(a) ? -1 : 0,
  );
  assert.deepEqual(await feedIds(t, v, '?limit=50'), newestFirst);
  for (const strategy of ['auto', 'window', 'authors'] as const)
    for (const limit of [1, 2, 3, 50])
      assert.deepEqual(
        await strategyIds(v.id, strategy, limit),
        newestFirst,
        `${strategy}, pages of ${limit}`,
      );

  // Becoming mutual with O shows O's followers-only post in both queries.
  assert.equal(await follow(t, o!, v), 'accepted');
  const afterMutual = await strategyIds(v.id, 'window', 50);
  assert.equal(afterMutual.length, newestFirst.length + 1);
  assert.deepEqual(await strategyIds(v.id, 'authors', 50), afterMutual);
  assert.deepEqual(await feedIds(t, v, '?limit=50'), afterMutual);
});
