/**
 * social-graph-api "Reposts": track = post. A toggle reposts the post (reef's repost rules and limits:
 * no self-repost, REPOST_LIMIT_HOURLY / REPOST_LIMIT_DAILY → 429) or, when the caller already has a
 * plain repost of it, deletes that repost.
 */
import * as v from 'valibot';
import type { PostDto } from '../../../domain/social/index.ts';
import { me } from '../../context.ts';
import type { RouteDeps } from '../../routes/deps.ts';
import type { Router } from '../../router.ts';
import { body, limitParam, optionalSnowflakeParam, query } from '../../validate.ts';
import { bodyId, success, userParam, viewerOf } from './shapes.ts';

const ToggleInput = v.object({ track_id: bodyId });
const RepostsQuery = v.looseObject({
  cursor: optionalSnowflakeParam,
  perPage: v.optional(limitParam(20, 50)),
  per_page: v.optional(limitParam(20, 50)),
});

const asRepost = (p: PostDto) => ({ id: p.id, created_at: p.createdAt, track: p.originalPost });

export function registerRepostRoutes(r: Router, { engine, services }: RouteDeps): void {
  const db = engine.db.db;
  const social = services.social;

  r.post('/reposts/toggle', async (ctx) => {
    const meId = me(ctx).id;
    const trackId = body(ctx, ToggleInput).track_id;
    const existing = await social.reader.myRepostOf(db, meId, trackId);
    if (existing) {
      await social.posts.remove(db, meId, existing);
      return success({ reposted: false, action: 'removed' });
    }
    const repost = await social.posts.repost(db, meId, { originalPostId: trackId });
    return success({ reposted: true, action: 'reposted', repost: asRepost(repost) });
  });

  r.get('/users/:user/reposts', { auth: 'optional' }, async (ctx) => {
    const userId = userParam(ctx);
    const q = query(ctx, RepostsQuery);
    const perPage = q.perPage ?? q.per_page ?? 20;
    const viewer = viewerOf(ctx);
    const page = await social.reader.userReposts(db, viewer, userId, { before: q.cursor, limit: perPage });
    const hidden = !Array.isArray(page);
    const found = Array.isArray(page) ? page : [];
    const next = found.length === perPage ? found[found.length - 1]!.id : null;
    return success({
      ...(hidden ? { profilePrivate: true } : {}),
      pagination: {
        data: found.map(asRepost),
        per_page: perPage,
        next_cursor: next,
      },
    });
  });
}
