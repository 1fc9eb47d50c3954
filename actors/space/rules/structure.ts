/**
 * Roles, channels, overrides, private-channel members, invites and portals (spec "Roles",
 * "Channels", "Channel Permission Overrides", "Channel Members", "Invites", "Portals"). Nobody but
 * the owner may hand out a permission bit they do not hold themselves (roles and overrides).
 */
import { parseBits, Permission, PRIVATE_CHANNEL_GRANT } from '../permissions.ts';
import type { ChannelState, SpaceContext } from '../space.events.ts';
import {
  badRequest,
  conflict,
  done,
  forbidden,
  grantable,
  notFound,
  requireBase,
  withoutKey,
  type Ev,
  type Step,
} from './common.ts';

function escalates(ctx: SpaceContext, by: string, bits: string): boolean {
  const want = parseBits(bits);
  return (want & ~grantable(ctx, by)) !== 0n;
}
const noEscalation = (ctx: SpaceContext) => forbidden(ctx, 'You cannot grant permissions you do not have');

export function createRole(ctx: SpaceContext, ev: Ev<'role.create'>): Step {
  const no = requireBase(ctx, ev.by, Permission.MANAGE_ROLES);
  if (no) return no;
  if (ctx.roles[ev.roleId]) return conflict(ctx, 'Role already exists');
  if (escalates(ctx, ev.by, ev.permissions)) return noEscalation(ctx);
  const p = parseBits(ev.permissions).toString();
  const next = { ...ctx, roles: { ...ctx.roles, [ev.roleId]: { p, pos: ev.row.position } } };
  return done(ev, next, [
    {
      type: 'role.upsert',
      spaceId: ctx.id,
      roleId: ev.roleId,
      row: ev.row,
      permissions: p,
      createdAt: ev.at,
      isNew: true,
    },
  ]);
}

export function updateRole(ctx: SpaceContext, ev: Ev<'role.update'>): Step {
  const no = requireBase(ctx, ev.by, Permission.MANAGE_ROLES);
  if (no) return no;
  const role = ctx.roles[ev.roleId];
  if (!role) return notFound(ctx, 'Role not found');
  if (ev.permissions !== undefined && escalates(ctx, ev.by, ev.permissions)) return noEscalation(ctx);
  const p = ev.permissions !== undefined ? parseBits(ev.permissions).toString() : role.p;
  const pos = ev.row.position ?? role.pos;
  const next = { ...ctx, roles: { ...ctx.roles, [ev.roleId]: { p, pos } } };
  return done(ev, next, [
    {
      type: 'role.upsert',
      spaceId: ctx.id,
      roleId: ev.roleId,
      row: ev.row,
      ...(ev.permissions !== undefined ? { permissions: p } : {}),
      createdAt: ev.at,
      isNew: false,
    },
  ]);
}

export function deleteRole(ctx: SpaceContext, ev: Ev<'role.delete'>): Step {
  const no = requireBase(ctx, ev.by, Permission.MANAGE_ROLES);
  if (no) return no;
  if (!ctx.roles[ev.roleId]) return notFound(ctx, 'Role not found');
  if (ev.roleId === ctx.defaultRoleId) return badRequest(ctx, 'The default role cannot be deleted');
  const members: SpaceContext['members'] = {};
  for (const [u, roles] of Object.entries(ctx.members))
    members[u] = roles.includes(ev.roleId) ? roles.filter((r) => r !== ev.roleId) : roles;
  const channels: SpaceContext['channels'] = {};
  for (const [id, ch] of Object.entries(ctx.channels))
    channels[id] = ch.ov[ev.roleId] ? { ...ch, ov: withoutKey(ch.ov, ev.roleId) } : ch;
  const next = { ...ctx, roles: withoutKey(ctx.roles, ev.roleId), members, channels };
  return done(ev, next, [{ type: 'role.deleted', spaceId: ctx.id, roleId: ev.roleId }]);
}

