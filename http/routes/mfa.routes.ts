/** Spec "MFA (TOTP)": all endpoints require auth. */
import { PasswordInput, TotpCodeInput } from '../../domain/accounts/auth.schema.ts';
import { parseRate } from '../../engine/config.ts';
import { me } from '../context.ts';
import type { RateLimitSpec, Router } from '../router.ts';
import { body } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

export function registerMfaRoutes(r: Router, { engine, services }: RouteDeps): void {
  const { mfa } = services.accounts;
  const db = engine.db.db;
  // Codes and passwords are guessable one by one: the auth limit, per user.
  const rateLimit: RateLimitSpec = { name: 'mfa', ...parseRate(engine.config.RATE_LIMIT_AUTH), by: 'user' };

  r.post('/mfa/totp/setup', async (ctx) => mfa.setup(db, me(ctx).id));

  r.post('/mfa/totp/confirm', { rateLimit }, async (ctx) => ({
    backupCodes: await mfa.confirm(db, me(ctx).id, body(ctx, TotpCodeInput).code),
  }));

  r.post('/mfa/totp/disable', { rateLimit }, async (ctx) => {
    await mfa.disable(db, me(ctx).id, body(ctx, PasswordInput).password);
    return { success: true };
  });

  r.post('/mfa/totp/backup-codes', { rateLimit }, async (ctx) => ({
    backupCodes: await mfa.regenerateBackupCodes(db, me(ctx).id, body(ctx, PasswordInput).password),
  }));
}
