/**
 * The visibility policy (domain/social/visibility.ts) in both of its forms — the WHERE expression
 * every query uses and the per-row check single reads use — against the spec's table, for every
 * relationship a viewer can have to an author and every visibility, reposts included.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { registerUsers } from '../helpers/users.ts';
import { canSeePost, canSeeRepost, visiblePosts } from '../../domain/social/visibility.ts';
import { loadRelationships } from '../../domain/social/viewer.repository.ts';
import { createPost, follow, mutual, ok, setPreferences } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start();
});
after(async () => {
  await t.close();
});

/** Spec: own posts all; mutual follows public + followers; one-way follows and others public. */
const EXPECTED: Record<string, string[]> = {
  self: ['public', 'followers', 'private'],
  mutual: ['public', 'followers'],
  following: ['public'],
  followedBy: ['public'],
  pending: ['public'],
  stranger: ['public'],
  blockedByViewer: [],
  blocksViewer: [],
};

test('WHERE expression, per-row check and the spec table agree for every relationship, visibility and repost', async () => {
  const users = await registerUsers(t, 9);
  const [viewer, ...others] = users as [(typeof users)[0], ...typeof users];
  const rel: Record<string, (typeof users)[0]> = {
    self: viewer,
    mutual: others[0]!,
    following: others[1]!,
    followedBy: others[2]!,
    pending: others[3]!,
    stranger: others[4]!,
    blockedByViewer: others[5]!,
    blocksViewer: others[6]!,
  };
  const reposter = others[7]!;
  await mutual(t, viewer, rel.mutual!);
  await follow(t, viewer, rel.following!);
  await follow(t, rel.followedBy!, viewer);
  await setPreferences(t, rel.pending!, { followRequestPolicy: 'require_approval' });
  await follow(t, viewer, rel.pending!);
  await mutual(t, viewer, reposter);
  await ok(t.api('PUT', `/users/blocks/${rel.blockedByViewer!.id}`, { token: viewer.accessToken }), 204);
  await ok(t.api('PUT', `/users/blocks/${viewer.id}`, { token: rel.blocksViewer!.accessToken }), 204);

  const posts: Array<{ id: string; who: string; visibility: string; repostOf?: string }> = [];
  for (const [who, u] of Object.entries(rel))
    for (const visibility of ['public', 'followers', 'private'] as const) {
      const p = await createPost(t, u, { body: `${who} ${visibility}`, visibility });
      posts.push({ id: p.id, who, visibility });
    }
  // The reposter (a mutual follow of the viewer) reposts, publicly, every original they may see.
  for (const p of [...posts]) {
    const r = await t.api('POST', '/users/me/posts/repost', {
      token: reposter.accessToken,
      body: { originalPostId: p.id, body: 'fwd' },
    });
    if (r.status === 201)
      posts.push({ id: r.body.id, who: `repost of ${p.who}`, visibility: 'public', repostOf: p.id });
  }

  const db = t.reef.engine.db.db;
  const ids = posts.map((p) => p.id);
  const viaSql = new Set(
    (await visiblePosts(db, viewer.id).select('p.id').where('p.id', 'in', ids).execute()).map((r) => r.id),
  );
  const rows = await db.selectFrom('posts').selectAll().where('id', 'in', ids).execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const relOf = await loadRelationships(
    db,
    viewer.id,
    rows.map((r) => r.author_id),
  );
  const asRow = (r: (typeof rows)[0]) => ({
    authorId: r.author_id,
    spaceId: r.space_id,
    visibility: r.visibility,
  });
  for (const p of posts) {
    const row = byId.get(p.id)!;
    const perRow = row.repost_of_id
      ? canSeeRepost(
          asRow(row),
          byId.has(row.repost_of_id) ? asRow(byId.get(row.repost_of_id)!) : null,
          relOf,
        )
      : canSeePost(asRow(row), relOf(row.author_id));
    const original = p.repostOf ? posts.find((x) => x.id === p.repostOf)! : p;
    const expected = EXPECTED[original.who]!.includes(original.visibility);
    assert.equal(viaSql.has(p.id), expected, `SQL: ${p.who} ${p.visibility}`);
    assert.equal(perRow, expected, `per row: ${p.who} ${p.visibility}`);
    // And over HTTP, the single-post lookup says the same.
    const res = await t.api('GET', `/follows/posts/${p.id}`, { token: viewer.accessToken });
    assert.equal(res.status, expected ? 200 : 404, `GET: ${p.who} ${p.visibility}`);
  }
});
