/**
 * social-graph-api "Artist Following" (artist = page: a space with socialEnabled; following a page
 * is liking it), "User Library" (track = post; album = collection; liked artists = followed pages) and "Collections" /
 * user playlists (album and playlist = user collection), over reef's library (domain/library).
 */
import * as v from 'valibot';
import { parseRate } from '../../../engine/config.ts';
import { collectionsSchema, type LikeKind } from '../../../domain/library/index.ts';
import { created, me, type Ctx } from '../../context.ts';
import type { RouteDeps } from '../../routes/deps.ts';
import type { Router } from '../../router.ts';
import { body, id, parse } from '../../validate.ts';
import { bodyId, pageOf, paginated, success, userParam, viewerOf } from './shapes.ts';

/**
 * POST /users/me/add-to-library and remove-from-library: `{ track_id }`, or the `likeables` list
 * (`[{ likeable_id, likeable_type: "track" | "album" | "artist" | "user" }]`): a post, a collection, a
 * page or a user.
 */
const LIKE_KINDS = { track: 'post', album: 'collection', artist: 'page', user: 'user' } as const;
const LibraryInput = v.union([
  v.object({ track_id: bodyId }),
  v.object({
    likeables: v.pipe(
      v.array(
        v.object({
          likeable_id: bodyId,
          likeable_type: v.picklist(
            ['track', 'album', 'artist', 'user'],
            'must be track, album, artist or user',
          ),
        }),
      ),
      v.minLength(1, 'must list at least one item'),
      v.maxLength(100, 'must list at most 100 items'),
    ),
  }),
]);
const itemsOf = (input: v.InferOutput<typeof LibraryInput>): Array<{ kind: LikeKind; id: string }> =>
  'track_id' in input
    ? [{ kind: 'post' as const, id: input.track_id }]
    : input.likeables.map((l) => ({ kind: LIKE_KINDS[l.likeable_type], id: l.likeable_id }));

/** Collections: reef's fields, or `is_public` / `track_ids` as BeatPass clients spell them. */
const CollectionAliases = v.pipe(
  v.looseObject({ is_public: v.optional(v.unknown()), track_ids: v.optional(v.unknown()) }),
  v.transform((b): Record<string, unknown> => {
    const { is_public, track_ids, ...rest } = b;
    const out: Record<string, unknown> = { ...rest };
    if (out['isPublic'] === undefined && is_public !== undefined) out['isPublic'] = is_public;
    if (out['postIds'] === undefined && Array.isArray(track_ids))
      out['postIds'] = track_ids.map((x: unknown) => (typeof x === 'number' ? String(x) : x));
    return out;
  }),
);
const collectionInput = <S extends v.GenericSchema>(ctx: Ctx, schema: S): v.InferOutput<S> =>
  parse(schema, body(ctx, CollectionAliases));

