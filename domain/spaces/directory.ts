/**
 * What other features ask of spaces, through the small interfaces they define: accounts'
 * `SpaceDirectory` (a profile handle that is a space slug; "shares a space" for profile visibility),
 * DMs' `SharedSpaces` (message privacy for shared-space members), calls' `VoiceChannelDirectory`
 * (voice channel access: type, space, membership, VIEW_CHANNELS), and the realtime gateway's room
 * access (space, channel and thread rooms) and guest visits.
 */
import type { Db } from '../../engine/db/index.ts';
import { has, Permission } from '../../actors/space/permissions.ts';
import type { SpaceDirectory, SpaceProfile } from '../accounts/extensions.ts';
import { loadAccess, loadChannelAccess } from './access.ts';

export function createSpaceDirectory(): SpaceDirectory {
  return {
    async findSocialSpaceBySlug(db, slug): Promise<SpaceProfile | null> {
      const r = await db
        .selectFrom('spaces')
        .selectAll()
        .where('slug_lower', '=', slug.toLowerCase())
        .executeTakeFirst();
      if (!r || r.settings['socialEnabled'] !== true) return null;
      const str = (k: string) => (typeof r.settings[k] === 'string' ? (r.settings[k] as string) : null);
      return {
        type: 'space',
        id: r.id,
        name: r.name,
        slug: r.slug,
        description: r.description,
        iconUrl: r.icon_url,
        memberCount: r.member_count,
        baseColor: str('baseColor'),
        accentColor: str('accentColor'),
        textColor: str('textColor'),
        ownerId: r.owner_id,
      };
    },
    shareSpace,
  };
}

export async function shareSpace(db: Db, userA: string, userB: string): Promise<boolean> {
  if (userA === userB) return true;
  const r = await db
    .selectFrom('space_members as a')
    .innerJoin('space_members as b', 'b.space_id', 'a.space_id')
    .select('a.space_id')
    .where('a.user_id', '=', userA)
    .where('b.user_id', '=', userB)
    .limit(1)
    .executeTakeFirst();
  return !!r;
}

export function voiceChannels(db: Db) {
  return {
    async channel(channelId: string) {
      const r = await db
        .selectFrom('channels')
        .select(['id', 'space_id', 'type'])
        .where('id', '=', channelId)
        .executeTakeFirst();
      return r ? { id: r.id, spaceId: r.space_id, type: r.type } : null;
    },
    async canView(userId: string, channel: { id: string; spaceId: string }) {
      try {
        const v = await loadChannelAccess(db, channel.id, userId);
        return v.access.isMember && has(v.perms, Permission.VIEW_CHANNELS);
      } catch {
        return false;
      }
    },
  };
}

/** Room access for the gateway: `space:<id>` members, `channel:<id>` viewers, `thread:<id>` viewers of its forum. */
export function roomAccess(db: Db) {
  const canViewChannel = async (userId: string, channelId: string): Promise<boolean> => {
    try {
      return has((await loadChannelAccess(db, channelId, userId)).perms, Permission.VIEW_CHANNELS);
    } catch {
      return false;
    }
  };
  return {
    async spacesOf(userId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('space_members')
        .select('space_id')
        .where('user_id', '=', userId)
        .execute();
      return rows.map((r) => r.space_id);
    },
    async isMember(userId: string, spaceId: string): Promise<boolean> {
      const r = await db
        .selectFrom('space_members')
        .select('user_id')
        .where('space_id', '=', spaceId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return !!r;
    },
    canViewChannel,
    async canViewThread(userId: string, threadId: string): Promise<boolean> {
      const t = await db
        .selectFrom('forum_threads')
        .select('channel_id')
        .where('id', '=', threadId)
        .executeTakeFirst();
      return t ? canViewChannel(userId, t.channel_id) : false;
    },
    /** Guest visits: the space is public and the user is not banned from it. */
    async canVisit(userId: string, spaceId: string): Promise<boolean> {
      const s = await db
        .selectFrom('spaces')
        .select('is_public')
        .where('id', '=', spaceId)
        .executeTakeFirst();
      if (!s?.is_public) return false;
      const ban = await db
        .selectFrom('space_bans')
        .select('user_id')
        .where('space_id', '=', spaceId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return !ban;
    },
    async canKickGuests(userId: string, spaceId: string): Promise<boolean> {
      const a = await loadAccess(db, spaceId, userId);
      return !!a && has(a.base, Permission.MANAGE_MEMBERS);
    },
  };
}
