/** Spec "User Posts": own posts, reposts, other users' posts, reactions, comments, shares. */
import { schema } from '../../domain/social/index.ts';
import { created, me, noContent, type Ctx } from '../context.ts';
import type { Router } from '../router.ts';
import { body, id, parse, query } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

export function registerPostsRoutes(r: Router, { engine, services }: RouteDeps): void {
  const { posts, reader, comments } = services.social;
  const db = engine.db.db;
  const emojiOf = (ctx: Ctx) => parse(schema.emoji, ctx.params['emoji'], 'emoji');

  // ---- own posts ----
  r.get('/users/me/posts', async (ctx) => reader.myPosts(db, me(ctx).id, query(ctx, schema.PostsQuery)));
  r.post(
    '/users/me/posts',
    // One more than allowed, so a 21st file is a clear 400 from the service instead of a cut stream.
    { body: 'multipart', maxFiles: schema.MAX_POST_FILES + 1 },
    async (ctx) => {
      const mp = ctx.multipart ?? { fields: {}, files: [] };
      const fields = parse(schema.CreatePostFields, mp.fields, 'form');
      const files = mp.files.filter((f) => f.field === 'files' || f.field === 'files[]');
      return created(await posts.create(db, me(ctx).id, fields, files));
    },
  );
  r.post('/users/me/posts/repost', async (ctx) =>
    created(await posts.repost(db, me(ctx).id, body(ctx, schema.RepostInput))),
  );
  r.patch('/users/me/posts/:postId', async (ctx) =>
    posts.patch(db, me(ctx).id, id(ctx, 'postId'), body(ctx, schema.PatchPostInput)),
  );
  r.delete('/users/me/posts/:postId', { body: 'json-or-empty' }, async (ctx) => {
    await posts.remove(db, me(ctx).id, id(ctx, 'postId'));
    return noContent();
  });
  r.put('/users/me/posts/:postId/pin', { body: 'json-or-empty' }, async (ctx) =>
    posts.pin(db, me(ctx).id, id(ctx, 'postId')),
  );
  r.delete('/users/me/posts/:postId/pin', { body: 'json-or-empty' }, async (ctx) => {
    await posts.unpin(db, me(ctx).id, id(ctx, 'postId'));
    return noContent();
  });
  r.post('/users/me/posts/:postId/share-to-channel', async (ctx) =>
    created(await posts.share(db, me(ctx).id, id(ctx, 'postId'), body(ctx, schema.ShareToChannelInput))),
  );
  r.post('/users/me/posts/:postId/share-to-dm', async (ctx) =>
    created(await posts.share(db, me(ctx).id, id(ctx, 'postId'), body(ctx, schema.ShareToDmInput))),
  );

  // ---- other users' posts ----
  r.get('/users/:userId/posts', async (ctx) =>
    reader.userPosts(db, me(ctx).id, id(ctx, 'userId'), query(ctx, schema.PostsQuery)),
  );

  // ---- reactions and comments, on one's own posts (owner = me) and on others' ----
  const owner = (ctx: Ctx) => (ctx.params['userId'] === undefined ? me(ctx).id : id(ctx, 'userId'));
  for (const base of ['/users/me/posts/:postId', '/users/:userId/posts/:postId']) {
    r.put(`${base}/reactions/:emoji`, { body: 'json-or-empty' }, async (ctx) =>
      comments.reactToPost(db, me(ctx).id, owner(ctx), id(ctx, 'postId'), emojiOf(ctx), true),
    );
    r.delete(`${base}/reactions/:emoji`, { body: 'json-or-empty' }, async (ctx) => {
      await comments.reactToPost(db, me(ctx).id, owner(ctx), id(ctx, 'postId'), emojiOf(ctx), false);
      return noContent();
    });
    r.get(`${base}/comments`, async (ctx) =>
      comments.list(db, me(ctx).id, owner(ctx), id(ctx, 'postId'), query(ctx, schema.CommentsQuery)),
    );
    r.post(`${base}/comments`, async (ctx) =>
      created(
        await comments.create(db, me(ctx).id, owner(ctx), id(ctx, 'postId'), body(ctx, schema.CommentInput)),
      ),
    );
    r.delete(`${base}/comments/:commentId`, { body: 'json-or-empty' }, async (ctx) => {
      await comments.remove(db, me(ctx).id, owner(ctx), id(ctx, 'postId'), id(ctx, 'commentId'));
      return noContent();
    });
  }

  r.put('/users/posts/comments/:commentId/reactions/:emoji', { body: 'json-or-empty' }, async (ctx) =>
    comments.reactToComment(db, me(ctx).id, id(ctx, 'commentId'), emojiOf(ctx), true),
  );
  r.delete('/users/posts/comments/:commentId/reactions/:emoji', { body: 'json-or-empty' }, async (ctx) => {
    await comments.reactToComment(db, me(ctx).id, id(ctx, 'commentId'), emojiOf(ctx), false);
    return noContent();
  });
}