export function createChannel(ctx: SpaceContext, ev: Ev<'channel.create'>): Step {
  const no = requireBase(ctx, ev.by, Permission.MANAGE_CHANNELS);
  if (no) return no;
  if (ctx.channels[ev.channelId]) return conflict(ctx, 'Channel already exists');
  const unknownRole = ev.roleOverrides.find((r) => !ctx.roles[r]);
  if (unknownRole) return badRequest(ctx, `Role ${unknownRole} does not exist in this space`);
  const mem = ev.isPrivate
    ? [...new Set([ev.by, ...ev.memberIds])].filter((u) => ctx.members[u] !== undefined || u === ctx.ownerId)
    : [];
  const ov: ChannelState['ov'] = {};
  if (ev.isPrivate) for (const r of ev.roleOverrides) ov[r] = [PRIVATE_CHANNEL_GRANT.toString(), '0'];
  const ch: ChannelState = { t: ev.channelType, priv: ev.isPrivate, adm: false, ov, mem, portals: [] };
  const next = { ...ctx, channels: { ...ctx.channels, [ev.channelId]: ch } };
  return done(ev, next, [
    {
      type: 'channel.upsert',
      spaceId: ctx.id,
      channelId: ev.channelId,
      isNew: true,
      channelType: ev.channelType,
      isPrivate: ev.isPrivate,
      row: ev.row,
      memberIds: mem,
      overrides: Object.entries(ov).map(([roleId, [allow, deny]]) => ({ roleId, allow, deny })),
      createdAt: ev.at,
    },
  ]);
}

function channelFor(ctx: SpaceContext, by: string, channelId: string): Step | ChannelState {
  const no = requireBase(ctx, by, Permission.MANAGE_CHANNELS);
  if (no) return no;
  const ch = ctx.channels[channelId];
  return ch ?? notFound(ctx, 'Channel not found');
}
const isStep = (x: Step | ChannelState): x is Step => 'emits' in x;

export function updateChannel(ctx: SpaceContext, ev: Ev<'channel.update'>): Step {
  const ch = channelFor(ctx, ev.by, ev.channelId);
  if (isStep(ch)) return ch;
  if (ch.adm && (ev.isPrivate === false || (ev.channelType !== undefined && ev.channelType !== 'text')))
    return badRequest(ctx, 'The admin channel stays a private text channel');
  const priv = ev.isPrivate ?? ch.priv;
  // Turning a channel private makes its editor a direct member, as creating it private does.
  const mem = priv && !ch.priv && !ch.mem.includes(ev.by) ? [...ch.mem, ev.by] : ch.mem;
  const next: ChannelState = { ...ch, t: ev.channelType ?? ch.t, priv, mem };
  return done(ev, { ...ctx, channels: { ...ctx.channels, [ev.channelId]: next } }, [
    {
      type: 'channel.upsert',
      spaceId: ctx.id,
      channelId: ev.channelId,
      isNew: false,
      ...(ev.channelType !== undefined ? { channelType: ev.channelType } : {}),
      ...(ev.isPrivate !== undefined ? { isPrivate: ev.isPrivate } : {}),
      row: ev.row,
      memberIds: mem === ch.mem ? [] : [ev.by],
      overrides: [],
      createdAt: ev.at,
    },
  ]);
}

export function deleteChannel(ctx: SpaceContext, ev: Ev<'channel.delete'>): Step {
  const ch = channelFor(ctx, ev.by, ev.channelId);
  if (isStep(ch)) return ch;
  if (ch.adm) return badRequest(ctx, 'The admin channel cannot be deleted');
  return done(ev, { ...ctx, channels: withoutKey(ctx.channels, ev.channelId) }, [
    { type: 'channel.deleted', spaceId: ctx.id, channelId: ev.channelId },
  ]);
}

export function setOverride(ctx: SpaceContext, ev: Ev<'override.set'>): Step {
  const ch = channelFor(ctx, ev.by, ev.channelId);
  if (isStep(ch)) return ch;
  if (!ctx.roles[ev.roleId]) return notFound(ctx, 'Role not found');
  if (escalates(ctx, ev.by, ev.allow)) return noEscalation(ctx);
  const allow = parseBits(ev.allow).toString();
  const deny = parseBits(ev.deny).toString();
  const next: ChannelState = { ...ch, ov: { ...ch.ov, [ev.roleId]: [allow, deny] } };
  return done(
    ev,
    { ...ctx, channels: { ...ctx.channels, [ev.channelId]: next } },
    [{ type: 'override.upsert', spaceId: ctx.id, channelId: ev.channelId, roleId: ev.roleId, allow, deny }],
    { channelId: ev.channelId, roleId: ev.roleId, allow, deny },
  );
}

export function deleteOverride(ctx: SpaceContext, ev: Ev<'override.delete'>): Step {
  const ch = channelFor(ctx, ev.by, ev.channelId);
  if (isStep(ch)) return ch;
  if (!ch.ov[ev.roleId]) return notFound(ctx, 'Override not found');
  const next: ChannelState = { ...ch, ov: withoutKey(ch.ov, ev.roleId) };
  return done(ev, { ...ctx, channels: { ...ctx.channels, [ev.channelId]: next } }, [
    { type: 'override.deleted', spaceId: ctx.id, channelId: ev.channelId, roleId: ev.roleId },
  ]);
}

