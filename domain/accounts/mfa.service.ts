/**
 * Spec "MFA (TOTP)": RFC 6238 codes via otplib, a QR code of the otpauth URL, and 10 single-use
 * backup codes stored as SHA-256 hashes. A TOTP code is accepted once: the time step it matched is
 * remembered in the kv until it can no longer verify (replay protection, RFC 6238 §5.2).
 */
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import { badRequest, forbidden, unauthorized } from '../../engine/errors.ts';
import type { AccountsPorts } from './ports.ts';
import { backupCode, inTx, normalizeBackupCode, sha256, type Db } from './tokens.ts';
import { findUserById } from './users.repository.ts';
import type { UserRow } from './users.schema.ts';
import type { Passwords } from './passwords.ts';

const PERIOD_S = 30;
/** One step either side, for clocks a little apart. */
const TOLERANCE_S = PERIOD_S;
const BACKUP_CODES = 10;
export const TOTP_ISSUER = 'reef';

export class MfaService {
  constructor(
    private readonly e: AccountsPorts,
    private readonly passwords: Passwords,
  ) {}

  private async user(db: Db, userId: string): Promise<UserRow> {
    const user = await findUserById(db, userId);
    if (!user) throw unauthorized('Account no longer exists');
    return user;
  }

  /** POST /mfa/totp/setup: a fresh secret, pending until confirmed. */
  async setup(db: Db, userId: string): Promise<{ secret: string; otpauthUrl: string; qrCode: string }> {
    const user = await this.user(db, userId);
    if (user.totp_enabled) throw badRequest('TOTP is already enabled; disable it first');
    const secret = generateSecret();
    await db.updateTable('users').set({ totp_secret: secret }).where('id', '=', userId).execute();
    const otpauthUrl = generateURI({ issuer: TOTP_ISSUER, label: user.email, secret, period: PERIOD_S });
    const qrCode = await QRCode.toDataURL(otpauthUrl);
    return { secret, otpauthUrl, qrCode };
  }

  /** POST /mfa/totp/confirm: the first valid code turns TOTP on and yields the backup codes. */
  async confirm(db: Db, userId: string, code: string): Promise<string[]> {
    const user = await this.user(db, userId);
    if (user.totp_enabled) throw badRequest('TOTP is already enabled');
    if (!user.totp_secret) throw badRequest('Call /mfa/totp/setup first');
    if (!(await this.checkTotp(user.id, user.totp_secret, code))) throw badRequest('Invalid code');
    return inTx(db, async (trx) => {
      await trx.updateTable('users').set({ totp_enabled: true }).where('id', '=', userId).execute();
      return this.replaceBackupCodes(trx, userId);
    });
  }

  /** POST /mfa/totp/disable */
  async disable(db: Db, userId: string, password: string): Promise<void> {
    const user = await this.user(db, userId);
    await this.requirePassword(user, password);
    if (!user.totp_enabled) throw badRequest('TOTP is not enabled');
    await inTx(db, async (trx) => {
      await trx
        .updateTable('users')
        .set({ totp_enabled: false, totp_secret: null })
        .where('id', '=', userId)
        .execute();
      await trx.deleteFrom('mfa_backup_codes').where('user_id', '=', userId).execute();
    });
  }

  /** POST /mfa/totp/backup-codes: the old codes stop working. */
  async regenerateBackupCodes(db: Db, userId: string, password: string): Promise<string[]> {
    const user = await this.user(db, userId);
    await this.requirePassword(user, password);
    if (!user.totp_enabled) throw badRequest('TOTP is not enabled');
    return inTx(db, (trx) => this.replaceBackupCodes(trx, userId));
  }

  /** A login's second factor: a TOTP code, or an unused backup code (consumed). */
  async checkCode(db: Db, user: UserRow, code: string): Promise<boolean> {
    const trimmed = code.trim();
    if (/^\d{6}$/.test(trimmed))
      return !!user.totp_secret && this.checkTotp(user.id, user.totp_secret, trimmed);
    const used = await db
      .updateTable('mfa_backup_codes')
      .set({ used_at: new Date(this.e.clock.now()) })
      .where('user_id', '=', user.id)
      .where('code_hash', '=', sha256(normalizeBackupCode(trimmed)))
      .where('used_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    return !!used;
  }

  private async checkTotp(userId: string, secret: string, code: string): Promise<boolean> {
    const epoch = Math.floor(this.e.clock.now() / 1000);
    const result = await verify({
      secret,
      token: code,
      epoch,
      period: PERIOD_S,
      epochTolerance: TOLERANCE_S,
    });
    if (!result.valid) return false;
    const step = Math.floor(epoch / PERIOD_S) + result.delta;
    // Long enough to outlive every window in which this step still verifies.
    const ttlMs = (2 * TOLERANCE_S + 2 * PERIOD_S) * 1000;
    return this.e.kv.setIfAbsent(`totp-step:${userId}:${step}`, '1', ttlMs);
  }

  private async replaceBackupCodes(trx: Db, userId: string): Promise<string[]> {
    await trx.deleteFrom('mfa_backup_codes').where('user_id', '=', userId).execute();
    const codes = Array.from({ length: BACKUP_CODES }, backupCode);
    await trx
      .insertInto('mfa_backup_codes')
      .values(
        codes.map((c) => ({
          id: this.e.ids.next(),
          user_id: userId,
          code_hash: sha256(normalizeBackupCode(c)),
        })),
      )
      .execute();
    return codes;
  }

  private async requirePassword(user: UserRow, password: string): Promise<void> {
    if (!(await this.passwords.matches(user.password_hash, password))) throw forbidden('Incorrect password');
  }
}
