/**
 * Sessions: a short-lived access JWT plus a refresh token. Refresh tokens are random, stored as
 * SHA-256 only, and grouped in families (one family = one login). API-DECISIONS: each refresh
 * returns a new pair and retires the used token; a retired token presented again means it was
 * copied, so the whole family is revoked and the thief's and the owner's newest tokens both die.
 */
import { forbidden, unauthorized } from '../../engine/errors.ts';
import type { AccountsPorts } from './ports.ts';
import { inTx, randomToken, sha256, type Db } from './tokens.ts';
import { isBanned } from './users.repository.ts';
import { toUserDto, type UserDto, type UserRow } from './users.schema.ts';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}
export interface Session extends TokenPair {
  user: UserDto;
}
export type LoginResult = Session | { mfaRequired: true; mfaToken: string };

export const SUSPENDED = 'Your account has been suspended';

export class SessionsService {
  constructor(private readonly e: AccountsPorts) {}

  private now(): Date {
    return new Date(this.e.clock.now());
  }

  /** The last step of every login: the MFA challenge when TOTP is on, a session otherwise. */
  async startLogin(db: Db, user: UserRow): Promise<LoginResult> {
    if (user.totp_enabled) {
      const ttl = this.e.config.MFA_TOKEN_TTL_S;
      return { mfaRequired: true, mfaToken: await this.e.jwt.sign(user.id, 'mfa', ttl, this.e.clock.now()) };
    }
    return this.start(db, user);
  }

  /** A session for a user who passed every factor. */
  async start(db: Db, user: UserRow): Promise<Session> {
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

  /** POST /auth/refresh */
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

  /** POST /auth/logout: ends the login the token belongs to. Unknown tokens are ignored. */
  async logout(db: Db, refreshToken: string): Promise<void> {
    const row = await db
      .selectFrom('refresh_tokens')
      .select('family_id')
      .where('token_hash', '=', sha256(refreshToken))
      .executeTakeFirst();
    if (row) await this.revokeFamily(db, row.family_id);
  }

  /** Every session of a user (password reset, ban). */
  async revokeAll(db: Db, userId: string): Promise<void> {
    await db
      .updateTable('refresh_tokens')
      .set({ revoked_at: this.now() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
  }
}
