/**
 * Permission checks of the services, from the projection tables, through the one permission module
 * (actors/space/permissions.ts): the same rules the space actor applies to its own context. The actor
 * is the authority for its writes (joins, roles, bans, channels, sends); services use this for reads and
 * for row-level changes outside the actor (edits, reactions, pins, settings).
 */
import { sql } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import { forbidden, notFound } from '../../engine/errors.ts';
import {
  basePermissions,
  channelPermissions,
  guestPermissions,
  has,
  isAdministrator,
  parseBits,
  Permission,
  permissionNames,
  type OverrideBits,
  type Subject,
} from '../../actors/space/permissions.ts';
import type { SpaceRow } from './spaces.schema.ts';
import type { ChannelsTable } from './tables.ts';
import type { Selectable } from 'kysely';

export type ChannelRow = Selectable<ChannelsTable>;

export interface SpaceAccess {
  space: SpaceRow;
  subject: Subject;
  base: bigint;
  defaultRoleId: string;
  isMember: boolean;
  isOwner: boolean;
  isAdmin: boolean;
}

/** What a member of a target space may do in a channel mirrored into it (spec "Portals"). */
const PORTAL_MASK =
  Permission.VIEW_CHANNELS | Permission.SEND_MESSAGES | Permission.ATTACH_FILES | Permission.ADD_REACTIONS;

export async function loadAccess(db: Db, spaceId: string, userId: string): Promise<SpaceAccess | null> {
  const space = await db.selectFrom('spaces').selectAll().where('id', '=', spaceId).executeTakeFirst();
  if (!space) return null;
  const roles = await sql<{
    id: string;
    permissions: string;
    is_default: boolean;
    held: boolean;
    member: boolean;
  }>`
    select r.id, r.permissions, r.is_default,
      exists (select 1 from space_member_roles mr where mr.role_id = r.id and mr.user_id = ${userId}) as held,
      exists (select 1 from space_members m where m.space_id = ${spaceId} and m.user_id = ${userId}) as member
    from space_roles r where r.space_id = ${spaceId}`.execute(db);
  const isMember = roles.rows[0]?.member ?? false;
  const subject: Subject = {
    userId,
    ownerId: space.owner_id,
    isMember,
    roleIds: roles.rows.filter((r) => r.held).map((r) => r.id),
    roles: roles.rows.map((r) => ({
      id: r.id,
      permissions: parseBits(r.permissions),
      isDefault: r.is_default,
    })),
  };
  const base = basePermissions(subject);
  return {
    space,
    subject,
    base,
    defaultRoleId: roles.rows.find((r) => r.is_default)?.id ?? '0',
    isMember: isMember || userId === space.owner_id,
    isOwner: userId === space.owner_id,
    isAdmin: isMember && isAdministrator(subject, base),
  };
}

function denied(a: SpaceAccess, need: bigint): never {
  if (!a.isMember) throw forbidden('You are not a member of this space');
  throw forbidden(`Requires ${permissionNames(need).join(' + ')}`);
}

/**
 * The caller's access to a space: 404 when it does not exist; with `need`, 403 unless every bit is
 * held; with `view`, 403 unless a member or the space is public.
 */
export async function requireSpace(
  db: Db,
  spaceId: string,
  userId: string,
  opts: { need?: bigint; view?: boolean; member?: boolean } = {},
): Promise<SpaceAccess> {
  const a = await loadAccess(db, spaceId, userId);
  if (!a) throw notFound('Space not found');
  if (opts.need !== undefined && !has(a.base, opts.need)) denied(a, opts.need);
  if (opts.member && !a.isMember) throw forbidden('You are not a member of this space');
  if (opts.view && !a.isMember && !a.space.is_public) throw forbidden('You are not a member of this space');
  return a;
}

export interface ChannelPerms {
  overrides: Map<string, OverrideBits[]>;
  direct: Set<string>;
}

