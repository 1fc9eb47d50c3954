/**
 * Loads what the visibility policy needs to know about a viewer (visibility.ts): the whole viewer
 * graph for queries over many owners, or the relationships to a few owners for per-row checks.
 */
import { sql } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import type { Relationship, ViewerGraph } from './visibility.ts';
import type { SocialSpaces } from './ports.ts';

export async function loadViewerGraph(db: Db, viewerId: string, spaces: SocialSpaces): Promise<ViewerGraph> {
  const [follows, blocks, mutes, spaceIds] = await Promise.all([
    sql<{ id: string; mutual: boolean }>`
      select f.followee_id as id, exists (
        select 1 from follows r
        where r.follower_id = f.followee_id and r.followee_id = f.follower_id and r.status = 'accepted'
      ) as mutual
      from follows f where f.follower_id = ${viewerId} and f.status = 'accepted'`.execute(db),
    sql<{ id: string }>`
      select blocked_id as id from user_blocks where blocker_id = ${viewerId}
      union select blocker_id from user_blocks where blocked_id = ${viewerId}`.execute(db),
    db.selectFrom('user_mutes').select('muted_id as id').where('user_id', '=', viewerId).execute(),
    spaces.memberSocialSpaceIds(db, viewerId),
  ]);
  return {
    id: viewerId,
    following: follows.rows.map((r) => r.id),
    mutual: follows.rows.filter((r) => r.mutual).map((r) => r.id),
    blocked: blocks.rows.map((r) => r.id),
    muted: mutes.map((r) => r.id),
    spaces: spaceIds,
  };
}

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
