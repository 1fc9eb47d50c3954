/** Spec "Auth": register, login, sessions, email tokens, the MFA step of login. */
import { parseRate } from '../../engine/config.ts';
import {
  EmailInput,
  LoginInput,
  MfaVerifyInput,
  RefreshInput,
  RegisterInput,
  ResetPasswordInput,
  TokenInput,
} from '../../domain/accounts/auth.schema.ts';
import { created, me } from '../context.ts';
import type { RateLimitSpec, Router } from '../router.ts';
import { body } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

export function registerAuthRoutes(r: Router, { engine, services }: RouteDeps): void {
  const { auth, sessions, emailTokens } = services.accounts;
  const db = engine.db.db;
  const rate = parseRate(engine.config.RATE_LIMIT_AUTH);
  /** RATE_LIMIT_AUTH per IP, one bucket per endpoint. */
  const limit = (name: string, by: RateLimitSpec['by'] = 'ip'): RateLimitSpec => ({
    name: `auth-${name}`,
    ...rate,
    by,
    message: 'Too many attempts; try again later',
  });
  const open = (name: string) => ({ auth: 'none' as const, rateLimit: limit(name) });

  r.post('/auth/register', open('register'), async (ctx) =>
    created(await auth.register(db, body(ctx, RegisterInput))),
  );

  r.post('/auth/login', open('login'), async (ctx) => {
    const input = body(ctx, LoginInput);
    return auth.login(db, input.login, input.password);
  });

  r.post('/auth/mfa/verify', open('mfa'), async (ctx) => {
    const input = body(ctx, MfaVerifyInput);
    return auth.verifyMfa(db, input.mfaToken, input.code);
  });

  r.post('/auth/refresh', open('refresh'), async (ctx) =>
    sessions.refresh(db, body(ctx, RefreshInput).refreshToken),
  );

  r.post('/auth/logout', { auth: 'none' }, async (ctx) => {
    await sessions.logout(db, body(ctx, RefreshInput).refreshToken);
    return { success: true };
  });

  r.post('/auth/verify-email', open('verify'), async (ctx) => {
    await emailTokens.verifyEmail(db, body(ctx, TokenInput).token);
    return { success: true };
  });

  r.post('/auth/resend-verification', { rateLimit: limit('resend', 'user') }, async (ctx) => {
    await emailTokens.resendVerification(db, me(ctx).id);
    return { success: true };
  });

  r.post('/auth/magic-link/send', open('magic-send'), async (ctx) => {
    await emailTokens.sendMagicLink(db, body(ctx, EmailInput).email);
    return { success: true };
  });

  r.post('/auth/magic-link/redeem', open('magic-redeem'), async (ctx) =>
    emailTokens.redeemMagicLink(db, body(ctx, TokenInput).token),
  );

  r.post('/auth/forgot-password', open('forgot'), async (ctx) => {
    await emailTokens.forgotPassword(db, body(ctx, EmailInput).email);
    return { success: true };
  });

  r.post('/auth/reset-password', open('reset'), async (ctx) => {
    const input = body(ctx, ResetPasswordInput);
    await emailTokens.resetPassword(db, input.token, input.password);
    return { success: true };
  });
}
