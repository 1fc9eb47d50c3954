/** The viewer's relationships to a few owners, for the per-row checks of visibility.ts. */
import { sql } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import type { Relationship } from './visibility.ts';

/** The viewer's relationship to each of `ownerIds` (shared spaces not included: posts need none). */
export async function loadRelationships(
  db: Db,
  viewerId: string,
  ownerIds: readonly string[],
): Promise<(ownerId: string) => Relationship> {
  const others = [...new Set(ownerIds)].filter((id) => id !== viewerId);
  const map = new Map<string, Relationship>();
  if (others.length) {
    const rows = await sql<{ id: string; follower: boolean; followed: boolean; blocked: boolean }>`
      select u.id,
        exists (select 1 from follows f where f.follower_id = ${viewerId} and f.followee_id = u.id
          and f.status = 'accepted') as follower,
        exists (select 1 from follows f where f.follower_id = u.id and f.followee_id = ${viewerId}
          and f.status = 'accepted') as followed,
        exists (select 1 from user_blocks b where (b.blocker_id = ${viewerId} and b.blocked_id = u.id)
          or (b.blocker_id = u.id and b.blocked_id = ${viewerId})) as blocked
      from unnest(${others}::bigint[]) as u(id)`.execute(db);
    for (const r of rows.rows)
      map.set(String(r.id), {
        self: false,
        blocked: r.blocked,
        follower: r.follower,
        mutual: r.follower && r.followed,
        sharedSpace: false,
      });
  }
  return (ownerId) =>
    ownerId === viewerId
      ? { self: true, blocked: false, follower: false, mutual: false, sharedSpace: false }
      : (map.get(ownerId) ?? {
          self: false,
          blocked: false,
          follower: false,
          mutual: false,
          sharedSpace: false,
        });
}
