/** Input schemas and output mappers of the spec's "Users", "Profile Links" and preferences. */
import * as v from 'valibot';
import type { Selectable } from 'kysely';
import { displayName, str } from './auth.schema.ts';
import type { ProfileLinksTable, UserPreferencesTable, UsersTable } from './tables.ts';

export type UserRow = Selectable<UsersTable>;
export type PreferencesRow = Selectable<UserPreferencesTable>;
export type ProfileLinkRow = Selectable<ProfileLinksTable>;

const color = v.nullable(v.pipe(v.string(), v.regex(/^#[0-9a-fA-F]{6}$/, 'must be #RRGGBB')));
const httpUrl = (max: number) =>
  v.pipe(
    str(1, max),
    v.check((s) => {
      try {
        const u = new URL(s);
        return u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        return false;
      }
    }, 'must be an http or https URL'),
  );
/** An avatar: an absolute http(s) URL, or one of our own uploads. */
const avatarUrl = v.nullable(
  v.union(
    [httpUrl(2048), v.pipe(str(1, 2048), v.regex(/^\/uploads\/[\w./-]+$/, 'must be a URL'))],
    'must be an http(s) URL or an /uploads/ path',
  ),
);

export const PatchMeInput = v.object({
  displayName: v.optional(displayName),
  bio: v.optional(v.nullable(str(0, 500))),
  avatarUrl: v.optional(avatarUrl),
  baseColor: v.optional(color),
  accentColor: v.optional(color),
});
export type PatchMeInput = v.InferOutput<typeof PatchMeInput>;

const visibility = v.picklist(['public', 'private', 'followers', 'spaces']);
const msgPrivacy = v.picklist(['accept_all', 'require_approval', 'dont_allow']);
export type MsgPrivacy = v.InferOutput<typeof msgPrivacy>;

export const PreferencesInput = v.object({
  distanceUnits: v.optional(v.picklist(['metric', 'us_customary'])),
  defaultVisibility: v.optional(visibility),
  profileVisibility: v.optional(visibility),
  onboardingCompleted: v.optional(v.boolean()),
  newsletterEnabled: v.optional(v.boolean()),
  activitiesVisibility: v.optional(v.nullable(visibility)),
  followRequestPolicy: v.optional(v.picklist(['accept_all', 'accept_mutual_spaces', 'require_approval'])),
  msgPrivacyAll: v.optional(msgPrivacy),
  msgPrivacyFollowed: v.optional(msgPrivacy),
  msgPrivacySpaces: v.optional(msgPrivacy),
  msgPrivacyGroupDm: v.optional(msgPrivacy),
  /** IANA zone of personal calendar dates (API-DECISIONS "Paths and envelopes"). */
  timezone: v.optional(
    v.pipe(
      str(1, 64),
      v.check((tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'must be an IANA time zone'),
    ),
  ),
});
export type PreferencesInput = v.InferOutput<typeof PreferencesInput>;

export const ProfileLinkInput = v.object({ label: str(1, 100), url: httpUrl(512) });
export const ProfileLinkPatch = v.object({
  label: v.optional(str(1, 100)),
  url: v.optional(httpUrl(512)),
});
export const ReorderInput = v.object({
  linkIds: v.pipe(
    v.array(v.pipe(v.string(), v.regex(/^\d{1,19}$/, 'must be a numeric id'))),
    v.maxLength(100),
  ),
});
export const SearchQuery = v.object({
  q: v.pipe(str(2, 64), v.trim(), v.minLength(2, 'must be at least 2 characters')),
});
export const DeleteMeInput = v.object({ password: str(1, 128) });
export const BanInput = v.object({ reason: v.optional(v.nullable(str(0, 500))) });

/** The user object of the spec ("GET /users/me"); the email only goes to its owner. */
export interface UserDto {
  id: string;
  email: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  bio: string | null;
  isAdmin: boolean;
  emailVerified: boolean;
  totpEnabled: boolean;
  baseColor: string | null;
  accentColor: string | null;
  status: string;
  createdAt: string;
}
export type PublicUserDto = Omit<UserDto, 'email' | 'emailVerified' | 'totpEnabled'>;

export function toPublicUser(u: UserRow): PublicUserDto {
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    avatarUrl: u.avatar_url,
    bio: u.bio,
    isAdmin: u.is_admin,
    baseColor: u.base_color,
    accentColor: u.accent_color,
    status: u.status,
    createdAt: u.created_at.toISOString(),
  };
}

export function toUserDto(u: UserRow): UserDto {
  return {
    ...toPublicUser(u),
    email: u.email,
    emailVerified: u.email_verified,
    totpEnabled: u.totp_enabled,
  };
}

/** The short form of search results and lists. */
export function toUserSummary(u: Pick<UserRow, 'id' | 'username' | 'display_name' | 'avatar_url'>) {
  return { id: u.id, username: u.username, displayName: u.display_name, avatarUrl: u.avatar_url };
}

export function toPreferences(p: PreferencesRow) {
  return {
    distanceUnits: p.distance_units,
    defaultVisibility: p.default_visibility,
    profileVisibility: p.profile_visibility,
    onboardingCompleted: p.onboarding_completed,
    newsletterEnabled: p.newsletter_enabled,
    activitiesVisibility: p.activities_visibility,
    followRequestPolicy: p.follow_request_policy,
    msgPrivacyAll: p.msg_privacy_all,
    msgPrivacyFollowed: p.msg_privacy_followed,
    msgPrivacySpaces: p.msg_privacy_spaces,
    msgPrivacyGroupDm: p.msg_privacy_group_dm,
    timezone: p.timezone,
  };
}
export type PreferencesDto = ReturnType<typeof toPreferences>;

export function toProfileLink(l: ProfileLinkRow) {
  return {
    id: l.id,
    userId: l.user_id,
    label: l.label,
    url: l.url,
    position: l.position,
    createdAt: l.created_at.toISOString(),
  };
}
