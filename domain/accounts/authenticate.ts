/**
 * Resolves an access token to the caller. Every authenticated request runs this: the token must
 * verify and not be expired, the account must exist, and a globally banned account gets
 * 403 "Your account has been suspended" (spec: Ban Enforcement) on every authenticated endpoint.
 */
import { forbidden, unauthorized } from '../../engine/errors.ts';
import type { Engine } from '../../engine/index.ts';
import type { AuthUser } from '../../engine/auth/types.ts';

export function createAuthenticator(engine: Engine): (token: string) => Promise<AuthUser> {
  const { db } = engine.db;
  return async (token) => {
    const claims = await engine.jwt.verify(token, 'access', engine.clock.now());
    if (!claims) throw unauthorized('Invalid or expired access token');
    const row = await db
      .selectFrom('users')
      .leftJoin('user_bans', 'user_bans.user_id', 'users.id')
      .select(['users.id', 'users.username', 'users.is_admin', 'user_bans.user_id as banned'])
      .where('users.id', '=', claims.sub)
      .executeTakeFirst();
    if (!row) throw unauthorized('Account no longer exists');
    if (row.banned) throw forbidden('Your account has been suspended');
    return { id: row.id, username: row.username, isAdmin: row.is_admin };
  };
}
