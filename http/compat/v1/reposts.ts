/**
 * social-graph-api "Reposts": track = post. A toggle reposts the post (reef's repost rules and limits:
 * no self-repost, REPOST_LIMIT_HOURLY / REPOST_LIMIT_DAILY → 429) or, when the caller already has a
 * plain repost of it, deletes that repost.
 */
import * as v from 'valibot';
import type { Db } from '../../../engine/db/index.ts';
import type { PostDto, Social } from '../../../domain/social/index.ts';
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

/** Pages of reef's post listings read to find reposts (the listings mix posts and reposts). */
const SCAN_PAGE = 50;
const MAX_SCAN_PAGES = 40;

type Lister = (before: string | undefined) => Promise<PostDto[]>;

/**
 * Reposts among a user's posts, newest first, from `before` on. reef has no reposts-only listing,
 * so this reads the user's posts page by page (at most MAX_SCAN_PAGES pages per call).
 */
async function repostsOf(
  list: Lister,
  before: string | undefined,
  want: number,
  match = (_p: PostDto) => true,
): Promise<{ found: PostDto[]; next: string | null }> {
  const found: PostDto[] = [];
  let cursor = before;
  for (let i = 0; i < MAX_SCAN_PAGES; i++) {
    const page = await list(cursor);
    for (const p of page) {
      if (p.originalPostId === null || !match(p)) continue;
      found.push(p);
      if (found.length === want) return { found, next: p.id };
    }
    if (page.length < SCAN_PAGE) return { found, next: null };
    cursor = page[page.length - 1]!.id;
  }
  return { found, next: cursor ?? null };
}

function myRepostOf(social: Social, db: Db, meId: string, postId: string): Promise<PostDto | undefined> {
  return repostsOf(
    (before) => social.reader.myPosts(db, meId, { before, limit: SCAN_PAGE }),
    undefined,
    1,
    (p) => p.originalPostId === postId && !p.body.trim(),
  ).then((r) => r.found[0]);
}

const asRepost = (p: PostDto) => ({ id: p.id, created_at: p.createdAt, track: p.originalPost });

export function registerRepostRoutes(r: Router, { engine, services }: RouteDeps): void {
  const db = engine.db.db;
  const social = services.social;

  r.post('/reposts/toggle', async (ctx) => {
    const meId = me(ctx).id;
    const trackId = body(ctx, ToggleInput).track_id;
    const existing = await myRepostOf(social, db, meId, trackId);
    if (existing) {
      await social.posts.remove(db, meId, existing.id);
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
    let hidden = false;
    const { found, next } = await repostsOf(
      async (before) => {
        const page = await social.reader.userPosts(db, viewer, userId, { before, limit: SCAN_PAGE });
        if (Array.isArray(page)) return page;
        hidden = true;
        return [];
      },
      q.cursor,
      perPage,
    );
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
