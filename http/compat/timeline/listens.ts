/**
 * timeline-api "feed/events/listens/following" and ".../similar". reef has no listens: a listen
 * event is an activity post (a post of a followed user, from reef's feed, as the viewer may see it),
 * shaped as a ListenBrainz `listen` event. reef has no user similarity, so /similar is empty.
 * `min_ts` / `max_ts` (unix seconds, exclusive) and `count` as for feed/events.
 */
import type { PostDto } from '../../../domain/social/index.ts';
import { timelineSchema } from '../../../domain/timeline/index.ts';
import { badRequest, forbidden } from '../../../engine/errors.ts';
import { snowflakeAt } from '../../../engine/ids.ts';
import type { RouteDeps } from '../../routes/deps.ts';
import type { Router } from '../../router.ts';
import { query } from '../../validate.ts';
import { caller, lb, userByName } from './shapes.ts';

/** reef's feed pages (its maximum) and how many are read at most per call. */
const FEED_PAGE = 50;
const MAX_PAGES = 20;

const listenOf = (p: PostDto) => {
  const created = Math.floor(Date.parse(p.createdAt) / 1000);
  return {
    id: p.id,
    event_type: 'listen',
    user_name: p.author?.username ?? null,
    created,
    metadata: {
      listened_at: created,
      track_metadata: {
        track_name: (p.body || p.originalPost?.body || '').slice(0, 200),
        artist_name: p.author?.displayName ?? p.author?.username ?? null,
        additional_info: { post_id: p.id, original_post_id: p.originalPostId, visibility: p.visibility },
      },
    },
    hidden: false,
  };
};

export function registerListenRoutes(r: Router, { engine, services }: RouteDeps): void {
  const db = engine.db.db;
  const { reader } = services.social;
  const cfg = engine.config;

  const window = (q: {
    min_ts?: number | undefined;
    max_ts?: number | undefined;
    count?: number | undefined;
  }) => {
    const count = q.count ?? cfg.TIMELINE_FEED_DEFAULT;
    if (count > cfg.TIMELINE_FEED_MAX) throw badRequest(`count must be at most ${cfg.TIMELINE_FEED_MAX}`);
    if (q.min_ts !== undefined && q.max_ts !== undefined && q.min_ts >= q.max_ts)
      throw badRequest('min_ts must be less than max_ts');
    return { count, minMs: q.min_ts === undefined ? null : q.min_ts * 1000, maxTs: q.max_ts };
  };

  for (const kind of ['following', 'similar'] as const) {
    r.get(
      `/user/:userName/feed/events/listens/${kind}`,
      { auth: 'optional' },
      lb(async (ctx) => {
        const me = caller(ctx);
        const u = await userByName(services, db, ctx);
        if (u.id !== me.id) throw forbidden("You don't have permissions to view this user's timeline.");
        const w = window(query(ctx, timelineSchema.FeedQuery));
        const out: ReturnType<typeof listenOf>[] = [];
        if (kind === 'following') {
          // Posts of followed users only (the feed also holds one's own and space posts).
          let before = w.maxTs === undefined ? undefined : snowflakeAt(w.maxTs * 1000);
          scan: for (let i = 0; i < MAX_PAGES; i++) {
            const page = await reader.feed(db, me.id, { before, limit: FEED_PAGE });
            for (const p of page) {
              if (w.minMs !== null && Date.parse(p.createdAt) < w.minMs + 1000) break scan;
              if (p.authorId === me.id || p.spaceId !== null) continue;
              out.push(listenOf(p));
              if (out.length === w.count) break scan;
            }
            if (page.length < FEED_PAGE) break;
            before = page[page.length - 1]!.id;
          }
        }
        return { payload: { count: out.length, user_id: u.username, events: out } };
      }),
    );
  }
}
