/**
 * When an account is deleted (accounts' `onUserDeleted` hook, inside its transaction): its memberships,
 * roles, bans and owned spaces go with the user row (on delete cascade). Here, in the same transaction:
 * member counts move, and the slugs of the spaces it owned are freed. After the commit a job tells the
 * space actors (an actor is not asked inside a database transaction): owned spaces become deleted,
 * other spaces forget the member.
 */
import type { Db } from '../../engine/db/index.ts';
import type { Jobs } from '../../engine/jobs/index.ts';
import type { SpaceClient } from '../../actors/space/space.client.ts';

export const USER_DELETED_QUEUE = 'spaces.user-deleted';

interface UserDeletedJob {
  userId: string;
  owned: string[];
  memberOf: string[];
}

export function userDeletedHook(jobs: Jobs) {
  return async (trx: Db, userId: string): Promise<void> => {
    const [owned, memberOf] = await Promise.all([
      trx.selectFrom('spaces').select('id').where('owner_id', '=', userId).execute(),
      trx
        .selectFrom('space_members as m')
        .innerJoin('spaces as s', 's.id', 'm.space_id')
        .select('m.space_id')
        .where('m.user_id', '=', userId)
        .where('s.owner_id', '!=', userId)
        .execute(),
    ]);
    const ownedIds = owned.map((s) => s.id);
    const memberIds = memberOf.map((m) => m.space_id);
    if (ownedIds.length)
      await trx.deleteFrom('handles').where('kind', '=', 'space').where('owner_id', 'in', ownedIds).execute();
    if (memberIds.length)
      await trx
        .updateTable('spaces')
        .set((eb) => ({ member_count: eb('member_count', '-', 1) }))
        .where('id', 'in', memberIds)
        .execute();
    if (ownedIds.length || memberIds.length)
      await jobs.enqueue<UserDeletedJob>(
        USER_DELETED_QUEUE,
        { userId, owned: ownedIds, memberOf: memberIds },
        { delayMs: 100, attempts: 8, backoffMs: 500 },
      );
  };
}

export function processUserDeleted(jobs: Jobs, actors: SpaceClient): void {
  jobs.process<UserDeletedJob>(USER_DELETED_QUEUE, async (job) => {
    for (const spaceId of job.owned)
      await actors.ask(spaceId, { type: 'space.delete', by: job.userId }).catch((err: { code?: string }) => {
        if (err.code !== 'NOT_FOUND') throw err;
      });
    for (const spaceId of job.memberOf)
      await actors
        .ask(spaceId, { type: 'member.purge', userId: job.userId })
        .catch((err: { code?: string }) => {
          if (err.code !== 'NOT_FOUND') throw err;
        });
  });
}
