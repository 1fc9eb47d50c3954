/** timeline-api "Follow API": followers, following, follow, unfollow, over reef's follows. */
import { parseRate } from '../../../engine/config.ts';
import { badRequest } from '../../../engine/errors.ts';
import type { Db } from '../../../engine/db/index.ts';
import type { Social } from '../../../domain/social/index.ts';
import { enforceRateLimit } from '../../server.ts';
import type { RouteDeps } from '../../routes/deps.ts';
import type { Router } from '../../router.ts';
import { caller, lb, userByName } from './shapes.ts';

/** reef lists at most this many per call; the surface returns the whole list. */
const LIST_PAGE = 1000;

async function allNames(social: Social, db: Db, side: 'followers' | 'following', userId: string) {
  const names: string[] = [];
  for (let offset = 0; ; offset += LIST_PAGE) {
    const page = await social.follows.list(db, side, userId, { limit: LIST_PAGE, offset });
    names.push(...page.map((u) => u.username));
    if (page.length < LIST_PAGE) return names;
  }
}

export function registerFollowRoutes(r: Router, { engine, services }: RouteDeps): void {
  const db = engine.db.db;
  const social = services.social;
  const opt = { auth: 'optional' as const, body: 'json-or-empty' as const };
  const followRate = {
    name: 'follow',
    ...parseRate(engine.config.RATE_LIMIT_FOLLOW),
    by: 'user' as const,
    message: 'Too many follows; slow down and try again later',
  };

  r.get(
    '/user/:userName/followers',
    opt,
    lb(async (ctx) => {
      const u = await userByName(services, db, ctx);
      return { followers: await allNames(social, db, 'followers', u.id), user: u.username };
    }),
  );
  r.get(
    '/user/:userName/following',
    opt,
    lb(async (ctx) => {
      const u = await userByName(services, db, ctx);
      return { following: await allNames(social, db, 'following', u.id), user: u.username };
    }),
  );
  r.post(
    '/user/:userName/follow',
    opt,
    lb(async (ctx) => {
      const me = caller(ctx);
      const u = await userByName(services, db, ctx);
      if (u.id === me.id) throw badRequest('Whoops, cannot follow yourself.');
      const s = await social.follows.status(db, me.id, u.id);
      if (s.isFollowing || s.followRequestPending)
        throw badRequest(`${me.username} is already following user ${u.username}`);
      await enforceRateLimit(engine.kv, followRate, ctx);
      await social.follows.follow(db, me.id, u.id);
      return { status: 'ok' };
    }),
  );
  r.post(
    '/user/:userName/unfollow',
    opt,
    lb(async (ctx) => {
      const me = caller(ctx);
      const u = await userByName(services, db, ctx);
      await social.follows.unfollow(db, me.id, u.id);
      return { status: 'ok' };
    }),
  );
}
