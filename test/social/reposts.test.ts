/**
 * Spec "Reposts" and social-graph-api "Repost Limits": another user's post only (no self-repost),
 * an optional body and visibility, at most REPOST_LIMIT_HOURLY per rolling hour and
 * REPOST_LIMIT_DAILY per rolling day (429 with a clear message and Retry-After).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../engine/clock.ts';
import { TestContext } from '../context.ts';
import { registerUsers } from '../helpers/users.ts';
import { createPost, feedIds, mutual, ok } from './helpers.ts';

const clock = new ManualClock(Date.UTC(2026, 10, 25, 12, 0, 0));
let t: TestContext;
before(async () => {
  // The default hourly limit (20); a smaller daily one so the test needs fewer posts.
  t = await TestContext.start({ clock, env: { REPOST_LIMIT_DAILY: '25', ACCESS_TOKEN_TTL_S: '864000' } });
});
after(async () => {
  await t.close();
});

const repost = (u: { accessToken: string }, body: Record<string, unknown>) =>
  t.api('POST', '/users/me/posts/repost', { token: u.accessToken, body });

test('a repost: of another user’s post, with body and visibility; never one’s own', async () => {
  const [a, b, c] = await registerUsers(t, 3);
  await mutual(t, c!, b!);
  const p = await createPost(t, a!, { body: 'original' });
  const own = await repost(a!, { originalPostId: p.id });
  assert.equal(own.status, 400);
  assert.match(own.body.error.message, /your own post/);
  const r = await ok(
    repost(b!, { originalPostId: p.id, body: 'worth reading', visibility: 'followers' }),
    201,
  );
  assert.equal(r.authorId, b!.id);
  assert.equal(r.body, 'worth reading');
  assert.equal(r.visibility, 'followers');
  assert.equal(r.originalPost.body, 'original');
  // A plain repost of the repost reposts the original; reposting it back to its author is refused.
  const plain = await ok(repost(c!, { originalPostId: r.id }), 201);
  assert.equal(plain.originalPostId, r.id, 'a repost with a body is reposted as is');
  const plain2 = await ok(repost(c!, { originalPostId: plain.id }), 201);
  assert.equal(plain2.originalPostId, r.id);
  assert.equal((await repost(b!, { originalPostId: plain.id })).status, 400);
  assert.equal((await repost(b!, { originalPostId: '123456' })).status, 404);
  // Deleting the original removes its reposts.
  await ok(t.api('DELETE', `/users/me/posts/${p.id}`, { token: a!.accessToken }), 204);
  assert.ok(!(await feedIds(t, b!)).includes(r.id));
});

test('the 21st repost in an hour is a 429; an hour later reposts resume until the daily limit', async () => {
  const [author, me] = await registerUsers(t, 2);
  const posts = [];
  for (let i = 0; i < 26; i++) posts.push(await createPost(t, author!, { body: `p${i}` }));
  for (let i = 0; i < 20; i++) {
    const res = await repost(me!, { originalPostId: posts[i].id });
    assert.equal(res.status, 201, `repost ${i}: ${res.text}`);
    clock.advance(60_000); // one a minute: all 20 within the hour
  }
  const hourly = await repost(me!, { originalPostId: posts[20].id });
  assert.equal(hourly.status, 429);
  assert.equal(hourly.body.error.code, 'RATE_LIMITED');
  assert.match(hourly.body.error.message, /at most 20 reposts per hour/);
  // The oldest repost leaves the window 60 min after it was made: 40 min from now.
  assert.equal(hourly.headers.get('retry-after'), String(40 * 60));
  const count = async () =>
    (
      await t.reef.engine.db.db
        .selectFrom('posts')
        .select('id')
        .where('author_id', '=', me!.id)
        .where('repost_of_id', 'is not', null)
        .execute()
    ).length;
  assert.equal(await count(), 20);

  // An hour after the last of them, the hourly window is empty again.
  clock.advance(60 * 60_000);
  for (let i = 20; i < 25; i++) await ok(repost(me!, { originalPostId: posts[i].id }), 201);
  const daily = await repost(me!, { originalPostId: posts[25].id });
  assert.equal(daily.status, 429);
  assert.match(daily.body.error.message, /at most 25 reposts per day/);
  assert.equal(await count(), 25);
  clock.advance(24 * 3600_000);
  await ok(repost(me!, { originalPostId: posts[25].id }), 201);
});
