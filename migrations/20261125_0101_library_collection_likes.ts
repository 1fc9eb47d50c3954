import { sql, type Kysely } from 'kysely';

// Library likes of collections (social-graph-api "Get Liked Albums": album = user collection).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table library_likes drop constraint if exists library_likes_kind_check`.execute(db);
  await sql`alter table library_likes add constraint library_likes_kind_check
    check (kind in ('post', 'page', 'user', 'collection'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from library_likes where kind = 'collection'`.execute(db);
  await sql`alter table library_likes drop constraint if exists library_likes_kind_check`.execute(db);
  await sql`alter table library_likes add constraint library_likes_kind_check
    check (kind in ('post', 'page', 'user'))`.execute(db);
}
