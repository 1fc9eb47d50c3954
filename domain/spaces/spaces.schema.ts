/** Input schemas and output mappers of "Spaces", "Space Members", settings, tags, bans, roles, invites. */
import * as v from 'valibot';
import type { Selectable } from 'kysely';
import { color, limitParam, snowflake, str, trimmed } from './inputs.ts';
import { parseBits } from '../../actors/space/permissions.ts';
import type { SpaceBansTable, SpaceInvitesTable, SpaceRolesTable, SpacesTable } from './tables.ts';

export type SpaceRow = Selectable<SpacesTable>;
export type RoleRow = Selectable<SpaceRolesTable>;
export type InviteRow = Selectable<SpaceInvitesTable>;
export type BanRow = Selectable<SpaceBansTable>;

/** Slugs share one namespace with usernames (table `handles`), so they follow the same pattern. */
export const slug = v.pipe(
  str(2, 32),
  v.regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, _ and -'),
);

export const CreateSpaceInput = v.object({
  name: trimmed(1, 100),
  slug,
  description: v.optional(v.nullable(str(0, 2000))),
});
export const PatchSpaceInput = v.object({
  name: v.optional(trimmed(1, 100)),
  description: v.optional(v.nullable(str(0, 2000))),
  iconUrl: v.optional(v.nullable(str(1, 2048))),
});
export const JoinInput = v.object({ code: str(1, 64) });
export const BanBody = v.object({ reason: v.optional(v.nullable(str(0, 1000))) });
export const RoleIdsInput = v.object({ roleIds: v.pipe(v.array(snowflake), v.maxLength(100)) });
export const TagsInput = v.object({
  tags: v.pipe(v.array(trimmed(1, 50)), v.maxLength(10, 'at most 10 tags')),
});

/** A permission bitfield sent as a decimal string (or a number). */
export const bits = v.pipe(
  v.union([v.string(), v.number()]),
  v.transform(String),
  v.regex(/^\d{1,20}$/, 'must be a decimal permission bitfield'),
  v.transform((s) => parseBits(s).toString()),
);
export const CreateRoleInput = v.object({
  name: trimmed(1, 100),
  color: v.optional(v.nullable(color)),
  permissions: v.optional(bits),
  position: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10_000))),
});
export const PatchRoleInput = v.partial(CreateRoleInput);
export const InviteInput = v.object({
  maxUses: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100_000)))),
  expiresInHours: v.optional(v.nullable(v.pipe(v.number(), v.minValue(0.001), v.maxValue(24 * 365)))),
});

const navLink = v.object({ label: str(1, 100), url: str(1, 2048) });
const NAV_FEATURES = ['boards', 'gallery', 'routes', 'calendar', 'blog', 'newsletter', 'voice'] as const;

/** Spec "Space Admin Settings": every field, and its default. */
export const ADMIN_DEFAULTS = {
  allowPublicBoards: false,
  allowPublicGalleries: false,
  allowPublicCalendar: false,
  allowPublicRoutes: false,
  allowPublicVoice: false,
  allowPublicBlog: false,
  allowPublicNewsletter: false,
  allowPublicNewsletterSubscription: false,
  newsletterTrackingEnabled: true,
  socialEnabled: false,
  allowAnonymousBrowsing: false,
  calendarEnabled: false,
  blogEnabled: false,
  newsletterEnabled: false,
  isPublic: false,
  requireVerifiedEmail: false,
  isFeatured: false,
  baseColor: null as string | null,
  accentColor: null as string | null,
  textColor: null as string | null,
  publicTheme: null as unknown,
  webhooksEnabled: false,
  webhookSecret: null as string | null,
  publicNavLinks: [] as Array<{ label: string; url: string }>,
  publicNavDisabledFeatures: [] as string[],
};
export type AdminSettings = typeof ADMIN_DEFAULTS & { spaceId: string };

