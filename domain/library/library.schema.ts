/** Valibot inputs of the library and pages, and the shapes they answer with. */
import * as v from 'valibot';
import { isSnowflake } from '../../engine/ids.ts';
import type { UserRow } from './library.repository.ts';

const snowflake = v.pipe(
  v.string(),
  v.check((s: string) => isSnowflake(s), 'must be a numeric id'),
);
const limitParam = (def: number, max: number) =>
  v.pipe(
    v.optional(v.string(), String(def)),
    v.regex(/^\d+$/, 'must be a positive integer'),
    v.transform(Number),
    v.minValue(1, 'must be at least 1'),
    v.maxValue(max, `must be at most ${max}`),
  );
const offsetParam = v.pipe(
  v.optional(v.string(), '0'),
  v.regex(/^\d+$/, 'must be a non-negative integer'),
  v.transform(Number),
  v.maxValue(1_000_000, 'must be at most 1000000'),
);

/** `?limit=` (default 20, max 50) and `?offset=`. */
export const PageQuery = v.object({ limit: limitParam(20, 50), offset: offsetParam });
export type PageQuery = v.InferOutput<typeof PageQuery>;

/** A library list: whose (`userId`, default the caller) and the page. */
export const LibraryListQuery = v.object({
  userId: v.optional(snowflake),
  limit: limitParam(20, 50),
  offset: offsetParam,
});
export type LibraryListQuery = v.InferOutput<typeof LibraryListQuery>;

export interface UserSummary {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  baseColor: string | null;
  accentColor: string | null;
}

export const toUserSummary = (r: UserRow): UserSummary => ({
  id: String(r.id),
  username: r.username,
  displayName: r.display_name,
  avatarUrl: r.avatar_url,
  baseColor: r.base_color,
  accentColor: r.accent_color,
});

/** A liked user, with when. */
export interface LikedUser extends UserSummary {
  likedAt: string;
}

/** A page (socialEnabled space) as lists show it. */
export interface PageDto {
  id: string;
  name: string;
  slug: string;
  iconUrl: string | null;
  baseColor: string | null;
  accentColor: string | null;
}

export interface LikedPage extends PageDto {
  likedAt: string;
}

/** A page follower, with when they followed. */
export interface PageFollower extends UserSummary {
  followedAt: string;
}

/** GET /pages/:spaceId/follow */
export interface PageFollowStatus {
  spaceId: string;
  isFollowing: boolean;
  followerCount: number;
}

/** GET /library/counts */
export interface LibraryCounts {
  posts: number;
  pages: number;
  users: number;
  collections: number;
  total: number;
  max: number;
}
