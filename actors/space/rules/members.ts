/**
 * Space lifecycle and membership (spec "Spaces", "Space Members", "Space Bans", "Invites", "Ban
 * Enforcement"): joins by invite or public join (bans refused, invite uses and expiry counted here, one
 * event at a time, so concurrent joins can never overshoot maxUses), leave, kick, ban, unban, roles.
 */
import { Permission } from '../permissions.ts';
import type { SpaceContext, SpaceEffect } from '../space.events.ts';
import { systemWrite } from './messages.ts';
import {
  badRequest,
  conflict,
  done,
  forbidden,
  notFound,
  requireBase,
  withoutKey,
  type Ev,
  type Step,
} from './common.ts';

export function init(ctx: SpaceContext, ev: Ev<'space.init'>): Step {
  if (ctx.status !== 'new') return done(ev, ctx, [], { initialized: false });
  return done(ev, { ...ev.state, status: 'active', lastMessageId: '0' }, [], { initialized: true });
}

export function setPublic(ctx: SpaceContext, ev: Ev<'space.public'>): Step {
  const no = requireBase(ctx, ev.by, Permission.MANAGE_SPACE);
  if (no) return no;
  if (ctx.isPublic === ev.isPublic) return done(ev, ctx, [], { isPublic: ctx.isPublic });
  return done(
    ev,
    { ...ctx, isPublic: ev.isPublic },
    [{ type: 'space.public', spaceId: ctx.id, isPublic: ev.isPublic }],
    {
      isPublic: ev.isPublic,
    },
  );
}

export function remove(ctx: SpaceContext, ev: Ev<'space.delete'>): Step {
  if (ev.by !== ctx.ownerId) return forbidden(ctx, 'Only the owner can delete a space');
  const memberIds = Object.keys(ctx.members);
  const next: SpaceContext = {
    ...ctx,
    status: 'deleted',
    members: {},
    invites: {},
    channels: {},
    roles: {},
    bans: {},
  };
  return done(ev, next, [{ type: 'space.deleted', spaceId: ctx.id, memberIds }]);
}

export function join(ctx: SpaceContext, ev: Ev<'member.join'>): Step {
  if (ctx.bans[ev.userId]) return forbidden(ctx, 'You are banned from this space');
  if (ctx.members[ev.userId] !== undefined) return done(ev, ctx, [], { joined: false });
  let next = ctx;
  const effects: SpaceEffect[] = [];
  let code: string | null = null;
  if (ev.via === 'public') {
    if (!ctx.isPublic) return forbidden(ctx, 'This space is not public');
  } else {
    const inv = ev.code ? ctx.invites[ev.code] : undefined;
    if (!inv || !ev.code) return notFound(ctx, 'Invite not found');
    if (inv.exp !== null && ev.at >= inv.exp) return refuseGone(ctx, 'This invite has expired');
    if (inv.max !== null && inv.uses >= inv.max)
      return refuseGone(ctx, 'This invite has reached its maximum uses');
    const uses = inv.uses + 1;
    next = { ...next, invites: { ...next.invites, [ev.code]: { ...inv, uses } } };
    code = ev.code;
    effects.push({ type: 'invite.used', spaceId: ctx.id, code, uses });
  }
  next = { ...next, members: { ...next.members, [ev.userId]: [] } };
  effects.push(
    { type: 'member.added', spaceId: ctx.id, userId: ev.userId, code, joinedAt: ev.at },
    {
      type: 'trigger',
      trigger: { type: 'member_joined', spaceId: ctx.id, userId: ev.userId, inviteCode: code, at: ev.at },
    },
  );
  return done(ev, next, effects, { joined: true });
}

/** An invite that no longer admits anyone: 410 would fit, the spec's families say 400. */
function refuseGone(ctx: SpaceContext, message: string): Step {
  return {
    context: ctx,
    emits: [{ type: 'reply', error: { code: 'INVITE_INVALID', status: 400, message } }],
  };
}

function dropMember(ctx: SpaceContext, userId: string): SpaceContext {
  const channels = { ...ctx.channels };
  for (const [id, ch] of Object.entries(channels))
    if (ch.mem.includes(userId)) channels[id] = { ...ch, mem: ch.mem.filter((m) => m !== userId) };
  return { ...ctx, members: withoutKey(ctx.members, userId), channels };
}

const removed = (ctx: SpaceContext, userId: string, reason: 'left' | 'kicked' | 'banned'): SpaceEffect => ({
  type: 'member.removed',
  spaceId: ctx.id,
  userId,
  channelIds: Object.keys(ctx.channels),
  reason,
});

