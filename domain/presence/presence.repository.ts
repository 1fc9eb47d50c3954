/** The public face of a user shown to others in a space (space:guest_joined). */
import type { Db } from '../../engine/db/index.ts';

export interface PublicUser {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
}

export async function findPublicUser(db: Db, userId: string): Promise<PublicUser | null> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'username', 'display_name', 'avatar_url'])
    .where('id', '=', userId)
    .executeTakeFirst();
  return row
    ? { id: row.id, username: row.username, displayName: row.display_name, avatarUrl: row.avatar_url }
    : null;
}
