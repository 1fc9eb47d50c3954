/**
 * Other people's profiles: search, public profile, lookup by username or handle, and the profile
 * visibility rule every feature that shows profile content asks (spec "Profile Visibility Gate").
 */
import { sql } from 'kysely';
import { notFound } from '../../engine/errors.ts';
import type { Db } from './tokens.ts';
import {
  blockedEitherWay,
  findUserById,
  findUserByUsername,
  follows,
  getPreferences,
} from './users.repository.ts';
import { toProfileLink, toPublicUser, toUserDto, toUserSummary, type UserRow } from './users.schema.ts';
import type { SpaceDirectory, SpaceProfile } from './extensions.ts';
import { listLinks } from './links.repository.ts';

const SEARCH_LIMIT = 20;

export class ProfilesService {
  constructor(private readonly spaces: () => SpaceDirectory) {}

  /**
   * May `viewerId` see `ownerId`'s profile content? From the owner's profileVisibility and the
   * spec's "Visibility Rules": public → anyone; followers → an accepted follower; spaces → a
   * follower or someone sharing a space; private → nobody. The owner always; nobody across a block.
   */
  async canViewProfile(db: Db, viewerId: string, ownerId: string): Promise<boolean> {
    if (viewerId === ownerId) return true;
    if (await blockedEitherWay(db, viewerId, ownerId)) return false;
    const prefs = await getPreferences(db, ownerId);
    switch (prefs.profile_visibility) {
      case 'public':
        return true;
      case 'followers':
        return follows(db, viewerId, ownerId);
      case 'spaces':
        return (await follows(db, viewerId, ownerId)) || this.spaces().shareSpace(db, viewerId, ownerId);
      default:
        return false;
    }
  }

  /** GET /users/search: username or display name containing `q`, best matches first. */
  async search(db: Db, viewerId: string, q: string) {
    const lower = q.toLowerCase();
    const pattern = `%${lower.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const prefix = `${lower.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await db
      .selectFrom('users')
      .select(['id', 'username', 'display_name', 'avatar_url'])
      .where('id', '!=', viewerId)
      .where((eb) =>
        eb.or([eb('username_lower', 'like', pattern), eb(sql<string>`lower(display_name)`, 'like', pattern)]),
      )
      // Neither side of a block finds the other; suspended accounts are not listed.
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('user_blocks')
              .select('blocker_id')
              .where((eb) =>
                eb.or([
                  eb.and([eb('blocker_id', '=', viewerId), eb('blocked_id', '=', eb.ref('users.id'))]),
                  eb.and([eb('blocker_id', '=', eb.ref('users.id')), eb('blocked_id', '=', viewerId)]),
                ]),
              ),
          ),
        ),
      )
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('user_bans').select('user_id').whereRef('user_bans.user_id', '=', 'users.id'))),
      )
      .orderBy(sql`username_lower = ${lower}`, 'desc')
      .orderBy(sql`username_lower like ${prefix}`, 'desc')
      .orderBy(sql`lower(display_name) like ${prefix}`, 'desc')
      .orderBy('username_lower')
      .limit(SEARCH_LIMIT)
      .execute();
    return rows.map(toUserSummary);
  }

  /** The user object another user sees (email only for oneself) plus what the profile page needs. */
  private async profileOf(db: Db, viewerId: string, user: UserRow) {
    const [canViewProfile, prefs, links] = await Promise.all([
      this.canViewProfile(db, viewerId, user.id),
      getPreferences(db, user.id),
      listLinks(db, user.id),
    ]);
    const base = viewerId === user.id ? toUserDto(user) : toPublicUser(user);
    return {
      ...base,
      canViewProfile,
      newsletterEnabled: prefs.newsletter_enabled,
      profileLinks: links.map(toProfileLink),
    };
  }

  /** GET /users/:userId */
  async getProfile(db: Db, viewerId: string, userId: string) {
    const user = await findUserById(db, userId);
    if (!user) throw notFound('User not found');
    return this.profileOf(db, viewerId, user);
  }

  /** GET /users/by-username/:username */
  async getByUsername(db: Db, viewerId: string, username: string) {
    const user = await findUserByUsername(db, username);
    if (!user) throw notFound('User not found');
    return this.profileOf(db, viewerId, user);
  }

  /** GET /users/profiles/:handle: a username first, then a space slug with socialEnabled. */
  async resolveHandle(db: Db, viewerId: string, handle: string) {
    const user = await findUserByUsername(db, handle);
    if (user) {
      const p = await this.profileOf(db, viewerId, user);
      return {
        type: 'user' as const,
        id: p.id,
        username: p.username,
        displayName: p.displayName,
        avatarUrl: p.avatarUrl,
        baseColor: p.baseColor,
        accentColor: p.accentColor,
        canViewProfile: p.canViewProfile,
        newsletterEnabled: p.newsletterEnabled,
        profileLinks: p.profileLinks,
      };
    }
    const space: SpaceProfile | null = await this.spaces().findSocialSpaceBySlug(db, handle);
    if (space) return space;
    throw notFound('Profile not found');
  }
}
