/** Kysely queries over notifications, their preferences, and the recipient's stance to the actor. */
import { sql, type Selectable } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import type { NotificationPreferencesTable, NotificationsTable } from './tables.ts';
import './tables.ts';
import '../devices/tables.ts';

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

/** What `notifyMany` learns of one item: the recipient's stance to the actor, preference, devices. */
export interface DeliveryFacts {
  silenced: boolean;
  /** The stored preference for the item's type; null when the user never changed it (defaults). */
  pref: { email: boolean; in_app: boolean; mobile: boolean } | null;
  /** The recipient has at least one registered device (storeNotifications only). */
  hasDevice?: boolean;
}

/**
 * The batch form of `silenced` + `preferencesOf` + `insertNotification`, in one statement: for
 * each item, its facts (item order), and its row stored when the recipient is not silenced and
 * the `in_app` channel is on (the stored preference, else `defaultInApp`).
 */
export async function storeNotifications(
  db: Db,
  items: Array<{
    id: string;
    userId: string;
    type: string;
    data: Record<string, unknown>;
    actorId: string | null;
    defaultInApp: boolean;
  }>,
  createdAt: Date,
): Promise<DeliveryFacts[]> {
  if (items.length === 0) return [];
  const payload = JSON.stringify(
    items.map((x, i) => ({
      i,
      id: x.id,
      user_id: x.userId,
      type: x.type,
      data: x.data,
      actor_id: x.actorId,
      d_in_app: x.defaultInApp,
    })),
  );
  const r = await sql<{
    i: number;
    silenced: boolean;
    email: boolean | null;
    in_app: boolean | null;
    mobile: boolean | null;
    has_device: boolean;
  }>`with f as (
      select x.i, x.id, x.user_id, x.type, x.data, x.d_in_app,
        (x.actor_id is not null and x.actor_id <> x.user_id and (
          exists (select 1 from user_mutes where user_id = x.user_id and muted_id = x.actor_id)
          or exists (select 1 from user_blocks where (blocker_id = x.user_id and blocked_id = x.actor_id)
            or (blocker_id = x.actor_id and blocked_id = x.user_id)))) as silenced,
        p.email, p.in_app, p.mobile,
        exists (select 1 from devices d where d.user_id = x.user_id) as has_device
      from jsonb_to_recordset(${payload}::jsonb)
        as x(i int, id bigint, user_id bigint, type text, data jsonb, actor_id bigint, d_in_app boolean)
      left join notification_preferences p on p.user_id = x.user_id and p.type = x.type
    ),
    ins as (
      insert into notifications (id, user_id, type, data, created_at)
      select f.id, f.user_id, f.type, f.data, ${createdAt} from f
      where not f.silenced and coalesce(f.in_app, f.d_in_app)
      order by f.i
      returning id
    )
    select f.i, f.silenced, f.email, f.in_app, f.mobile, f.has_device from f order by f.i`.execute(db);
  return r.rows.map((row) => ({
    silenced: row.silenced === true,
    pref: row.in_app === null ? null : { email: row.email!, in_app: row.in_app, mobile: row.mobile! },
    hasDevice: row.has_device === true,
  }));
}

export async function emailOf(db: Db, userId: string): Promise<string | null> {
  const r = await db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirst();
  return r?.email ?? null;
}
