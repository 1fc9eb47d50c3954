/**
 * ListenBrainz shapes for /1/user/:userName (API-DECISIONS "Compatibility bodies"): errors as
 * `{ "code": <status>, "error": "<message>" }`, users by name. Auth is `Authorization: Token <access
 * token>` or `Bearer <access token>` (the edge reads both, http/server.ts); routes take it optionally
 * so a missing or invalid token is answered here, in this surface's shape.
 */
import { AppError, unauthorized } from '../../../engine/errors.ts';
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
  const name = ctx.params['userName'] ?? '';
  const p = await services.accounts.profiles.getByUsername(db, ctx.user?.id ?? '0', name.slice(0, 64));
  return { id: p.id, username: p.username };
}
