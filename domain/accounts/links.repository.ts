/** Kysely queries over profile_links. */
import type { Db } from './tokens.ts';
import type { ProfileLinkRow } from './users.schema.ts';

export function listLinks(db: Db, userId: string): Promise<ProfileLinkRow[]> {
  return db
    .selectFrom('profile_links')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('position')
    .orderBy('id')
    .execute();
}

export function findLink(db: Db, userId: string, linkId: string): Promise<ProfileLinkRow | undefined> {
  return db
    .selectFrom('profile_links')
    .selectAll()
    .where('id', '=', linkId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}
