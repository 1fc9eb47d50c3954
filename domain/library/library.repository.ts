/** Kysely queries over library_likes. Rows in, rows out. */
import { sql } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import type { LikeKind } from './tables.ts';

export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  avatar_url: string | null;
  base_color: string | null;
  accent_color: string | null;
}

export interface Page {
  limit: number;
  offset: number;
}

/** Serialises one user's library writes (the saved-items limit is checked then written under it). */
export async function lockUser(trx: Db, userId: string): Promise<boolean> {
  const r = await sql<{ id: string }>`select id from users where id = ${userId} for update`.execute(trx);
  return r.rows.length > 0;
}

export async function getLike(db: Db, userId: string, kind: LikeKind, itemId: string) {
  return db
    .selectFrom('library_likes')
    .select('created_at')
    .where('user_id', '=', userId)
    .where('kind', '=', kind)
    .where('item_id', '=', itemId)
    .executeTakeFirst();
}

export async function insertLike(db: Db, userId: string, kind: LikeKind, itemId: string, at: Date) {
  await db
    .insertInto('library_likes')
    .values({ user_id: userId, kind, item_id: itemId, created_at: at })
    .onConflict((oc) => oc.columns(['user_id', 'kind', 'item_id']).doNothing())
    .execute();
}

export async function deleteLike(db: Db, userId: string, kind: LikeKind, itemId: string): Promise<boolean> {
  const r = await db
    .deleteFrom('library_likes')
    .where('user_id', '=', userId)
    .where('kind', '=', kind)
    .where('item_id', '=', itemId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function countLikes(db: Db, userId: string): Promise<Record<LikeKind, number>> {
  const rows = await db
    .selectFrom('library_likes')
    .select(['kind', (eb) => eb.fn.countAll<string>().as('n')])
    .where('user_id', '=', userId)
    .groupBy('kind')
    .execute();
  const out: Record<LikeKind, number> = { post: 0, page: 0, user: 0, collection: 0 };
  for (const r of rows) out[r.kind] = Number(r.n);
  return out;
}

/** A user's liked item ids of one kind, newest like first. */
export function likedIds(db: Db, userId: string, kind: LikeKind, page: Page) {
  return db
    .selectFrom('library_likes')
    .select(['item_id', 'created_at'])
    .where('user_id', '=', userId)
    .where('kind', '=', kind)
    .orderBy('created_at', 'desc')
    .orderBy('item_id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

/** Users who liked the item (for a page: its followers), newest first. */
export function likers(db: Db, kind: LikeKind, itemId: string, page: Page) {
  return db
    .selectFrom('library_likes as l')
    .innerJoin('users as u', 'u.id', 'l.user_id')
    .select([
      'u.id',
      'u.username',
      'u.display_name',
      'u.avatar_url',
      'u.base_color',
      'u.accent_color',
      'l.created_at',
    ])
    .where('l.kind', '=', kind)
    .where('l.item_id', '=', itemId)
    .orderBy('l.created_at', 'desc')
    .orderBy('l.user_id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

/** Keyset batch of likers' ids (page follower fan-out), ascending by user id. */
export async function likerIdsAfter(
  db: Db,
  kind: LikeKind,
  itemId: string,
  afterUserId: string,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('library_likes')
    .select('user_id')
    .where('kind', '=', kind)
    .where('item_id', '=', itemId)
    .where('user_id', '>', afterUserId)
    .orderBy('user_id')
    .limit(limit)
    .execute();
  return rows.map((r) => String(r.user_id));
}

export async function countLikers(db: Db, kind: LikeKind, itemId: string): Promise<number> {
  const r = await db
    .selectFrom('library_likes')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('kind', '=', kind)
    .where('item_id', '=', itemId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export function users(db: Db, ids: readonly string[]): Promise<UserRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('users')
    .select(['id', 'username', 'display_name', 'avatar_url', 'base_color', 'accent_color'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
}
