/**
 * Single-use tokens sent by email (spec "Auth"): email verification, magic-link login and password
 * reset. Only their SHA-256 is stored; lifetimes come from EMAIL_TOKEN_TTL_S / RESET_TOKEN_TTL_S.
 * Sending never tells whether an address has an account.
 */
import { badRequest, forbidden, unauthorized } from '../../engine/errors.ts';
import type { AccountsPorts } from './ports.ts';
import type { Passwords } from './passwords.ts';
import { SUSPENDED, type LoginResult, type SessionsService } from './sessions.service.ts';
import { inTx, randomToken, sha256, type Db } from './tokens.ts';
import { findUserByEmail, findUserById, isBanned } from './users.repository.ts';
import type { UserRow } from './users.schema.ts';

export type EmailKind = 'verify' | 'magic' | 'reset';

const EMAILS: Record<EmailKind, { path: string; subject: string; what: string }> = {
  verify: { path: '/verify-email', subject: 'Verify your email address', what: 'Confirm your email address' },
  magic: { path: '/magic-link', subject: 'Your sign-in link', what: 'Sign in with this link' },
  reset: { path: '/reset-password', subject: 'Reset your password', what: 'Choose a new password' },
};

export class EmailTokensService {
  constructor(
    private readonly e: AccountsPorts,
    private readonly sessions: SessionsService,
    private readonly passwords: Passwords,
  ) {}

  private now(): Date {
    return new Date(this.e.clock.now());
  }

  private ttlSeconds(kind: EmailKind): number {
    return kind === 'reset' ? this.e.config.RESET_TOKEN_TTL_S : this.e.config.EMAIL_TOKEN_TTL_S;
  }

  async create(db: Db, userId: string, kind: EmailKind): Promise<string> {
    const token = randomToken();
    const nowMs = this.e.clock.now();
    await db
      .insertInto('email_tokens')
      .values({
        token_hash: sha256(token),
        user_id: userId,
        kind,
        expires_at: new Date(nowMs + this.ttlSeconds(kind) * 1000),
        created_at: new Date(nowMs),
      })
      .execute();
    return token;
  }

  /** Marks a live token used and returns its user; null when unknown, expired, used or of another kind. */
  private async consume(db: Db, token: string, kind: EmailKind): Promise<string | null> {
    const now = this.now();
    const row = await db
      .updateTable('email_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', sha256(token))
      .where('kind', '=', kind)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('user_id')
      .executeTakeFirst();
    return row?.user_id ?? null;
  }

  /** Enqueues the email; `meta` carries the kind and token for the outbox and tests. */
  async send(user: Pick<UserRow, 'email' | 'display_name'>, kind: EmailKind, token: string): Promise<void> {
    const base = this.e.config.PUBLIC_URL.replace(/\/+$/, '');
    const { path, subject, what } = EMAILS[kind];
    const link = `${base}${path}?token=${encodeURIComponent(token)}`;
    const minutes = Math.round(this.ttlSeconds(kind) / 60);
    try {
      await this.e.email.send({
        to: user.email,
        subject,
        text: `Hi ${user.display_name},\n\n${what}:\n${link}\n\nThe link works once, for ${minutes} minutes.\n`,
        meta: { kind, token, link },
      });
    } catch (err) {
      // The account change is done; the user can ask for another email. Logged, not swallowed.
      this.e.log.error({ err, kind }, 'could not enqueue email');
    }
  }

  /** POST /auth/verify-email */
  async verifyEmail(db: Db, token: string): Promise<void> {
    const userId = await this.consume(db, token, 'verify');
    if (!userId) throw badRequest('Invalid or expired verification token');
    await db
      .updateTable('users')
      .set({ email_verified: true, updated_at: this.now() })
      .where('id', '=', userId)
      .execute();
  }

  /** POST /auth/resend-verification */
  async resendVerification(db: Db, userId: string): Promise<void> {
    const user = await findUserById(db, userId);
    if (!user) throw unauthorized('Account no longer exists');
    if (user.email_verified) throw badRequest('Email is already verified');
    await this.send(user, 'verify', await this.create(db, user.id, 'verify'));
  }

  /** POST /auth/magic-link/send: the same answer whether or not the address has an account. */
  async sendMagicLink(db: Db, email: string): Promise<void> {
    const user = await findUserByEmail(db, email);
    if (!user || (await isBanned(db, user.id))) return;
    await this.send(user, 'magic', await this.create(db, user.id, 'magic'));
  }

  /**
   * POST /auth/magic-link/redeem. Following the link proves the address, so it also verifies it.
   * An account with TOTP still gets the MFA challenge (a mailbox alone is one factor).
   */
  async redeemMagicLink(db: Db, token: string): Promise<LoginResult> {
    const userId = await this.consume(db, token, 'magic');
    if (!userId) throw badRequest('Invalid or expired magic link');
    if (await isBanned(db, userId)) throw forbidden(SUSPENDED);
    const user = await db
      .updateTable('users')
      .set({ email_verified: true })
      .where('id', '=', userId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return this.sessions.startLogin(db, user);
  }

  /** POST /auth/forgot-password: always succeeds, so it cannot be used to probe for accounts. */
  async forgotPassword(db: Db, email: string): Promise<void> {
    const user = await findUserByEmail(db, email);
    if (!user) return;
    await this.send(user, 'reset', await this.create(db, user.id, 'reset'));
  }

  /** POST /auth/reset-password: single-use token; logs out every device of the user. */
  async resetPassword(db: Db, token: string, password: string): Promise<void> {
    const passwordHash = await this.passwords.hash(password);
    await inTx(db, async (trx) => {
      const userId = await this.consume(trx, token, 'reset');
      if (!userId) throw badRequest('Invalid, expired or already used reset token');
      const now = this.now();
      await trx
        .updateTable('users')
        .set({ password_hash: passwordHash, updated_at: now })
        .where('id', '=', userId)
        .execute();
      // Other outstanding reset links die with this one.
      await trx
        .updateTable('email_tokens')
        .set({ used_at: now })
        .where('user_id', '=', userId)
        .where('kind', '=', 'reset')
        .where('used_at', 'is', null)
        .execute();
      await this.sessions.revokeAll(trx, userId);
    });
  }
}
