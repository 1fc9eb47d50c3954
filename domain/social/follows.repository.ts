/** Kysely queries over follows (table from migration 0001). Rows in, rows out. */
import { sql } from 'kysely';
import type { Db } from '../../engine/db/index.ts';

export interface UserSummaryRow {
  id: string;
  username: string;
  display_name: string;
  avatar_url: string | null;
  base_color: string | null;
  accent_color: string | null;
}

export function getFollow(db: Db, followerId: string, followeeId: string) {
  return db
    .selectFrom('follows')
    .select(['status', 'created_at'])
    .where('follower_id', '=', followerId)
    .where('followee_id', '=', followeeId)
    .executeTakeFirst();
}

/** Inserts the follow unless a row exists; true when this call created it. */
export async function insertFollow(
  db: Db,
  row: { followerId: string; followeeId: string; status: 'pending' | 'accepted'; createdAt: Date },
): Promise<boolean> {
  const r = await db
    .insertInto('follows')
    .values({
      follower_id: row.followerId,
      followee_id: row.followeeId,
      status: row.status,
      created_at: row.createdAt,
    })
    .onConflict((oc) => oc.columns(['follower_id', 'followee_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function deleteFollow(
  db: Db,
  followerId: string,
  followeeId: string,
  status?: 'pending' | 'accepted',
): Promise<number> {
  let q = db
    .deleteFrom('follows')
    .where('follower_id', '=', followerId)
    .where('followee_id', '=', followeeId);
  if (status) q = q.where('status', '=', status);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function acceptPending(db: Db, followerId: string, followeeId: string): Promise<boolean> {
  const r = await db
    .updateTable('follows')
    .set({ status: 'accepted' })
    .where('follower_id', '=', followerId)
    .where('followee_id', '=', followeeId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Serialises one user's follows (the follow limit is checked then written under this lock). */
export async function lockUser(trx: Db, userId: string): Promise<boolean> {
  const r = await sql<{ id: string }>`select id from users where id = ${userId} for update`.execute(trx);
  return r.rows.length > 0;
}

/** Accounts the user follows or asked to follow (the follow limit counts both). */
export async function countOutgoing(db: Db, userId: string): Promise<number> {
  const r = await db
    .selectFrom('follows')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('follower_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function countAccepted(
  db: Db,
  userId: string,
): Promise<{ following: number; followers: number }> {
  const r = await sql<{ following: string; followers: string }>`select
      (select count(*) from follows where follower_id = ${userId} and status = 'accepted') as following,
      (select count(*) from follows where followee_id = ${userId} and status = 'accepted') as followers`.execute(
    db,
  );
  const row = r.rows[0];
  return { following: Number(row?.following ?? 0), followers: Number(row?.followers ?? 0) };
}

/** Users on the other side of `userId`'s follows, newest follow first. */
export function listFollowUsers(
  db: Db,
  side: 'followers' | 'following',
  userId: string,
  status: 'pending' | 'accepted',
  page: { limit: number; offset: number },
): Promise<UserSummaryRow[]> {
  const [mine, theirs] =
    side === 'followers'
      ? (['followee_id', 'follower_id'] as const)
      : (['follower_id', 'followee_id'] as const);
  return db
    .selectFrom('follows as f')
    .innerJoin('users as u', 'u.id', `f.${theirs}`)
    .select(['u.id', 'u.username', 'u.display_name', 'u.avatar_url', 'u.base_color', 'u.accent_color'])
    .where(`f.${mine}`, '=', userId)
    .where('f.status', '=', status)
    .orderBy('f.created_at', 'desc')
    .orderBy('u.id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

export function userSummaries(db: Db, ids: readonly string[]): Promise<UserSummaryRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('users')
    .select(['id', 'username', 'display_name', 'avatar_url', 'base_color', 'accent_color'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
}

/** The followees among `candidates` (accepted follows of `followerId`). */
export async function followedAmong(
  db: Db,
  followerId: string,
  candidates: readonly string[],
): Promise<Set<string>> {
  if (candidates.length === 0) return new Set();
  const rows = await db
    .selectFrom('follows')
    .select('followee_id')
    .where('follower_id', '=', followerId)
    .where('status', '=', 'accepted')
    .where('followee_id', 'in', [...candidates])
    .execute();
  return new Set(rows.map((r) => r.followee_id));
}
