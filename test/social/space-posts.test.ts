/**
 * Spec "User Posts" on behalf of a space: MANAGE_SOCIAL and socialEnabled required, always public,
 * `spaceAuthor` populated; in the feed of the space's members; GET /follows/spaces/:spaceId/posts
 * (public); comments as a space; share to a channel and to a DM.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Permission } from '../../domain/spaces/index.ts';
import { TestContext } from '../context.ts';
import { registerUsers } from '../helpers/users.ts';
import { addMember, createRole, createSpace, grantRoles } from '../spaces/helpers.ts';
import { createPost, feedIds, ok, postForm } from './helpers.ts';
import { until } from '../realtime-clients.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start();
});
after(async () => {
  await t.close();
});

async function socialSpace() {
  const space = await createSpace(t);
  await ok(
    t.api('PUT', `/spaces/${space.id}/admin-settings`, {
      token: space.owner.accessToken,
      body: { socialEnabled: true },
    }),
  );
  const manager = await addMember(t, space);
  const member = await addMember(t, space);
  await grantRoles(t, space, manager, [await createRole(t, space, Permission.MANAGE_SOCIAL)]);
  return { space, manager, member };
}

test('a space post: MANAGE_SOCIAL only, forced public, spaceAuthor; in members’ feeds; public listing', async () => {
  const { space, manager, member } = await socialSpace();
  const [outsider] = await registerUsers(t, 1);
  const p = await createPost(t, manager, {
    body: 'news from the space',
    visibility: 'private',
    spaceId: space.id,
  });
  assert.equal(p.visibility, 'public');
  assert.equal(p.spaceId, space.id);
  assert.equal(p.spaceAuthor.id, space.id);
  assert.equal(p.spaceAuthor.slug, space.slug);
  assert.equal(p.author.id, manager.id);
  const denied = await t.api('POST', '/users/me/posts', {
    token: member.accessToken,
    raw: postForm({ body: 'as the space', spaceId: space.id }),
  });
  assert.equal(denied.status, 403);

  assert.deepEqual(await feedIds(t, member), [p.id]);
  assert.deepEqual(await feedIds(t, space.owner), [p.id]);
  assert.deepEqual(await feedIds(t, outsider!), []);
  assert.equal(
    (await ok(t.api('GET', `/follows/posts/${p.id}`, { token: outsider!.accessToken }))).spaceAuthor.id,
    space.id,
  );
  // Public listing, with or without a token.
  const listed = await ok<any[]>(t.api('GET', `/follows/spaces/${space.id}/posts`));
  assert.deepEqual(
    listed.map((x) => [x.id, x.spaceAuthor.name]),
    [[p.id, `Space ${space.slug}`]],
  );
  // A profile lists the user's own posts, not the space's; "own posts" lists both.
  assert.deepEqual(
    await ok(t.api('GET', `/users/${manager.id}/posts`, { token: outsider!.accessToken })),
    [],
  );
  assert.deepEqual(
    (await ok<any[]>(t.api('GET', '/users/me/posts', { token: manager.accessToken }))).map((x) => x.id),
    [p.id],
  );
  // The manager may delete it; so may another MANAGE_SOCIAL holder (the owner); a member may not.
  assert.equal((await t.api('DELETE', `/users/me/posts/${p.id}`, { token: member.accessToken })).status, 403);
  assert.equal(
    (await t.api('DELETE', `/users/me/posts/${p.id}`, { token: space.owner.accessToken })).status,
    204,
  );
});

test('socialEnabled off: no posting as the space, no public listing', async () => {
  const space = await createSpace(t);
  const res = await t.api('POST', '/users/me/posts', {
    token: space.owner.accessToken,
    raw: postForm({ body: 'x', spaceId: space.id }),
  });
  assert.equal(res.status, 400);
  assert.match(res.body.error.message, /not enabled/);
  assert.equal((await t.api('GET', `/follows/spaces/${space.id}/posts`)).status, 404);
});

test('a comment as a space shows the space as its author', async () => {
  const { space, manager, member } = await socialSpace();
  const p = await createPost(t, member, { body: 'hello space' });
  const c = await ok(
    t.api('POST', `/users/${member.id}/posts/${p.id}/comments`, {
      token: manager.accessToken,
      body: { body: 'welcome!', spaceId: space.id },
    }),
    201,
  );
  assert.equal(c.author.type, 'space');
  assert.equal(c.author.id, space.id);
  assert.equal(c.spaceId, space.id);
  const denied = await t.api('POST', `/users/${member.id}/posts/${p.id}/comments`, {
    token: member.accessToken,
    body: { body: 'as space', spaceId: space.id },
  });
  assert.equal(denied.status, 403);
});

test('share a post to a channel: a message with a link to the post', async () => {
  const { space, member } = await socialSpace();
  const p = await createPost(t, member, { body: 'share me' });
  const m = await ok(
    t.api('POST', `/users/me/posts/${p.id}/share-to-channel`, {
      token: member.accessToken,
      body: { channelId: space.generalId, content: 'look at this' },
    }),
    201,
  );
  assert.match(m.content, new RegExp(`^look at this\\n.*/posts/${p.id}$`));
  const msgs = await ok<any[]>(
    t.api('GET', `/channels/${space.generalId}/messages`, { token: space.owner.accessToken }),
  );
  assert.ok(msgs.some((x) => x.id === m.id && x.content.includes(`/posts/${p.id}`)));
  const [outsider] = await registerUsers(t, 1);
  const denied = await t.api('POST', `/users/me/posts/${p.id}/share-to-channel`, {
    token: outsider!.accessToken,
    body: { channelId: space.generalId },
  });
  assert.equal(denied.status, 403);
});

test('deleting a space deletes its posts, with their comments and reposts', async () => {
  const { space, manager, member } = await socialSpace();
  const p = await createPost(t, manager, { body: 'soon gone', spaceId: space.id });
  await ok(
    t.api('POST', `/users/${manager.id}/posts/${p.id}/comments`, {
      token: member.accessToken,
      body: { body: 'hi' },
    }),
    201,
  );
  const repost = await ok(
    t.api('POST', '/users/me/posts/repost', { token: member.accessToken, body: { originalPostId: p.id } }),
    201,
  );
  assert.deepEqual(await feedIds(t, member), [repost.id, p.id]);
  assert.equal(
    (await t.api('DELETE', `/spaces/${space.id}`, { token: space.owner.accessToken })).status,
    204,
  );
  await until(
    async () => (await t.api('GET', `/follows/posts/${p.id}`, { token: member.accessToken })).status === 404,
  );
  assert.equal(
    (await t.api('GET', `/follows/posts/${repost.id}`, { token: member.accessToken })).status,
    404,
  );
  assert.deepEqual(await feedIds(t, member), []);
  const left = await t.reef.engine.db.db
    .selectFrom('posts')
    .select('id')
    .where('id', 'in', [p.id, repost.id])
    .execute();
  assert.deepEqual(left, []);
});
