/**
 * The one permission module (spec "Permissions", API-DECISIONS "Permission bits"). Pure functions
 * over bigint bitfields, used by the space actor (from its context) and by every service that checks a
 * permission (from the projection tables): the same answer whichever side asks.
 *
 * Rules:
 * 1. The owner has every permission, everywhere.
 * 2. A member's base permissions are the union of their roles' bits; every member holds the space's
 *    default role.
 * 3. In a channel, overrides apply on top of the base: the default role's override first (deny, then
 *    allow), then the union of the denies of the member's other roles, then the union of their allows
 *    (so among the member's own roles an allow wins, as in Discord's model).
 * 4. Administrators (owner, MANAGE_SPACE or MANAGE_CHANNELS) are not limited by overrides and see
 *    every channel. A private channel is otherwise visible only to its direct members and to holders
 *    of a role with a VIEW_CHANNELS allow override on it; the admin channel only to administrators and
 *    MANAGE_MEMBERS holders (bans and reports are posted there).
 * 5. Without VIEW_CHANNELS in a channel, a member has no permission in it at all.
 */
export const Permission = {
  VIEW_CHANNELS: 1n << 0n,
  SEND_MESSAGES: 1n << 1n,
  MANAGE_MESSAGES: 1n << 2n,
  MANAGE_CHANNELS: 1n << 3n,
  MANAGE_ROLES: 1n << 4n,
  MANAGE_MEMBERS: 1n << 5n,
  MANAGE_SPACE: 1n << 6n,
  CREATE_INVITES: 1n << 7n,
  MANAGE_INVITES: 1n << 8n,
  ATTACH_FILES: 1n << 9n,
  ADD_REACTIONS: 1n << 10n,
  MANAGE_CALENDAR: 1n << 11n,
  CLAIM_EVENTS: 1n << 12n,
  CREATE_THREADS: 1n << 13n,
  MANAGE_THREADS: 1n << 14n,
  MANAGE_ROUTE_CATEGORIES: 1n << 15n,
  MANAGE_BLOG: 1n << 16n,
  MANAGE_NEWSLETTER: 1n << 17n,
  MANAGE_WORKFLOWS: 1n << 18n,
  MANAGE_SOCIAL: 1n << 19n,
  VIEW_ROLES: 1n << 20n,
} as const;

export type PermissionName = keyof typeof Permission;

export const ALL_PERMISSIONS: bigint = (1n << 21n) - 1n;

/** What the default role grants a new space's members (API-DECISIONS). */
export const DEFAULT_ROLE_PERMISSIONS: bigint =
  Permission.VIEW_CHANNELS |
  Permission.SEND_MESSAGES |
  Permission.ATTACH_FILES |
  Permission.ADD_REACTIONS |
  Permission.CREATE_THREADS;

/** What a role override from `roleOverrides` on channel creation grants (spec "Channels"). */
export const PRIVATE_CHANNEL_GRANT: bigint =
  Permission.VIEW_CHANNELS | Permission.SEND_MESSAGES | Permission.ATTACH_FILES | Permission.ADD_REACTIONS;

const ADMIN_BITS = Permission.MANAGE_SPACE | Permission.MANAGE_CHANNELS;

/** A decimal bitfield string (as sent and stored in JSON) → bigint, masked to known bits. */
export function parseBits(s: string | bigint | number | null | undefined): bigint {
  if (s === null || s === undefined || s === '') return 0n;
  return BigInt(s) & ALL_PERMISSIONS;
}

export function has(bits: bigint, need: bigint): boolean {
  return (bits & need) === need;
}

export interface RoleBits {
  id: string;
  permissions: bigint;
  isDefault: boolean;
}

export interface OverrideBits {
  roleId: string;
  allow: bigint;
  deny: bigint;
}

/** Who is asking, in one space. */
export interface Subject {
  userId: string;
  ownerId: string;
  isMember: boolean;
  /** Roles the member holds (the default role may be omitted: it is always held). */
  roleIds: readonly string[];
  /** Every role of the space. */
  roles: readonly RoleBits[];
}

export interface ChannelAccess {
  isPrivate: boolean;
  isAdmin: boolean;
  overrides: readonly OverrideBits[];
  /** The subject is a direct member of this (private) channel. */
  isDirectMember: boolean;
}

const held = (s: Subject, r: RoleBits) => r.isDefault || s.roleIds.includes(r.id);

/** Space-wide permissions (rules 1, 2). Non-members have none. */
export function basePermissions(s: Subject): bigint {
  if (s.userId === s.ownerId) return ALL_PERMISSIONS;
  if (!s.isMember) return 0n;
  let p = 0n;
  for (const r of s.roles) if (held(s, r)) p |= r.permissions;
  return p;
}

export function isAdministrator(s: Subject, base = basePermissions(s)): boolean {
  return s.userId === s.ownerId || (base & ADMIN_BITS) !== 0n;
}

/** Permissions in one channel (rules 3-5): 0n when the channel is invisible to the subject. */
export function channelPermissions(s: Subject, ch: ChannelAccess): bigint {
  if (s.userId === s.ownerId) return ALL_PERMISSIONS;
  if (!s.isMember) return 0n;
  const base = basePermissions(s);
  if (isAdministrator(s, base)) return base | Permission.VIEW_CHANNELS;
  if (ch.isAdmin) return has(base, Permission.MANAGE_MEMBERS) ? base | Permission.VIEW_CHANNELS : 0n;
  let p = base;
  const defaultRole = s.roles.find((r) => r.isDefault);
  const byRole = new Map(ch.overrides.map((o) => [o.roleId, o]));
  const def = defaultRole ? byRole.get(defaultRole.id) : undefined;
  if (def) p = (p & ~def.deny) | def.allow;
  let deny = 0n;
  let allow = 0n;
  for (const r of s.roles) {
    if (r.isDefault || !held(s, r)) continue;
    const o = byRole.get(r.id);
    if (o) {
      deny |= o.deny;
      allow |= o.allow;
    }
  }
  p = (p & ~deny) | allow;
  if (ch.isPrivate) {
    const roleGrantsView =
      (def !== undefined && has(def.allow, Permission.VIEW_CHANNELS)) || has(allow, Permission.VIEW_CHANNELS);
    if (!ch.isDirectMember && !roleGrantsView) return 0n;
    p |= Permission.VIEW_CHANNELS;
  }
  return has(p, Permission.VIEW_CHANNELS) ? p : 0n;
}

/**
 * A guest of a public space (not a member): may read channels that are neither private nor the admin
 * channel and whose default-role override does not deny VIEW_CHANNELS. Nothing else.
 */
export function guestPermissions(defaultRoleId: string, ch: ChannelAccess): bigint {
  if (ch.isPrivate || ch.isAdmin) return 0n;
  const def = ch.overrides.find((o) => o.roleId === defaultRoleId);
  if (def && has(def.deny, Permission.VIEW_CHANNELS)) return 0n;
  return Permission.VIEW_CHANNELS;
}

/** Names of the bits set, for error messages and debugging. */
export function permissionNames(bits: bigint): PermissionName[] {
  return (Object.keys(Permission) as PermissionName[]).filter((k) => (bits & Permission[k]) !== 0n);
}
