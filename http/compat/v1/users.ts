/**
 * social-graph-api "User Following", "User Profile", "Search Users", minutes-left and contact info,
 * over reef's follows (domain/social) and accounts (profiles, own account).
 */
import * as v from 'valibot';
import { PatchMeInput, SearchQuery } from '../../../domain/accounts/users.schema.ts';
import { parseRate } from '../../../engine/config.ts';
import { forbidden } from '../../../engine/errors.ts';
import { me, type Ctx } from '../../context.ts';
import type { RouteDeps } from '../../routes/deps.ts';
import type { Router } from '../../router.ts';
import { body, parse, query } from '../../validate.ts';
import { pageOf, paginated, success, userParam, viewerOf } from './shapes.ts';

/** `?query=` (BeatPass) or `?q=` (reef). */
const SearchParams = v.looseObject({ query: v.optional(v.string()), q: v.optional(v.string()) });

/** PUT /users/profile/update: reef's own fields, or their snake_case spellings. */
const ProfileUpdate = v.pipe(
  v.looseObject({
    display_name: v.optional(v.unknown()),
    name: v.optional(v.unknown()),
    avatar_url: v.optional(v.unknown()),
    avatar: v.optional(v.unknown()),
    base_color: v.optional(v.unknown()),
    accent_color: v.optional(v.unknown()),
  }),
  v.transform((b) => {
    const { display_name, name, avatar_url, avatar, base_color, accent_color, ...rest } = b;
    const out: Record<string, unknown> = { ...rest };
    out['displayName'] ??= display_name ?? name;
    out['avatarUrl'] ??= avatar_url ?? avatar;
    out['baseColor'] ??= base_color;
    out['accentColor'] ??= accent_color;
    for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
    return out;
  }),
  PatchMeInput,
);

export function registerUserRoutes(r: Router, { engine, services }: RouteDeps): void {
  const db = engine.db.db;
  const { follows } = services.social;
  const { profiles, users } = services.accounts;
  const followRate = {
    name: 'follow',
    ...parseRate(engine.config.RATE_LIMIT_FOLLOW),
    by: 'user' as const,
    message: 'Too many follows; slow down and try again later',
  };
  const contactRate = {
    name: 'v1-contact-info',
    ...parseRate(engine.config.RATE_LIMIT_CONTACT_INFO),
    by: 'user' as const,
    message: 'Contact info is limited; try again in a minute',
  };

  // ---- User Following ----
  r.post('/users/:user/follow', { body: 'json-or-empty', rateLimit: followRate }, async (ctx) => {
    const { status } = await follows.follow(db, me(ctx).id, userParam(ctx));
    return success({ isFollowing: status === 'accepted', followStatus: status });
  });
  r.post('/users/:user/unfollow', { body: 'json-or-empty' }, async (ctx) => {
    await follows.unfollow(db, me(ctx).id, userParam(ctx));
    return success({ isFollowing: false });
  });
  r.get('/users/:user/follow-status', { auth: 'optional' }, async (ctx) => {
    const target = userParam(ctx);
    if (!ctx.user) return success({ isFollowing: false, isFollowedBy: false, followRequestPending: false });
    const s = await follows.status(db, ctx.user.id, target);
    return success({
      isFollowing: s.isFollowing,
      isFollowedBy: s.isFollowedBy,
      followRequestPending: s.followRequestPending,
    });
  });
  for (const [path, side] of [
    ['/users/:user/followers', 'followers'],
    ['/users/:user/followed-users', 'following'],
  ] as const) {
    r.get(path, { auth: 'optional' }, async (ctx) => {
      const p = pageOf(ctx);
      return paginated(p, await follows.list(db, side, userParam(ctx), p));
    });
  }

  // ---- User Profile ----
  r.get('/user-profile/:user', { auth: 'optional' }, async (ctx) => {
    const userId = userParam(ctx);
    const [user, counts] = await Promise.all([
      profiles.getProfile(db, viewerOf(ctx), userId),
      follows.counts(db, userId),
    ]);
    const relation =
      ctx.user && ctx.user.id !== userId ? await follows.status(db, ctx.user.id, userId) : null;
    return success({
      user: { ...user, followersCount: counts.followerCount, followingCount: counts.followingCount },
      // "Enhanced data returned when authenticated": the caller's relation to this user.
      ...(relation ? { isFollowing: relation.isFollowing, isFollowedBy: relation.isFollowedBy } : {}),
    });
  });
  r.put('/users/profile/update', async (ctx) =>
    success({ user: await users.patchMe(db, me(ctx).id, body(ctx, ProfileUpdate)) }),
  );
  r.get('/users/search', async (ctx) => {
    const sp = query(ctx, SearchParams);
    const { q } = parse(SearchQuery, { q: sp.query ?? sp.q }, 'query');
    return success({ users: await profiles.search(db, me(ctx).id, q) });
  });

  // ---- minutes-left: reef has no minute-based upload quota ----
  r.get('/users/:user/minutes-left', { auth: 'optional' }, async (ctx) => {
    await follows.counts(db, userParam(ctx)); // 404 for an unknown user
    return success({ minutesLeft: null });
  });

  // ---- contact info: the profile's links (and email for oneself), behind the profile gate ----
  r.get('/users/:user/contact-info', { rateLimit: contactRate }, async (ctx) => {
    const userId = userParam(ctx);
    const p = await profiles.getProfile(db, me(ctx).id, userId);
    if (!p.canViewProfile) throw forbidden('This profile is private');
    return success({ contactInfo: contactOf(ctx, p) });
  });
}

function contactOf(
  ctx: Ctx,
  p: { id: string; username: string; displayName: string; profileLinks: unknown[]; email?: string },
) {
  return {
    userId: p.id,
    username: p.username,
    displayName: p.displayName,
    email: ctx.user?.id === p.id ? (p.email ?? null) : null,
    links: p.profileLinks,
  };
}
