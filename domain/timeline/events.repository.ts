/** Kysely queries over timeline events. Rows in, rows out; who sees what is decided in the SQL here. */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import type { TimelineEventType } from './tables.ts';

export interface EventRow {
  id: string;
  user_id: string;
  username: string;
  event_type: TimelineEventType;
  metadata: Record<string, unknown>;
  created_at: Date;
  hidden: boolean;
}

export async function insertEvent(
  db: Db,
  e: {
    id: string;
    userId: string;
    type: TimelineEventType;
    metadata: Record<string, unknown>;
    at: Date;
    recipients?: readonly string[];
  },
): Promise<void> {
  await db
    .insertInto('timeline_events')
    .values({
      id: e.id,
      user_id: e.userId,
      event_type: e.type,
      metadata: JSON.stringify(e.metadata),
      created_at: e.at,
    })
    .execute();
  if (e.recipients?.length)
    await db
      .insertInto('timeline_event_recipients')
      .values(e.recipients.map((u) => ({ event_id: e.id, user_id: u })))
      .execute();
}

export function getEvent(db: Db, id: string) {
  return db
    .selectFrom('timeline_events')
    .select(['id', 'user_id', 'event_type'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function deleteEvent(db: Db, id: string): Promise<void> {
  await db.deleteFrom('timeline_events').where('id', '=', id).execute();
}

/**
 * Who may see events of an author: the author, and their accepted followers; a personal
 * recommendation only the author and its recipients.
 */
const visibleTo = (viewerId: string) => sql<boolean>`(
  e.user_id = ${viewerId}
  or (exists (select 1 from follows f where f.follower_id = ${viewerId} and f.followee_id = e.user_id
        and f.status = 'accepted')
      and (e.event_type <> 'personal_recommendation'
        or exists (select 1 from timeline_event_recipients r where r.event_id = e.id and r.user_id = ${viewerId}))))`;

export interface Window {
  minTs?: number | undefined;
  maxTs?: number | undefined;
  count: number;
}

/**
 * Events the viewer sees from `authors` (a subquery of user ids), newest first, in the window
 * (timestamps exclusive, seconds), each marked hidden when the viewer hid it.
 */
export async function listVisible(
  db: Db,
  viewerId: string,
  authors: RawBuilder<unknown>,
  w: Window,
): Promise<EventRow[]> {
  const min = w.minTs !== undefined ? sql`and e.created_at >= to_timestamp(${w.minTs + 1})` : sql``;
  const max = w.maxTs !== undefined ? sql`and e.created_at < to_timestamp(${w.maxTs})` : sql``;
  const r = await sql<EventRow>`select e.id, e.user_id, u.username, e.event_type, e.metadata, e.created_at,
      exists (select 1 from timeline_hidden_events h where h.user_id = ${viewerId} and h.event_id = e.id) as hidden
    from timeline_events e join users u on u.id = e.user_id
    where e.user_id in (${authors}) and ${visibleTo(viewerId)} ${min} ${max}
    order by e.created_at desc, e.id desc
    limit ${w.count}`.execute(db);
  return r.rows;
}

/** The viewer and every user they follow (accepted). */
export const selfAndFollowed = (viewerId: string) =>
  sql`select ${viewerId}::bigint union all
    select followee_id from follows where follower_id = ${viewerId} and status = 'accepted'`;

export const onlyUser = (userId: string) => sql`select ${userId}::bigint`;

export async function isFollowing(db: Db, followerId: string, followeeId: string): Promise<boolean> {
  const row = await db
    .selectFrom('follows')
    .select('status')
    .where('follower_id', '=', followerId)
    .where('followee_id', '=', followeeId)
    .where('status', '=', 'accepted')
    .executeTakeFirst();
  return !!row;
}

/** The users among `ids` who follow `userId` (accepted). */
export async function followersAmong(db: Db, userId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('follows')
    .select('follower_id')
    .where('followee_id', '=', userId)
    .where('status', '=', 'accepted')
    .where('follower_id', 'in', [...ids])
    .execute();
  return new Set(rows.map((r) => String(r.follower_id)));
}

/** Is the event visible to the viewer (same rule as the feed)? */
export async function visibleEvent(db: Db, viewerId: string, eventId: string) {
  const r = await sql<{
    id: string;
    user_id: string;
    event_type: TimelineEventType;
  }>`select e.id, e.user_id, e.event_type
    from timeline_events e where e.id = ${eventId} and ${visibleTo(viewerId)}`.execute(db);
  return r.rows[0];
}

export async function hide(db: Db, userId: string, eventId: string, at: Date): Promise<void> {
  await db
    .insertInto('timeline_hidden_events')
    .values({ user_id: userId, event_id: eventId, created_at: at })
    .onConflict((oc) => oc.columns(['user_id', 'event_id']).doNothing())
    .execute();
}

export async function unhide(db: Db, userId: string, eventId: string): Promise<boolean> {
  const r = await db
    .deleteFrom('timeline_hidden_events')
    .where('user_id', '=', userId)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export function usersById(db: Db, ids: readonly string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('users')
    .select(['id', 'username', 'display_name', 'avatar_url', 'is_admin'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
}

export function userByName(db: Db, username: string) {
  return db
    .selectFrom('users')
    .select(['id', 'username', 'display_name', 'avatar_url', 'is_admin'])
    .where('username_lower', '=', username.toLowerCase())
    .executeTakeFirst();
}

export async function isApproved(db: Db, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('timeline_approved_users')
    .select('user_id')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return !!row;
}

export async function approve(db: Db, userId: string, by: string, at: Date): Promise<void> {
  await db
    .insertInto('timeline_approved_users')
    .values({ user_id: userId, approved_by: by, created_at: at })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .execute();
}

export async function unapprove(db: Db, userId: string): Promise<boolean> {
  const r = await db.deleteFrom('timeline_approved_users').where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export function approvedUsers(db: Db) {
  return db
    .selectFrom('timeline_approved_users as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select(['u.id', 'u.username', 'u.display_name', 'a.created_at'])
    .orderBy('a.created_at', 'desc')
    .execute();
}