const flag = v.optional(v.boolean());
export const AdminSettingsInput = v.object({
  allowPublicBoards: flag,
  allowPublicGalleries: flag,
  allowPublicCalendar: flag,
  allowPublicRoutes: flag,
  allowPublicVoice: flag,
  allowPublicBlog: flag,
  allowPublicNewsletter: flag,
  allowPublicNewsletterSubscription: flag,
  newsletterTrackingEnabled: flag,
  socialEnabled: flag,
  allowAnonymousBrowsing: flag,
  calendarEnabled: flag,
  blogEnabled: flag,
  newsletterEnabled: flag,
  isPublic: flag,
  requireVerifiedEmail: flag,
  isFeatured: flag,
  baseColor: v.optional(v.nullable(color)),
  accentColor: v.optional(v.nullable(color)),
  textColor: v.optional(v.nullable(color)),
  publicTheme: v.optional(v.unknown()),
  webhooksEnabled: flag,
  publicNavLinks: v.optional(v.pipe(v.array(navLink), v.maxLength(20, 'at most 20 links'))),
  publicNavDisabledFeatures: v.optional(
    v.array(v.picklist(NAV_FEATURES, `must be one of ${NAV_FEATURES.join(', ')}`)),
  ),
});
export type AdminSettingsInput = v.InferOutput<typeof AdminSettingsInput>;

export const MemberSettingsInput = v.record(
  v.pipe(v.string(), v.regex(/^[A-Za-z][A-Za-z0-9]{0,39}$/)),
  v.boolean(),
);
export const MEMBER_SETTINGS_DEFAULTS = {
  muteAll: false,
  muteMentions: false,
  muteEvents: false,
  muteBlog: false,
};

export const DirectoryQuery = v.object({
  search: v.optional(str(0, 100)),
  tag: v.optional(str(1, 50)),
  limit: limitParam(20, 100),
  offset: v.pipe(v.optional(v.string(), '0'), v.regex(/^\d+$/), v.transform(Number)),
});

// ---- outputs ----

export interface SpaceDto {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  iconUrl: string | null;
  ownerId: string;
  isPublic: boolean;
  isFeatured: boolean;
  memberCount: number;
  baseColor: string | null;
  accentColor: string | null;
  textColor: string | null;
  socialEnabled: boolean;
  createdAt: string;
  updatedAt: string;
}

const s = (x: unknown): string | null => (typeof x === 'string' ? x : null);

export function toSpace(r: SpaceRow): SpaceDto {
  return {
    id: r.id,
    name: r.name,
    slug: r.slug,
    description: r.description,
    iconUrl: r.icon_url,
    ownerId: r.owner_id,
    isPublic: r.is_public,
    isFeatured: r.is_featured,
    memberCount: r.member_count,
    baseColor: s(r.settings['baseColor']),
    accentColor: s(r.settings['accentColor']),
    textColor: s(r.settings['textColor']),
    socialEnabled: r.settings['socialEnabled'] === true,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export function toEmbed(r: SpaceRow, channelCount: number) {
  return {
    id: r.id,
    name: r.name,
    slug: r.slug,
    description: r.description,
    iconUrl: r.icon_url,
    memberCount: r.member_count,
    channelCount,
    baseColor: s(r.settings['baseColor']),
    accentColor: s(r.settings['accentColor']),
    textColor: s(r.settings['textColor']),
    isPublic: r.is_public,
  };
}

export function toAdminSettings(r: SpaceRow): AdminSettings {
  return {
    spaceId: r.id,
    ...ADMIN_DEFAULTS,
    ...(r.settings as Partial<typeof ADMIN_DEFAULTS>),
    isPublic: r.is_public,
    isFeatured: r.is_featured,
  };
}

export function toRole(r: RoleRow) {
  return {
    id: r.id,
    spaceId: r.space_id,
    name: r.name,
    color: r.color,
    permissions: r.permissions,
    position: r.position,
    isDefault: r.is_default,
    createdAt: r.created_at.toISOString(),
  };
}
export type RoleDto = ReturnType<typeof toRole>;

export function toInvite(r: InviteRow) {
  return {
    id: r.id,
    code: r.code,
    spaceId: r.space_id,
    createdBy: r.created_by,
    maxUses: r.max_uses,
    uses: r.uses,
    expiresAt: r.expires_at ? r.expires_at.toISOString() : null,
    createdAt: r.created_at.toISOString(),
  };
}
