/** Spec "User Blocks" and user mutes: one user's stance towards another. */
import { badRequest, notFound } from '../../engine/errors.ts';
import type { AccountsPorts } from './ports.ts';
import { inTx, type Db } from './tokens.ts';
import { blockedEitherWay, findUserById } from './users.repository.ts';
import { runPairHooks, type AccountHooks } from './extensions.ts';

export class RelationsService {
  constructor(
    private readonly e: AccountsPorts,
    private readonly hooks: AccountHooks,
  ) {}

  private async target(db: Db, meId: string, targetId: string, what: string): Promise<void> {
    if (targetId === meId) throw badRequest(`You cannot ${what} yourself`);
    if (!(await findUserById(db, targetId))) throw notFound('User not found');
  }

  /** GET /users/blocks */
  async listBlocks(db: Db, meId: string): Promise<{ blockedByMe: string[]; blockedMe: string[] }> {
    const [mine, theirs] = await Promise.all([
      db
        .selectFrom('user_blocks')
        .select('blocked_id')
        .where('blocker_id', '=', meId)
        .orderBy('created_at')
        .execute(),
      db
        .selectFrom('user_blocks')
        .select('blocker_id')
        .where('blocked_id', '=', meId)
        .orderBy('created_at')
        .execute(),
    ]);
    return { blockedByMe: mine.map((r) => r.blocked_id), blockedMe: theirs.map((r) => r.blocker_id) };
  }

  /**
   * PUT /users/blocks/:userId (idempotent). In one transaction: the block, the end of follows both
   * ways (accepted or pending), and the `onBlock` hooks (e.g. DMs decline pending requests).
   */
  async block(db: Db, meId: string, targetId: string): Promise<void> {
    await this.target(db, meId, targetId, 'block');
    await inTx(db, async (trx) => {
      await trx
        .insertInto('user_blocks')
        .values({ blocker_id: meId, blocked_id: targetId, created_at: new Date(this.e.clock.now()) })
        .onConflict((oc) => oc.columns(['blocker_id', 'blocked_id']).doNothing())
        .execute();
      await trx
        .deleteFrom('follows')
        .where((eb) =>
          eb.or([
            eb.and([eb('follower_id', '=', meId), eb('followee_id', '=', targetId)]),
            eb.and([eb('follower_id', '=', targetId), eb('followee_id', '=', meId)]),
          ]),
        )
        .execute();
      await runPairHooks(this.hooks.onBlock, trx, meId, targetId);
    });
  }

  /** DELETE /users/blocks/:userId (idempotent). Follows removed by the block stay removed. */
  async unblock(db: Db, meId: string, targetId: string): Promise<void> {
    await db
      .deleteFrom('user_blocks')
      .where('blocker_id', '=', meId)
      .where('blocked_id', '=', targetId)
      .execute();
  }

  /** GET /users/mutes */
  async listMutes(db: Db, meId: string): Promise<string[]> {
    const rows = await db
      .selectFrom('user_mutes')
      .select('muted_id')
      .where('user_id', '=', meId)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => r.muted_id);
  }

  /** PUT /users/mutes/:userId (idempotent) */
  async mute(db: Db, meId: string, targetId: string): Promise<void> {
    await this.target(db, meId, targetId, 'mute');
    await db
      .insertInto('user_mutes')
      .values({ user_id: meId, muted_id: targetId, created_at: new Date(this.e.clock.now()) })
      .onConflict((oc) => oc.columns(['user_id', 'muted_id']).doNothing())
      .execute();
  }

  /** DELETE /users/mutes/:userId (idempotent) */
  async unmute(db: Db, meId: string, targetId: string): Promise<void> {
    await db.deleteFrom('user_mutes').where('user_id', '=', meId).where('muted_id', '=', targetId).execute();
  }

  /** For other features: does either user block the other? */
  isBlockedEitherWay(db: Db, a: string, b: string): Promise<boolean> {
    return blockedEitherWay(db, a, b);
  }
}