export function channelMember(ctx: SpaceContext, ev: Ev<'channel.member'>): Step {
  const ch = channelFor(ctx, ev.by, ev.channelId);
  if (isStep(ch)) return ch;
  const has = ch.mem.includes(ev.userId);
  if (ev.add) {
    if (ctx.members[ev.userId] === undefined) return notFound(ctx, 'That user is not a member of this space');
    if (has) return done(ev, ctx, [], { success: true });
  } else if (!has) return done(ev, ctx, [], { success: true });
  const mem = ev.add ? [...ch.mem, ev.userId] : ch.mem.filter((u) => u !== ev.userId);
  return done(
    ev,
    { ...ctx, channels: { ...ctx.channels, [ev.channelId]: { ...ch, mem } } },
    [{ type: 'channel.member', spaceId: ctx.id, channelId: ev.channelId, userId: ev.userId, add: ev.add }],
    { success: true },
  );
}

export function createInvite(ctx: SpaceContext, ev: Ev<'invite.create'>): Step {
  const no = requireBase(ctx, ev.by, Permission.CREATE_INVITES);
  if (no) return no;
  if (ctx.invites[ev.code]) return conflict(ctx, 'Invite code already exists');
  // Drop invites that can no longer admit anyone from the context (their rows stay, listed as used up).
  const invites: SpaceContext['invites'] = {};
  for (const [code, inv] of Object.entries(ctx.invites))
    if ((inv.exp === null || inv.exp > ev.at) && (inv.max === null || inv.uses < inv.max))
      invites[code] = inv;
  invites[ev.code] = { id: ev.inviteId, max: ev.maxUses, uses: 0, exp: ev.expiresAt };
  return done(ev, { ...ctx, invites }, [
    {
      type: 'invite.created',
      spaceId: ctx.id,
      inviteId: ev.inviteId,
      code: ev.code,
      by: ev.by,
      maxUses: ev.maxUses,
      expiresAt: ev.expiresAt,
      createdAt: ev.at,
    },
  ]);
}

export function deleteInvite(ctx: SpaceContext, ev: Ev<'invite.delete'>): Step {
  const no = requireBase(ctx, ev.by, Permission.MANAGE_INVITES);
  if (no) return no;
  const code = Object.keys(ctx.invites).find((c) => ctx.invites[c]!.id === ev.inviteId);
  const invites = code ? withoutKey(ctx.invites, code) : ctx.invites;
  // An invite pruned from the context (used up, expired) still has a row to delete.
  return done(ev, { ...ctx, invites }, [{ type: 'invite.deleted', spaceId: ctx.id, inviteId: ev.inviteId }]);
}

export function addPortal(ctx: SpaceContext, ev: Ev<'portal.add'>): Step {
  if (ev.by !== null) {
    const no = requireBase(ctx, ev.by, Permission.MANAGE_CHANNELS);
    if (no) return no;
  }
  const ch = ctx.channels[ev.channelId];
  if (!ch) return notFound(ctx, 'Channel not found');
  if (ch.adm || ch.priv) return badRequest(ctx, 'Private and admin channels cannot be portaled');
  if (ev.targetSpaceId === ctx.id) return badRequest(ctx, 'A channel cannot be portaled into its own space');
  if (ch.portals.includes(ev.targetSpaceId))
    return conflict(ctx, 'This channel is already portaled into that space');
  const next: ChannelState = { ...ch, portals: [...ch.portals, ev.targetSpaceId] };
  return done(ev, { ...ctx, channels: { ...ctx.channels, [ev.channelId]: next } }, [
    {
      type: 'portal.added',
      spaceId: ctx.id,
      portalId: ev.portalId,
      channelId: ev.channelId,
      targetSpaceId: ev.targetSpaceId,
      by: ev.by,
      createdAt: ev.at,
    },
  ]);
}

export function removePortal(ctx: SpaceContext, ev: Ev<'portal.remove'>): Step {
  if (!ev.fromTarget) {
    const no = requireBase(ctx, ev.by, Permission.MANAGE_CHANNELS);
    if (no) return no;
  }
  const ch = ctx.channels[ev.channelId];
  const next = ch ? { ...ch, portals: ch.portals.filter((s) => s !== ev.targetSpaceId) } : undefined;
  return done(ev, next ? { ...ctx, channels: { ...ctx.channels, [ev.channelId]: next } } : ctx, [
    {
      type: 'portal.removed',
      spaceId: ctx.id,
      portalId: ev.portalId,
      channelId: ev.channelId,
      targetSpaceId: ev.targetSpaceId,
    },
  ]);
}
