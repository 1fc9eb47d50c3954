/** Kysely queries over notifications, their preferences, and the recipient's stance to the actor. */
import { sql, type Selectable } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import type { NotificationPreferencesTable, NotificationsTable } from './tables.ts';
import './tables.ts';

export type NotificationRow = Selectable<NotificationsTable>;
export type PreferenceRow = Selectable<NotificationPreferencesTable>;

export async function insertNotification(
  db: Db,
  row: { id: string; userId: string; type: string; data: Record<string, unknown>; createdAt: Date },
): Promise<void> {
  await db
    .insertInto('notifications')
    .values({
      id: row.id,
      user_id: row.userId,
      type: row.type,
      data: JSON.stringify(row.data),
      created_at: row.createdAt,
    })
    .execute();
}

export function listNotifications(
  db: Db,
  userId: string,
  page: { before?: string | undefined; limit: number; unreadOnly: boolean },
): Promise<NotificationRow[]> {
  let q = db.selectFrom('notifications').selectAll().where('user_id', '=', userId);
  if (page.before) q = q.where('id', '<', page.before);
  if (page.unreadOnly) q = q.where('read_at', 'is', null);
  return q.orderBy('id', 'desc').limit(page.limit).execute();
}

export async function countUnread(db: Db, userId: string): Promise<number> {
  const r = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Marks one of the user's notifications read (keeps the first read time); false when not theirs. */
export async function markRead(
  db: Db,
  userId: string,
  id: string,
  now: Date,
): Promise<NotificationRow | undefined> {
  return db
    .updateTable('notifications')
    .set({ read_at: sql<Date>`coalesce(read_at, ${now})` })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirst();
}

export async function markAllRead(db: Db, userId: string, now: Date): Promise<number> {
  const r = await db
    .updateTable('notifications')
    .set({ read_at: now })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export function preferencesOf(db: Db, userId: string, type?: string): Promise<PreferenceRow[]> {
  let q = db.selectFrom('notification_preferences').selectAll().where('user_id', '=', userId);
  if (type) q = q.where('type', '=', type);
  return q.orderBy('type').execute();
}

export async function upsertPreference(
  db: Db,
  row: { userId: string; type: string; email: boolean; in_app: boolean; mobile: boolean },
  now: Date,
): Promise<void> {
  const set = { email: row.email, in_app: row.in_app, mobile: row.mobile, updated_at: now };
  await db
    .insertInto('notification_preferences')
    .values({ user_id: row.userId, type: row.type, ...set })
    .onConflict((oc) => oc.columns(['user_id', 'type']).doUpdateSet(set))
    .execute();
}

/** True when the recipient muted the actor, or either blocks the other: nothing is delivered. */
export async function silenced(db: Db, userId: string, actorId: string): Promise<boolean> {
  const r = await sql<{ silenced: boolean }>`select
      exists (select 1 from user_mutes where user_id = ${userId} and muted_id = ${actorId})
      or exists (select 1 from user_blocks where (blocker_id = ${userId} and blocked_id = ${actorId})
        or (blocker_id = ${actorId} and blocked_id = ${userId})) as silenced`.execute(db);
  return r.rows[0]?.silenced === true;
}

export async function emailOf(db: Db, userId: string): Promise<string | null> {
  const r = await db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirst();
  return r?.email ?? null;
}