/** Overrides of the space's channels and the caller's direct channel memberships, in two reads. */
export async function loadChannelPerms(db: Db, spaceId: string, userId: string): Promise<ChannelPerms> {
  const [ov, mem] = await Promise.all([
    db
      .selectFrom('channel_overrides as o')
      .innerJoin('channels as c', 'c.id', 'o.channel_id')
      .select(['o.channel_id', 'o.role_id', 'o.allow', 'o.deny'])
      .where('c.space_id', '=', spaceId)
      .execute(),
    db
      .selectFrom('channel_members as m')
      .innerJoin('channels as c', 'c.id', 'm.channel_id')
      .select('m.channel_id')
      .where('c.space_id', '=', spaceId)
      .where('m.user_id', '=', userId)
      .execute(),
  ]);
  const overrides = new Map<string, OverrideBits[]>();
  for (const o of ov) {
    let list = overrides.get(o.channel_id);
    if (!list) overrides.set(o.channel_id, (list = []));
    list.push({ roleId: o.role_id, allow: parseBits(o.allow), deny: parseBits(o.deny) });
  }
  return { overrides, direct: new Set(mem.map((m) => m.channel_id)) };
}

/** The caller's permissions in a channel of their space (or as a guest of a public space). */
export function permsIn(a: SpaceAccess, ch: ChannelRow, cp: ChannelPerms): bigint {
  const access = {
    isPrivate: ch.is_private,
    isAdmin: ch.is_admin,
    overrides: cp.overrides.get(ch.id) ?? [],
    isDirectMember: cp.direct.has(ch.id),
  };
  if (a.isMember) return channelPermissions(a.subject, access);
  return a.space.is_public ? guestPermissions(a.defaultRoleId, access) : 0n;
}

export interface ChannelAccessView {
  channel: ChannelRow;
  access: SpaceAccess;
  perms: bigint;
  /** Set when the caller reaches the channel as a member of a space it is portaled into. */
  viaPortal: string | null;
}

export async function loadChannelAccess(
  db: Db,
  channelId: string,
  userId: string,
): Promise<ChannelAccessView> {
  const channel = await db.selectFrom('channels').selectAll().where('id', '=', channelId).executeTakeFirst();
  if (!channel) throw notFound('Channel not found');
  const access = await loadAccess(db, channel.space_id, userId);
  if (!access) throw notFound('Channel not found');
  if (!access.isMember) {
    // A member of a space this channel is portaled into reads and writes it with that space's rights.
    const portal = await db
      .selectFrom('portals as p')
      .innerJoin('space_members as m', (j) =>
        j.onRef('m.space_id', '=', 'p.target_space_id').on('m.user_id', '=', userId),
      )
      .select('p.target_space_id')
      .where('p.channel_id', '=', channelId)
      .executeTakeFirst();
    if (portal) {
      const there = await loadAccess(db, portal.target_space_id, userId);
      if (there)
        return { channel, access, perms: there.base & PORTAL_MASK, viaPortal: portal.target_space_id };
    }
  }
  const cp = await loadChannelPerms(db, channel.space_id, userId);
  return { channel, access, perms: permsIn(access, channel, cp), viaPortal: null };
}

/** 404 for a missing channel, 403 without VIEW_CHANNELS or without `need`. */
export async function requireChannel(
  db: Db,
  channelId: string,
  userId: string,
  need = 0n,
): Promise<ChannelAccessView> {
  const v = await loadChannelAccess(db, channelId, userId);
  if (!has(v.perms, Permission.VIEW_CHANNELS)) {
    if (!v.access.isMember && !v.viaPortal && !v.access.space.is_public)
      throw forbidden('You are not a member of this space');
    throw forbidden('Requires VIEW_CHANNELS');
  }
  if (need !== 0n && !has(v.perms, need)) throw forbidden(`Requires ${permissionNames(need).join(' + ')}`);
  return v;
}
