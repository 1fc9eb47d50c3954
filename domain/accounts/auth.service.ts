/**
 * Spec "Auth": registration, password login, sessions (access JWT + rotating refresh token), email
 * tokens (verification, magic link, password reset) and the MFA step of login.
 */
import { isUniqueViolation, badRequest, conflict, forbidden, unauthorized } from '../../engine/errors.ts';
import { hashPassword, verifyPassword } from '../../engine/auth/password.ts';
import type { AccountsPorts } from './ports.ts';
import type { RegisterInput } from './auth.schema.ts';
import { inTx, randomToken, sha256, type Db } from './tokens.ts';
import {
  findUserByEmail,
  findUserById,
  findUserByLogin,
  emailTaken,
  handleTaken,
  isBanned,
} from './users.repository.ts';
import { toUserDto, type UserDto, type UserRow } from './users.schema.ts';
import type { MfaService } from './mfa.service.ts';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}
export interface Session extends TokenPair {
  user: UserDto;
}
export type LoginResult = Session | { mfaRequired: true; mfaToken: string };

type EmailKind = 'verify' | 'magic' | 'reset';

const SUSPENDED = 'Your account has been suspended';

export class AuthService {
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly e: AccountsPorts,
    private readonly mfa: MfaService,
  ) {}

  private now(): Date {
    return new Date(this.e.clock.now());
  }

  hashPassword(password: string): Promise<string> {
    return hashPassword(password, this.e.config.PASSWORD_SCRYPT_N);
  }

  /**
   * Checks a password; with no stored hash it still spends the same work on a dummy hash, so the
   * response time does not tell whether an account exists.
   */
  async passwordMatches(stored: string | null | undefined, password: string): Promise<boolean> {
    if (stored) return verifyPassword(password, stored);
    this.dummyHash ??= this.hashPassword('reef-dummy-password');
    await verifyPassword(password, await this.dummyHash);
    return false;
  }

  /** POST /auth/register. The username is claimed in `handles`, the namespace shared with space slugs. */
  async register(db: Db, input: RegisterInput): Promise<Session> {
    // Friendly answers for the common case; the unique keys below settle races.
    if (await emailTaken(db, input.email)) throw conflict('Email is already registered', { field: 'email' });
    if (await handleTaken(db, input.username))
      throw conflict('Username is already taken', { field: 'username' });
    const passwordHash = await this.hashPassword(input.password);
    const id = this.e.ids.next();
    const now = this.now();
    const { user, verifyToken, tokens } = await inTx(db, async (trx) => {
      let user: UserRow;
      try {
        await trx
          .insertInto('handles')
          .values({ handle_lower: input.username.toLowerCase(), kind: 'user', owner_id: id })
          .execute();
        user = await trx
          .insertInto('users')
          .values({
            id,
            email: input.email,
            email_lower: input.email.toLowerCase(),
            username: input.username,
            username_lower: input.username.toLowerCase(),
            display_name: input.displayName,
            password_hash: passwordHash,
            created_at: now,
            updated_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
      } catch (err) {
        if (isUniqueViolation(err, 'email'))
          throw conflict('Email is already registered', { field: 'email' });
        if (isUniqueViolation(err)) throw conflict('Username is already taken', { field: 'username' });
        throw err;
      }
      await trx.insertInto('user_preferences').values({ user_id: id }).execute();
      const verifyToken = await this.createEmailToken(trx, id, 'verify');
      const tokens = await this.issueTokens(trx, id);
      return { user, verifyToken, tokens };
    });
    await this.sendEmailToken(user, 'verify', verifyToken);
    return { ...tokens, user: toUserDto(user) };
  }

  /** POST /auth/login: by email or username. A banned account learns so only with the right password. */
  async login(db: Db, login: string, password: string): Promise<LoginResult> {
    const user = await findUserByLogin(db, login);
    const ok = await this.passwordMatches(user?.password_hash, password);
    if (!user || !ok) throw unauthorized('Invalid login or password');
    if (await isBanned(db, user.id)) throw forbidden(SUSPENDED);
    return this.completeLogin(db, user);
  }

  /** The last step of every login: the MFA challenge when TOTP is on, a session otherwise. */
  async completeLogin(db: Db, user: UserRow): Promise<LoginResult> {
    if (user.totp_enabled) {
      const ttl = this.e.config.MFA_TOKEN_TTL_S;
      return { mfaRequired: true, mfaToken: await this.e.jwt.sign(user.id, 'mfa', ttl, this.e.clock.now()) };
    }
    return { ...(await this.issueTokens(db, user.id)), user: toUserDto(user) };
  }

  /**
   * POST /auth/mfa/verify: a TOTP code or an unused backup code. Each code works once (TOTP steps
   * are remembered, backup codes consumed), so a replayed mfaToken gains nothing without a new code.
   */
  async verifyMfa(db: Db, mfaToken: string, code: string): Promise<Session> {
    const claims = await this.e.jwt.verify(mfaToken, 'mfa', this.e.clock.now());
    const user = claims ? await findUserById(db, claims.sub) : undefined;
    if (!claims || !user || !user.totp_enabled) throw unauthorized('Invalid or expired MFA token');
    if (await isBanned(db, user.id)) throw forbidden(SUSPENDED);
    if (!(await this.mfa.checkCode(db, user, code))) throw unauthorized('Invalid verification code');
    return { ...(await this.issueTokens(db, user.id)), user: toUserDto(user) };
  }

  /** A new access token and a new refresh token, in `familyId` (a login) or a new family. */
  async issueTokens(db: Db, userId: string, familyId?: string): Promise<TokenPair> {
    const nowMs = this.e.clock.now();
    const refreshToken = randomToken();
    const id = this.e.ids.next();
    await db
      .insertInto('refresh_tokens')
      .values({
        id,
        user_id: userId,
        family_id: familyId ?? id,
        token_hash: sha256(refreshToken),
        expires_at: new Date(nowMs + this.e.config.REFRESH_TOKEN_TTL_S * 1000),
        created_at: new Date(nowMs),
      })
      .execute();
    const accessToken = await this.e.jwt.sign(userId, 'access', this.e.config.ACCESS_TOKEN_TTL_S, nowMs);
    return { accessToken, refreshToken };
  }

  /**
   * POST /auth/refresh with rotation (API-DECISIONS): the presented token is retired and a successor
   * issued in the same family. A retired token presented again means it was copied: the whole
   * family is revoked, so the thief's and the owner's newest tokens both stop working.
   */
  async refresh(db: Db, refreshToken: string): Promise<TokenPair> {
    const now = this.now();
    const row = await db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('token_hash', '=', sha256(refreshToken))
      .executeTakeFirst();
    if (!row || row.revoked_at) throw unauthorized('Invalid refresh token');
    if (row.rotated_at) return this.reuseDetected(db, row.family_id);
    if (row.expires_at.getTime() <= now.getTime()) throw unauthorized('Refresh token expired');
    if (await isBanned(db, row.user_id)) throw forbidden(SUSPENDED);
    const pair = await inTx(db, async (trx) => {
      // The conditional update is the claim: of two concurrent refreshes only one sees the row live.
      const claimed = await trx
        .updateTable('refresh_tokens')
        .set({ rotated_at: now })
        .where('id', '=', row.id)
        .where('rotated_at', 'is', null)
        .where('revoked_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      return claimed ? this.issueTokens(trx, row.user_id, row.family_id) : null;
    });
    return pair ?? this.reuseDetected(db, row.family_id);
  }

  private async reuseDetected(db: Db, familyId: string): Promise<never> {
    await this.revokeFamily(db, familyId);
    throw unauthorized('Refresh token was already used; this session has been revoked');
  }

  private async revokeFamily(db: Db, familyId: string): Promise<void> {
    await db
      .updateTable('refresh_tokens')
      .set({ revoked_at: this.now() })
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** POST /auth/logout: ends the session the token belongs to. Unknown tokens are ignored. */
  async logout(db: Db, refreshToken: string): Promise<void> {
    const row = await db
      .selectFrom('refresh_tokens')
      .select('family_id')
      .where('token_hash', '=', sha256(refreshToken))
      .executeTakeFirst();
    if (row) await this.revokeFamily(db, row.family_id);
  }

  /** Every session of a user (password reset, ban, account changes). */
  async revokeAllSessions(db: Db, userId: string): Promise<void> {
    await db
      .updateTable('refresh_tokens')
      .set({ revoked_at: this.now() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  // ---- email tokens ----

  private ttlSeconds(kind: EmailKind): number {
    return kind === 'reset' ? this.e.config.RESET_TOKEN_TTL_S : this.e.config.EMAIL_TOKEN_TTL_S;
  }

  async createEmailToken(db: Db, userId: string, kind: EmailKind): Promise<string> {
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
  private async consumeEmailToken(db: Db, token: string, kind: EmailKind): Promise<string | null> {
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

  private async sendEmailToken(
    user: Pick<UserRow, 'email' | 'display_name'>,
    kind: EmailKind,
    token: string,
  ) {
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
    const userId = await this.consumeEmailToken(db, token, 'verify');
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
    await this.sendEmailToken(user, 'verify', await this.createEmailToken(db, user.id, 'verify'));
  }

  /** POST /auth/magic-link/send: the same answer whether or not the address has an account. */
  async sendMagicLink(db: Db, email: string): Promise<void> {
    const user = await findUserByEmail(db, email);
    if (!user || (await isBanned(db, user.id))) return;
    await this.sendEmailToken(user, 'magic', await this.createEmailToken(db, user.id, 'magic'));
  }

  /**
   * POST /auth/magic-link/redeem. Following the link proves the address, so it also verifies it.
   * An account with TOTP still gets the MFA challenge (a mailbox alone is one factor).
   */
  async redeemMagicLink(db: Db, token: string): Promise<LoginResult> {
    const userId = await this.consumeEmailToken(db, token, 'magic');
    if (!userId) throw badRequest('Invalid or expired magic link');
    if (await isBanned(db, userId)) throw forbidden(SUSPENDED);
    const user = await db
      .updateTable('users')
      .set({ email_verified: true })
      .where('id', '=', userId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return this.completeLogin(db, user);
  }

  /** POST /auth/forgot-password: always succeeds, so it cannot be used to probe for accounts. */
  async forgotPassword(db: Db, email: string): Promise<void> {
    const user = await findUserByEmail(db, email);
    if (!user) return;
    await this.sendEmailToken(user, 'reset', await this.createEmailToken(db, user.id, 'reset'));
  }

  /** POST /auth/reset-password: single-use token; logs out every device of the user. */
  async resetPassword(db: Db, token: string, password: string): Promise<void> {
    const passwordHash = await this.hashPassword(password);
    await inTx(db, async (trx) => {
      const userId = await this.consumeEmailToken(trx, token, 'reset');
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
      await this.revokeAllSessions(trx, userId);
    });
  }
}

const EMAILS: Record<EmailKind, { path: string; subject: string; what: string }> = {
  verify: { path: '/verify-email', subject: 'Verify your email address', what: 'Confirm your email address' },
  magic: { path: '/magic-link', subject: 'Your sign-in link', what: 'Sign in with this link' },
  reset: { path: '/reset-password', subject: 'Reset your password', what: 'Choose a new password' },
};
