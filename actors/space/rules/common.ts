/**
 * Shared pieces of the space actor's pure rules: the step type, refusals and answers, and the
 * permission checks over the actor's context (through the one permission module).
 */
import type { ReplyError } from '../../../engine/actors/types.ts';
import {
  ALL_PERMISSIONS,
  basePermissions,
  channelPermissions,
  has,
  parseBits,
  permissionNames,
  type RoleBits,
  type Subject,
} from '../permissions.ts';
import type { ChannelState, SpaceContext, SpaceEffect, SpaceEvent } from '../space.events.ts';

export type Emitted =
  | SpaceEffect
  | { type: 'reply'; data?: unknown; error?: ReplyError }
  | { type: 'timer.set'; key: string; at: number; event: { type: string } }
  | { type: 'timer.cancel'; key: string };

export interface Step {
  context: SpaceContext;
  emits: Emitted[];
}

export type Ev<T extends SpaceEvent['type']> = Extract<SpaceEvent, { type: T }>;

export function refuse(
  ctx: SpaceContext,
  code: string,
  status: number,
  message: string,
  data?: Record<string, unknown>,
): Step {
  return {
    context: ctx,
    emits: [{ type: 'reply', error: { code, status, message, ...(data ? { data } : {}) } }],
  };
}
export const forbidden = (ctx: SpaceContext, message: string) => refuse(ctx, 'FORBIDDEN', 403, message);
export const notFound = (ctx: SpaceContext, message: string) => refuse(ctx, 'NOT_FOUND', 404, message);
export const badRequest = (ctx: SpaceContext, message: string) => refuse(ctx, 'BAD_REQUEST', 400, message);
export const conflict = (ctx: SpaceContext, message: string) => refuse(ctx, 'CONFLICT', 409, message);

/**
 * An accepted event: the new context, its effects, and the reply. When the caller sent a ticket and
 * there are effects, an `ack` effect closes the list (or the closing message write carries the
 * ticket), so the caller can wait until the projection (rows, socket rooms, messages) reflects the
 * event before it answers its client.
 */
export function done(
  ev: SpaceEvent,
  context: SpaceContext,
  effects: SpaceEffect[],
  data: unknown = null,
): Step {
  const wait = effects.length > 0 && !!ev.ticket && !!ev.origin;
  const emits: Emitted[] = [...effects];
  const last = emits[emits.length - 1];
  // A message write last: the writer acknowledges once its rows are written (and every earlier
  // effect of this actor was delivered before it was enqueued).
  if (wait && last?.type === 'messages.write' && last.ticket === null)
    emits[emits.length - 1] = { ...last, ticket: ev.ticket!, origin: ev.origin! };
  else if (wait) emits.push({ type: 'ack', ticket: ev.ticket!, origin: ev.origin! });
  emits.push({ type: 'reply', data: { data, wait } });
  return { context, emits };
}

export function rolesOf(ctx: SpaceContext): RoleBits[] {
  return Object.entries(ctx.roles).map(([id, r]) => ({
    id,
    permissions: parseBits(r.p),
    isDefault: id === ctx.defaultRoleId,
  }));
}

export function subjectOf(ctx: SpaceContext, userId: string): Subject {
  const roleIds = ctx.members[userId];
  return {
    userId,
    ownerId: ctx.ownerId,
    isMember: roleIds !== undefined,
    roleIds: roleIds ?? [],
    roles: rolesOf(ctx),
  };
}

export function base(ctx: SpaceContext, userId: string): bigint {
  return basePermissions(subjectOf(ctx, userId));
}

export function inChannel(ctx: SpaceContext, userId: string, ch: ChannelState): bigint {
  return channelPermissions(subjectOf(ctx, userId), {
    isPrivate: ch.priv,
    isAdmin: ch.adm,
    isDirectMember: ch.mem.includes(userId),
    overrides: Object.entries(ch.ov).map(([roleId, [allow, deny]]) => ({
      roleId,
      allow: parseBits(allow),
      deny: parseBits(deny),
    })),
  });
}

/** Null when allowed; else the refusal (403 naming the permission, 403 for non-members). */
export function requireBase(ctx: SpaceContext, userId: string, need: bigint): Step | null {
  if (ctx.members[userId] === undefined && userId !== ctx.ownerId)
    return forbidden(ctx, 'You are not a member of this space');
  if (has(base(ctx, userId), need)) return null;
  return forbidden(ctx, `Requires ${permissionNames(need).join(' + ')}`);
}

/** Bits a non-owner may hand out: only those they hold (no escalation through roles or overrides). */
export function grantable(ctx: SpaceContext, userId: string): bigint {
  return userId === ctx.ownerId ? ALL_PERMISSIONS : base(ctx, userId);
}

export function withoutKey<T>(rec: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _gone, ...rest } = rec;
  return rest;
}
