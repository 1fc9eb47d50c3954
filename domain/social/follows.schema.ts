/** Input schemas and output mappers of the spec's "Follows". */
import * as v from 'valibot';
import { limitParam, offsetParam } from './params.ts';
import type { UserSummaryRow } from './follows.repository.ts';

export const FollowListQuery = v.object({
  limit: limitParam(100, 1000),
  offset: offsetParam,
});
export type FollowListQuery = v.InferOutput<typeof FollowListQuery>;

/** `{ id, username, displayName, avatarUrl, baseColor, accentColor }` (spec follow lists). */
export interface UserSummary {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  baseColor: string | null;
  accentColor: string | null;
}

export function toUserSummary(r: UserSummaryRow): UserSummary {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    avatarUrl: r.avatar_url,
    baseColor: r.base_color,
    accentColor: r.accent_color,
  };
}

export interface FollowStatus {
  isFollowing: boolean;
  isFollowedBy: boolean;
  followRequestPending: boolean;
  incomingRequestPending: boolean;
}