export function registerLibraryRoutes(r: Router, { engine, services }: RouteDeps): void {
  const db = engine.db.db;
  const { library, pages, collections } = services.timeline;
  const { follows } = services.social;
  const followRate = {
    name: 'follow',
    ...parseRate(engine.config.RATE_LIMIT_FOLLOW),
    by: 'user' as const,
    message: 'Too many follows; slow down and try again later',
  };
  const artist = (ctx: Ctx) => id(ctx, 'artistId');
  const collection = (ctx: Ctx) => id(ctx, 'id');

  // ---- Artist Following (artist = page) ----
  r.post('/artists/:artistId/follow', { body: 'json-or-empty', rateLimit: followRate }, async (ctx) => {
    const s = await pages.follow(db, me(ctx).id, artist(ctx));
    return success({ isFollowing: s.isFollowing, followersCount: s.followerCount });
  });
  r.post('/artists/:artistId/unfollow', { body: 'json-or-empty' }, async (ctx) => {
    await pages.unfollow(db, me(ctx).id, artist(ctx));
    const s = await pages.status(db, me(ctx).id, artist(ctx));
    return success({ isFollowing: false, followersCount: s.followerCount });
  });
  r.get('/artists/:artistId/follow-status', { auth: 'optional' }, async (ctx) => {
    const s = await pages.status(db, viewerOf(ctx), artist(ctx));
    return success({ isFollowing: s.isFollowing, followersCount: s.followerCount });
  });
  r.get('/artists/:artistId/followers', { auth: 'optional' }, async (ctx) => {
    const p = pageOf(ctx);
    return paginated(p, await pages.followers(db, artist(ctx), p));
  });

  // ---- User Library (track = post; liked artists = followed pages) ----
  r.post('/users/me/add-to-library', async (ctx) => {
    const meId = me(ctx).id;
    for (const it of itemsOf(body(ctx, LibraryInput))) await library.like(db, meId, it.kind, it.id);
    return success({ counts: await library.counts(db, meId) });
  });
  r.post('/users/me/remove-from-library', async (ctx) => {
    const meId = me(ctx).id;
    for (const it of itemsOf(body(ctx, LibraryInput))) await library.unlike(db, meId, it.kind, it.id);
    return success({ counts: await library.counts(db, meId) });
  });
  r.get('/users/:user/liked-tracks', { auth: 'optional' }, async (ctx) => {
    const p = pageOf(ctx);
    return paginated(p, await library.likedPosts(db, viewerOf(ctx), userParam(ctx), p));
  });
  r.get('/users/:user/liked-artists', { auth: 'optional' }, async (ctx) => {
    const p = pageOf(ctx);
    return paginated(p, await library.likedPages(db, userParam(ctx), p));
  });
  r.get('/users/:user/liked-albums', { auth: 'optional' }, async (ctx) => {
    const p = pageOf(ctx);
    return paginated(p, await library.likedCollections(db, viewerOf(ctx), userParam(ctx), p));
  });

  // ---- Collections and playlists (album / playlist = user collection) ----
  r.get('/users/:user/playlists', { auth: 'optional' }, async (ctx) => {
    const p = pageOf(ctx);
    const owner = userParam(ctx);
    await follows.counts(db, owner); // 404 for an unknown user
    return paginated(p, await collections.list(db, viewerOf(ctx), { ownerId: owner }, p));
  });
  r.get('/collections', async (ctx) => {
    const p = pageOf(ctx);
    return paginated(p, await collections.list(db, me(ctx).id, {}, p));
  });
  r.get('/collections/featured', async (ctx) => {
    const p = pageOf(ctx);
    return paginated(p, await collections.list(db, me(ctx).id, { featured: true }, p));
  });
  r.get('/collections/user', async (ctx) => {
    const p = pageOf(ctx);
    return paginated(p, await collections.list(db, me(ctx).id, { ownerId: me(ctx).id }, p));
  });
  r.get('/collections/recommendations', async (ctx) => {
    const p = pageOf(ctx);
    return paginated(p, await collections.recommendations(db, me(ctx).id, p));
  });
  r.post('/collections', async (ctx) =>
    created(
      success({
        collection: await collections.create(
          db,
          me(ctx).id,
          collectionInput(ctx, collectionsSchema.CreateCollectionInput),
        ),
      }),
    ),
  );
  r.get('/collections/:id', async (ctx) =>
    success({ collection: await collections.get(db, me(ctx).id, collection(ctx)) }),
  );
  r.put('/collections/:id', async (ctx) =>
    success({
      collection: await collections.update(
        db,
        me(ctx).id,
        collection(ctx),
        collectionInput(ctx, collectionsSchema.UpdateCollectionInput),
      ),
    }),
  );
  r.delete('/collections/:id', { body: 'json-or-empty' }, async (ctx) => {
    await collections.remove(db, me(ctx).id, collection(ctx));
    return success({});
  });
  r.post('/collections/:id/play', { body: 'json-or-empty' }, async (ctx) =>
    success({ collection: await collections.play(db, me(ctx).id, collection(ctx)) }),
  );
}
