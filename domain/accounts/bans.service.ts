/** Spec "Global App Bans" (admin) and "Ban Enforcement" (authenticate.ts refuses banned callers). */
import { badRequest, conflict, notFound } from '../../engine/errors.ts';
import type { AccountsPorts } from './ports.ts';
import { inTx, type Db } from './tokens.ts';
import { findUserById } from './users.repository.ts';
import type { SessionsService } from './sessions.service.ts';

export interface BanDto {
  userId: string;
  bannedBy: string | null;
  reason: string | null;
  createdAt: string;
  user: { id: string; username: string; displayName: string; email: string };
}

export class BansService {
  constructor(
    private readonly e: AccountsPorts,
    private readonly sessions: SessionsService,
  ) {}

  private base(db: Db) {
    return db
      .selectFrom('user_bans')
      .innerJoin('users', 'users.id', 'user_bans.user_id')
      .select([
        'user_bans.user_id',
        'user_bans.banned_by',
        'user_bans.reason',
        'user_bans.created_at',
        'users.username',
        'users.display_name',
        'users.email',
      ]);
  }

  private static toDto(r: {
    user_id: string;
    banned_by: string | null;
    reason: string | null;
    created_at: Date;
    username: string;
    display_name: string;
    email: string;
  }): BanDto {
    return {
      userId: r.user_id,
      bannedBy: r.banned_by,
      reason: r.reason,
      createdAt: r.created_at.toISOString(),
      user: { id: r.user_id, username: r.username, displayName: r.display_name, email: r.email },
    };
  }

  /** GET /admin/bans, newest first. */
  async list(db: Db): Promise<BanDto[]> {
    const rows = await this.base(db).orderBy('user_bans.created_at', 'desc').execute();
    return rows.map(BansService.toDto);
  }

  /** POST /admin/bans/:userId: 409 when already banned. Ends every session of the user. */
  async ban(db: Db, adminId: string, userId: string, reason: string | null): Promise<BanDto> {
    if (userId === adminId) throw badRequest('You cannot ban yourself');
    if (!(await findUserById(db, userId))) throw notFound('User not found');
    await inTx(db, async (trx) => {
      const inserted = await trx
        .insertInto('user_bans')
        .values({ user_id: userId, banned_by: adminId, reason, created_at: new Date(this.e.clock.now()) })
        .onConflict((oc) => oc.column('user_id').doNothing())
        .returning('user_id')
        .executeTakeFirst();
      if (!inserted) throw conflict('User is already banned');
      await this.sessions.revokeAll(trx, userId);
    });
    const row = await this.base(db).where('user_bans.user_id', '=', userId).executeTakeFirstOrThrow();
    return BansService.toDto(row);
  }

  /** DELETE /admin/bans/:userId: 404 when not banned. */
  async unban(db: Db, userId: string): Promise<void> {
    const row = await db
      .deleteFrom('user_bans')
      .where('user_id', '=', userId)
      .returning('user_id')
      .executeTakeFirst();
    if (!row) throw notFound('User is not banned');
  }
}
