/** Kysely queries over collections and collection_items. Rows in, rows out. */
import { sql } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import type { Page } from './library.repository.ts';

export interface CollectionRow {
  id: string;
  owner_id: string;
  name: string;
  description: string | null;
  is_public: boolean;
  is_featured: boolean;
  item_count: number;
  play_count: number;
  created_at: Date;
  updated_at: Date;
}

const COLS = [
  'c.id',
  'c.owner_id',
  'c.name',
  'c.description',
  'c.is_public',
  'c.is_featured',
  'c.item_count',
  'c.play_count',
  'c.created_at',
  'c.updated_at',
] as const;

export function getCollection(db: Db, id: string): Promise<CollectionRow | undefined> {
  return db.selectFrom('collections as c').select(COLS).where('c.id', '=', id).executeTakeFirst();
}

export async function countOwned(db: Db, ownerId: string): Promise<number> {
  const r = await db
    .selectFrom('collections')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('owner_id', '=', ownerId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertCollection(
  db: Db,
  row: { id: string; ownerId: string; name: string; description: string | null; isPublic: boolean; at: Date },
): Promise<void> {
  await db
    .insertInto('collections')
    .values({
      id: row.id,
      owner_id: row.ownerId,
      name: row.name,
      description: row.description,
      is_public: row.isPublic,
      created_at: row.at,
      updated_at: row.at,
    })
    .execute();
}

export async function updateCollection(
  db: Db,
  id: string,
  set: Partial<{ name: string; description: string | null; is_public: boolean; is_featured: boolean }>,
  at: Date,
): Promise<void> {
  await db
    .updateTable('collections')
    .set({ ...set, updated_at: at })
    .where('id', '=', id)
    .execute();
}

export async function deleteCollection(db: Db, id: string): Promise<void> {
  await db.deleteFrom('collections').where('id', '=', id).execute();
}

export async function incrementPlays(db: Db, id: string): Promise<void> {
  await sql`update collections set play_count = play_count + 1 where id = ${id}`.execute(db);
}

/** Row lock on the collection (item writes are serialised per collection). */
export async function lockCollection(trx: Db, id: string): Promise<void> {
  await sql`select id from collections where id = ${id} for update`.execute(trx);
}

export async function itemIds(db: Db, collectionId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('collection_items')
    .select('post_id')
    .where('collection_id', '=', collectionId)
    .orderBy('position')
    .execute();
  return rows.map((r) => String(r.post_id));
}

export function items(db: Db, collectionId: string) {
  return db
    .selectFrom('collection_items')
    .select(['post_id', 'position', 'added_at'])
    .where('collection_id', '=', collectionId)
    .orderBy('position')
    .execute();
}

/** Replaces the items with `postIds` in order (positions 0..n-1), keeping added_at of kept posts. */
export async function replaceItems(db: Db, collectionId: string, postIds: readonly string[], at: Date) {
  const old = new Map((await items(db, collectionId)).map((r) => [String(r.post_id), r.added_at]));
  await db.deleteFrom('collection_items').where('collection_id', '=', collectionId).execute();
  if (postIds.length)
    await db
      .insertInto('collection_items')
      .values(
        postIds.map((p, i) => ({
          collection_id: collectionId,
          post_id: p,
          position: i,
          added_at: old.get(p) ?? at,
        })),
      )
      .execute();
  await db
    .updateTable('collections')
    .set({ item_count: postIds.length })
    .where('id', '=', collectionId)
    .execute();
}

/** Listing filter: whose, and which. */
export type CollectionFilter =
  { kind: 'owner'; ownerId: string; includePrivate: boolean } | { kind: 'public' } | { kind: 'featured' };

export function listCollections(db: Db, f: CollectionFilter, page: Page): Promise<CollectionRow[]> {
  let q = db.selectFrom('collections as c').select(COLS);
  if (f.kind === 'owner') {
    q = q.where('c.owner_id', '=', f.ownerId);
    if (!f.includePrivate) q = q.where('c.is_public', '=', true);
  } else {
    q = q.where('c.is_public', '=', true);
    if (f.kind === 'featured') q = q.where('c.is_featured', '=', true);
  }
  return q.orderBy('c.id', 'desc').limit(page.limit).offset(page.offset).execute();
}

/**
 * Recommendations for a viewer: public, non-empty collections of others; those of users the viewer
 * follows first, then featured ones, then the most played; newest first within each.
 */
export async function recommended(db: Db, viewerId: string, page: Page): Promise<CollectionRow[]> {
  const r =
    await sql<CollectionRow>`select c.id, c.owner_id, c.name, c.description, c.is_public, c.is_featured,
      c.item_count, c.play_count, c.created_at, c.updated_at
    from collections c
    where c.is_public and c.item_count > 0 and c.owner_id <> ${viewerId}
    order by exists (select 1 from follows f where f.follower_id = ${viewerId}
        and f.followee_id = c.owner_id and f.status = 'accepted') desc,
      c.is_featured desc, c.play_count desc, c.id desc
    limit ${page.limit} offset ${page.offset}`.execute(db);
  return r.rows;
}