/** A deleted account: gone from the context, its sockets out of the rooms (no owner check: trusted). */
export function purge(ctx: SpaceContext, ev: Ev<'member.purge'>): Step {
  if (ctx.members[ev.userId] === undefined && !ctx.bans[ev.userId]) return done(ev, ctx, []);
  const next = { ...dropMember(ctx, ev.userId), bans: withoutKey(ctx.bans, ev.userId) };
  return done(ev, next, ctx.members[ev.userId] !== undefined ? [removed(ctx, ev.userId, 'left')] : []);
}

export function leave(ctx: SpaceContext, ev: Ev<'member.leave'>): Step {
  if (ev.userId === ctx.ownerId)
    return badRequest(ctx, 'The owner cannot leave the space; delete it instead');
  if (ctx.members[ev.userId] === undefined) return notFound(ctx, 'You are not a member of this space');
  return done(ev, dropMember(ctx, ev.userId), [removed(ctx, ev.userId, 'left')]);
}

export function kick(ctx: SpaceContext, ev: Ev<'member.kick'>): Step {
  const no = requireBase(ctx, ev.by, Permission.MANAGE_MEMBERS);
  if (no) return no;
  if (ev.userId === ctx.ownerId) return forbidden(ctx, 'The owner cannot be kicked');
  if (ev.userId === ev.by) return badRequest(ctx, 'You cannot kick yourself; leave instead');
  if (ctx.members[ev.userId] === undefined) return notFound(ctx, 'Member not found');
  return done(ev, dropMember(ctx, ev.userId), [removed(ctx, ev.userId, 'kicked')]);
}

export function ban(ctx: SpaceContext, ev: Ev<'member.ban'>): Step {
  const no = requireBase(ctx, ev.by, Permission.MANAGE_MEMBERS);
  if (no) return no;
  if (ev.userId === ctx.ownerId) return forbidden(ctx, 'The owner cannot be banned');
  if (ev.userId === ev.by) return badRequest(ctx, 'You cannot ban yourself');
  if (ctx.bans[ev.userId]) return conflict(ctx, 'User is already banned');
  if (BigInt(ev.messageId) <= BigInt(ctx.lastMessageId))
    return {
      context: ctx,
      emits: [
        { type: 'reply', error: { code: 'MESSAGE_ID_STALE', status: 409, message: 'stale message id' } },
      ],
    };
  const effects: SpaceEffect[] = [];
  let next: SpaceContext = { ...ctx, bans: { ...ctx.bans, [ev.userId]: true } };
  if (ctx.members[ev.userId] !== undefined) {
    next = dropMember(next, ev.userId);
    effects.push(removed(ctx, ev.userId, 'banned'));
  }
  effects.push({
    type: 'ban.added',
    spaceId: ctx.id,
    userId: ev.userId,
    by: ev.by,
    reason: ev.reason,
    createdAt: ev.at,
  });
  const post = systemWrite(next, ev.messageId, ev.content, ctx.adminChannelId, ev.at);
  next = { ...next, lastMessageId: ev.messageId };
  effects.push(post);
  return done(ev, next, effects, { success: true });
}

export function unban(ctx: SpaceContext, ev: Ev<'member.unban'>): Step {
  const no = requireBase(ctx, ev.by, Permission.MANAGE_MEMBERS);
  if (no) return no;
  if (!ctx.bans[ev.userId]) return notFound(ctx, 'User is not banned');
  return done(ev, { ...ctx, bans: withoutKey(ctx.bans, ev.userId) }, [
    { type: 'ban.removed', spaceId: ctx.id, userId: ev.userId },
  ]);
}

export function setRoles(ctx: SpaceContext, ev: Ev<'member.roles'>): Step {
  const no = requireBase(ctx, ev.by, Permission.MANAGE_MEMBERS);
  if (no) return no;
  if (ctx.members[ev.userId] === undefined) return notFound(ctx, 'Member not found');
  const roleIds = [...new Set(ev.roleIds)].filter((r) => r !== ctx.defaultRoleId);
  const unknown = roleIds.find((r) => !ctx.roles[r]);
  if (unknown) return badRequest(ctx, `Role ${unknown} does not exist in this space`);
  const next = { ...ctx, members: { ...ctx.members, [ev.userId]: roleIds } };
  return done(ev, next, [{ type: 'member.roles', spaceId: ctx.id, userId: ev.userId, roleIds }], { roleIds });
}
