/**
 * The space actor's rules: a pure reducer from (context, event) to (context, emitted events). No
 * clock (times come from `event.at`), no ids (every new id arrives in its event), no IO. The machine
 * (space.machine.ts) applies it to every event.
 */
import type { SpaceContext, SpaceEvent } from './space.events.ts';
import { refuse, notFound, type Step } from './rules/common.ts';
import * as members from './rules/members.ts';
import * as messages from './rules/messages.ts';
import * as structure from './rules/structure.ts';

export type { Emitted, Step } from './rules/common.ts';

export function initialContext(id: string): SpaceContext {
  return {
    id,
    status: 'new',
    ownerId: '0',
    isPublic: false,
    defaultRoleId: '0',
    adminChannelId: '0',
    roles: {},
    members: {},
    bans: {},
    invites: {},
    channels: {},
    locked: {},
    lastMessageId: '0',
  };
}

/** Code of the refusal that tells the caller to hydrate the actor from the tables (space.client.ts). */
export const NOT_LOADED = 'SPACE_NOT_LOADED';

export function reduce(ctx: SpaceContext, ev: SpaceEvent): Step {
  if (ev.type === 'space.init') return members.init(ctx, ev);
  if (ctx.status === 'new') return refuse(ctx, NOT_LOADED, 503, 'Space state is not loaded yet');
  if (ctx.status === 'deleted') return notFound(ctx, 'Space not found');
  switch (ev.type) {
    case 'space.public':
      return members.setPublic(ctx, ev);
    case 'space.delete':
      return members.remove(ctx, ev);
    case 'member.join':
      return members.join(ctx, ev);
    case 'member.purge':
      return members.purge(ctx, ev);
    case 'member.leave':
      return members.leave(ctx, ev);
    case 'member.kick':
      return members.kick(ctx, ev);
    case 'member.ban':
      return members.ban(ctx, ev);
    case 'member.unban':
      return members.unban(ctx, ev);
    case 'member.roles':
      return members.setRoles(ctx, ev);
    case 'role.create':
      return structure.createRole(ctx, ev);
    case 'role.update':
      return structure.updateRole(ctx, ev);
    case 'role.delete':
      return structure.deleteRole(ctx, ev);
    case 'channel.create':
      return structure.createChannel(ctx, ev);
    case 'channel.update':
      return structure.updateChannel(ctx, ev);
    case 'channel.delete':
      return structure.deleteChannel(ctx, ev);
    case 'override.set':
      return structure.setOverride(ctx, ev);
    case 'override.delete':
      return structure.deleteOverride(ctx, ev);
    case 'channel.member':
      return structure.channelMember(ctx, ev);
    case 'invite.create':
      return structure.createInvite(ctx, ev);
    case 'invite.delete':
      return structure.deleteInvite(ctx, ev);
    case 'portal.add':
      return structure.addPortal(ctx, ev);
    case 'portal.remove':
      return structure.removePortal(ctx, ev);
    case 'messages.send':
      return messages.sendBatch(ctx, ev);
    case 'system.post':
      return messages.systemPost(ctx, ev);
    case 'thread.create':
      return messages.createThread(ctx, ev);
    case 'thread.update':
      return messages.updateThread(ctx, ev);
    case 'thread.delete':
      return messages.deleteThread(ctx, ev);
    default:
      return refuse(ctx, 'BAD_REQUEST', 400, `Unknown space event`);
  }
}
