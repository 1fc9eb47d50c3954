/** Spec "Follows" (+ the feed, search and single-post reads under /follows). */
import { parseRate } from '../../engine/config.ts';
import { schema } from '../../domain/social/index.ts';
import { me, noContent } from '../context.ts';
import type { Router } from '../router.ts';
import { id, query } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

export function registerFollowsRoutes(r: Router, { engine, services }: RouteDeps): void {
  const { follows, reader } = services.social;
  const db = engine.db.db;
  const followRate = {
    name: 'follow',
    ...parseRate(engine.config.RATE_LIMIT_FOLLOW),
    by: 'user' as const,
    message: 'Too many follows; slow down and try again later',
  };

  // ---- posts ----
  r.get('/follows/feed', async (ctx) => reader.feed(db, me(ctx).id, query(ctx, schema.FeedQuery)));
  r.get('/follows/feed/search', async (ctx) => reader.search(db, me(ctx).id, query(ctx, schema.SearchQuery)));
  r.get('/follows/posts/:postId', async (ctx) => reader.get(db, me(ctx).id, id(ctx, 'postId')));
  r.get('/follows/spaces/:spaceId/posts', { auth: 'optional' }, async (ctx) =>
    reader.spacePosts(db, ctx.user?.id ?? null, id(ctx, 'spaceId'), query(ctx, schema.PostsQuery)),
  );

  // ---- requests ----
  r.get('/follows/requests/pending', async (ctx) =>
    follows.requests(db, me(ctx).id, 'incoming', query(ctx, schema.FollowListQuery)),
  );
  r.get('/follows/requests/sent', async (ctx) =>
    follows.requests(db, me(ctx).id, 'sent', query(ctx, schema.FollowListQuery)),
  );
  r.post('/follows/requests/:followerId/accept', { body: 'json-or-empty' }, async (ctx) =>
    follows.accept(db, me(ctx).id, id(ctx, 'followerId')),
  );
  r.post('/follows/requests/:followerId/decline', { body: 'json-or-empty' }, async (ctx) =>
    follows.decline(db, me(ctx).id, id(ctx, 'followerId')),
  );
  r.delete('/follows/followers/:followerId', { body: 'json-or-empty' }, async (ctx) => {
    await follows.removeFollower(db, me(ctx).id, id(ctx, 'followerId'));
    return noContent();
  });

  // ---- relationships ----
  r.get('/follows/status/:userId', async (ctx) => follows.status(db, me(ctx).id, id(ctx, 'userId')));
  r.get('/follows/counts/:userId', async (ctx) => follows.counts(db, id(ctx, 'userId')));
  r.get('/follows/:userId/followers', async (ctx) =>
    follows.list(db, 'followers', id(ctx, 'userId'), query(ctx, schema.FollowListQuery)),
  );
  r.get('/follows/:userId/following', async (ctx) =>
    follows.list(db, 'following', id(ctx, 'userId'), query(ctx, schema.FollowListQuery)),
  );
  r.post('/follows/:userId', { body: 'json-or-empty', rateLimit: followRate }, async (ctx) =>
    follows.follow(db, me(ctx).id, id(ctx, 'userId')),
  );
  r.delete('/follows/:userId', { body: 'json-or-empty' }, async (ctx) => {
    await follows.unfollow(db, me(ctx).id, id(ctx, 'userId'));
    return noContent();
  });
}
