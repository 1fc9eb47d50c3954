/**
 * ListenBrainz shapes for /1/user/:userName (API-DECISIONS "Compatibility bodies"): errors as
 * `{ "code": <status>, "error": "<message>" }`, users by name. Auth is `Authorization: Token <access
 * token>` or `Bearer <access token>` (the edge reads both, http/server.ts); routes take it optionally
 * so a missing or invalid token is answered here, in this surface's shape.
 */
import * as v from 'valibot';
import { AppError, notFound, unauthorized } from '../../../engine/errors.ts';
import { isSnowflake } from '../../../engine/ids.ts';
import { Reply, type AuthUser, type Ctx } from '../../context.ts';
import type { Handler } from '../../router.ts';
import type { Services } from '../../services.ts';
import type { Db } from '../../../engine/db/index.ts';

/** A handler whose AppErrors leave as ListenBrainz errors (status, Retry-After kept). */
export function lb(handler: Handler): Handler {
  return async (ctx) => {
    try {
      return await handler(ctx);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return new Reply(err.status, { code: err.status, error: err.message }, err.headers ?? {});
    }
  };
}

/** The caller; 401 in this surface's words when no valid token came. */
export function caller(ctx: Ctx): AuthUser {
  if (!ctx.user) throw unauthorized('You need to provide an Authorization header with a valid user token.');
  return ctx.user;
}

/** `:userName` → the reef user (404 "User not found"). */
export async function userByName(
  services: Services,
  db: Db,
  ctx: Ctx,
): Promise<{ id: string; username: string }> {
  const name = (ctx.params['userName'] ?? '').slice(0, 64);
  const u = await services.timeline.events.user(db, { username: name });
  if (!u) throw notFound('User not found');
  return { id: u.id, username: u.username };
}

/**
 * An id in a JSON body: a decimal string, or a JSON integer when exact (reef's snowflake ids pass
 * 2^53, so clients should send the string they received).
 */
export const bodyId = v.pipe(
  v.union([v.string(), v.pipe(v.number(), v.safeInteger(), v.minValue(1))], 'must be an event id'),
  v.transform((x) => String(x)),
  v.check((s) => isSnowflake(s), 'must be an event id'),
);

/** The caller must be `:userName` themselves (401 otherwise, as ListenBrainz answers). */
export async function selfByName(services: Services, db: Db, ctx: Ctx, what: string): Promise<AuthUser> {
  const me = caller(ctx);
  const u = await userByName(services, db, ctx);
  if (u.id !== me.id) throw unauthorized(`You don't have permissions to ${what} on behalf of this user.`);
  return me;
}
