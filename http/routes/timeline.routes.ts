/**
 * Pages, library and timeline events in reef's own API (issue 8; README "Pages, library and
 * timeline"). The compatibility surfaces (http/compat) serve the same services at their own paths.
 */
import * as v from 'valibot';
import { parseRate } from '../../engine/config.ts';
import { collectionsSchema, librarySchema, type LikeKind } from '../../domain/library/index.ts';
import { timelineSchema } from '../../domain/timeline/index.ts';
import { created, me, noContent, type Ctx } from '../context.ts';
import type { Router } from '../router.ts';
import { body, id, query } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

const EventTypeQuery = v.object({ eventType: v.optional(v.pipe(v.string(), v.maxLength(50))) });

export function registerTimelineRoutes(r: Router, { engine, services }: RouteDeps): void {
  const { library, pages, collections, events } = services.timeline;
  const db = engine.db.db;
  const page = (ctx: Ctx) => query(ctx, librarySchema.PageQuery);
  /** `?userId=` (default: the caller) and the page. */
  const whose = (ctx: Ctx) => {
    const q = query(ctx, librarySchema.LibraryListQuery);
    return { ownerId: q.userId ?? me(ctx).id, page: { limit: q.limit, offset: q.offset } };
  };

  // social-graph-api "Follow Rate": page follows share the user-follow budget (RATE_LIMIT_FOLLOW).
  const followRate = {
    name: 'follow',
    ...parseRate(engine.config.RATE_LIMIT_FOLLOW),
    by: 'user' as const,
    message: 'Too many follows; slow down and try again later',
  };

  // ---- pages (following-guide "Following Producers") ----
  r.get('/pages/followed', async (ctx) => {
    const w = whose(ctx);
    return pages.followed(db, w.ownerId, w.page);
  });
  r.post('/pages/:spaceId/follow', { body: 'json-or-empty', rateLimit: followRate }, async (ctx) =>
    pages.follow(db, me(ctx).id, id(ctx, 'spaceId')),
  );
  r.delete('/pages/:spaceId/follow', { body: 'json-or-empty' }, async (ctx) => {
    await pages.unfollow(db, me(ctx).id, id(ctx, 'spaceId'));
    return noContent();
  });
  r.get('/pages/:spaceId/follow', async (ctx) => pages.status(db, me(ctx).id, id(ctx, 'spaceId')));
  r.get('/pages/:spaceId/followers', async (ctx) => pages.followers(db, id(ctx, 'spaceId'), page(ctx)));

  // ---- library (social-graph-api "User Library") ----
  const kinds: Array<[string, LikeKind, string]> = [
    ['posts', 'post', 'postId'],
    ['pages', 'page', 'spaceId'],
    ['users', 'user', 'userId'],
    ['collections', 'collection', 'collectionId'],
  ];
  for (const [seg, kind, param] of kinds) {
    r.put(`/library/${seg}/:${param}`, { body: 'json-or-empty' }, async (ctx) =>
      library.like(db, me(ctx).id, kind, id(ctx, param)),
    );
    r.delete(`/library/${seg}/:${param}`, { body: 'json-or-empty' }, async (ctx) => {
      await library.unlike(db, me(ctx).id, kind, id(ctx, param));
      return noContent();
    });
    r.get(`/library/${seg}/:${param}`, async (ctx) => ({
      liked: await library.isLiked(db, me(ctx).id, kind, id(ctx, param)),
    }));
  }
  r.get('/library/posts', async (ctx) => {
    const w = whose(ctx);
    return library.likedPosts(db, me(ctx).id, w.ownerId, w.page);
  });
  r.get('/library/pages', async (ctx) => {
    const w = whose(ctx);
    return library.likedPages(db, w.ownerId, w.page);
  });
  r.get('/library/users', async (ctx) => {
    const w = whose(ctx);
    return library.likedUsers(db, w.ownerId, w.page);
  });
  r.get('/library/collections', async (ctx) => {
    const w = whose(ctx);
    return library.likedCollections(db, me(ctx).id, w.ownerId, w.page);
  });
  r.get('/library/counts', async (ctx) => library.counts(db, whose(ctx).ownerId));

  // ---- collections (social-graph-api "Collections") ----
  r.get('/collections', async (ctx) => {
    const q = query(ctx, librarySchema.LibraryListQuery);
    return collections.list(db, me(ctx).id, { ownerId: q.userId }, { limit: q.limit, offset: q.offset });
  });
  r.get('/collections/mine', async (ctx) =>
    collections.list(db, me(ctx).id, { ownerId: me(ctx).id }, page(ctx)),
  );
  r.get('/collections/featured', async (ctx) =>
    collections.list(db, me(ctx).id, { featured: true }, page(ctx)),
  );
  r.get('/collections/recommendations', async (ctx) =>
    collections.recommendations(db, me(ctx).id, page(ctx)),
  );
  r.post('/collections', async (ctx) =>
    created(await collections.create(db, me(ctx).id, body(ctx, collectionsSchema.CreateCollectionInput))),
  );
  r.get('/collections/:collectionId', async (ctx) =>
    collections.get(db, me(ctx).id, id(ctx, 'collectionId')),
  );
  r.put('/collections/:collectionId', async (ctx) =>
    collections.update(
      db,
      me(ctx).id,
      id(ctx, 'collectionId'),
      body(ctx, collectionsSchema.UpdateCollectionInput),
    ),
  );
  r.delete('/collections/:collectionId', { body: 'json-or-empty' }, async (ctx) => {
    await collections.remove(db, me(ctx).id, id(ctx, 'collectionId'));
    return noContent();
  });
  r.post('/collections/:collectionId/play', { body: 'json-or-empty' }, async (ctx) =>
    collections.play(db, me(ctx).id, id(ctx, 'collectionId')),
  );
  r.post('/collections/:collectionId/items', async (ctx) =>
    collections.addItem(db, me(ctx).id, id(ctx, 'collectionId'), body(ctx, collectionsSchema.AddItemInput)),
  );
  r.delete('/collections/:collectionId/items/:postId', { body: 'json-or-empty' }, async (ctx) => {
    await collections.removeItem(db, me(ctx).id, id(ctx, 'collectionId'), id(ctx, 'postId'));
    return noContent();
  });
  r.put('/collections/:collectionId/featured', async (ctx) =>
    collections.setFeatured(
      db,
      me(ctx),
      id(ctx, 'collectionId'),
      body(ctx, collectionsSchema.FeatureInput).featured,
    ),
  );

  // ---- timeline events (timeline-api "User Timeline API") ----
  const s = timelineSchema;
  r.post('/timeline/events/recommendation', async (ctx) =>
    created(await events.recommend(db, me(ctx).id, body(ctx, s.RecommendationInput))),
  );
  r.post('/timeline/events/notification', async (ctx) =>
    created(await events.notification(db, me(ctx), body(ctx, s.NotificationInput))),
  );
  r.post('/timeline/events/review', async (ctx) =>
    created(await events.review(db, me(ctx).id, body(ctx, s.ReviewInput))),
  );
  r.post('/timeline/events/personal-recommendation', async (ctx) =>
    created(await events.recommendPersonal(db, me(ctx), body(ctx, s.PersonalRecommendationInput))),
  );
  r.delete('/timeline/events/:eventId', { body: 'json-or-empty' }, async (ctx) => {
    await events.remove(db, me(ctx).id, id(ctx, 'eventId'), query(ctx, EventTypeQuery).eventType);
    return noContent();
  });
  r.get('/timeline/feed', async (ctx) => events.feed(db, me(ctx).id, query(ctx, s.FeedQuery)));
  r.get('/timeline/users/:userId/events', async (ctx) =>
    events.userEvents(db, me(ctx).id, id(ctx, 'userId'), query(ctx, s.FeedQuery)),
  );
  r.post('/timeline/hidden', async (ctx) => events.hide(db, me(ctx).id, body(ctx, s.HideInput)));
  r.delete('/timeline/hidden/:eventId', { body: 'json-or-empty' }, async (ctx) => {
    await events.unhide(db, me(ctx).id, id(ctx, 'eventId'));
    return noContent();
  });
  r.get('/timeline/approved', async (ctx) => events.approved(db, me(ctx)));
  r.put('/timeline/approved/:userId', { body: 'json-or-empty' }, async (ctx) =>
    events.approve(db, me(ctx), id(ctx, 'userId')),
  );
  r.delete('/timeline/approved/:userId', { body: 'json-or-empty' }, async (ctx) => {
    await events.unapprove(db, me(ctx), id(ctx, 'userId'));
    return noContent();
  });
}
