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
import { sha256 } from '../../domain/accounts/tokens.ts';
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
  /** Emails to one address are also limited, whatever the IPs asking (no mail-bombing a victim). */
  const perAddress = (name: string) => ({
    auth: 'none' as const,
    rateLimit: [
      limit(name),
      limit(`${name}-address`, (ctx) => `email:${sha256(String(bodyEmail(ctx.body)))}`),
    ],
  });

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

  r.post('/auth/magic-link/send', perAddress('magic-send'), async (ctx) => {
    await emailTokens.sendMagicLink(db, body(ctx, EmailInput).email);
    return { success: true };
  });

  r.post('/auth/magic-link/redeem', open('magic-redeem'), async (ctx) =>
    emailTokens.redeemMagicLink(db, body(ctx, TokenInput).token),
  );

  r.post('/auth/forgot-password', perAddress('forgot'), async (ctx) => {
    await emailTokens.forgotPassword(db, body(ctx, EmailInput).email);
    return { success: true };
  });

  r.post('/auth/reset-password', open('reset'), async (ctx) => {
    const input = body(ctx, ResetPasswordInput);
    await emailTokens.resetPassword(db, input.token, input.password);
    return { success: true };
  });
}

/** The `email` of a not yet validated body, normalised, for a rate-limit key. */
function bodyEmail(body: unknown): string {
  const email = typeof body === 'object' && body !== null ? (body as { email?: unknown }).email : undefined;
  return typeof email === 'string' ? email.trim().toLowerCase() : '';
}
