/**
 * The ordering of writes to the space's channels (spec "Messages", "Forum Threads"): every message,
 * forum post and system message of the space is accepted here, one at a time, after the permission
 * check; its id must be newer than the last accepted one, so ids are strictly increasing in acceptance
 * order (and the writer fans them out in that order). Messages leave at once in a `messages.write`
 * effect; the context keeps only `lastMessageId`.
 */
import { has, Permission } from '../permissions.ts';
import type {
  ChannelState,
  NewMessage,
  SendItem,
  SendResult,
  SpaceContext,
  SpaceEffect,
  WriteItem,
} from '../space.events.ts';
import {
  badRequest,
  done,
  forbidden,
  inChannel,
  notFound,
  refuse,
  requireBase,
  withoutKey,
  type Emitted,
  type Ev,
  type Step,
} from './common.ts';

const stale = (ctx: SpaceContext) =>
  refuse(ctx, 'MESSAGE_ID_STALE', 409, 'Message id is older than the newest message of the space', {
    lastMessageId: ctx.lastMessageId,
  });

/**
 * Who gets `channel:activity` for a channel: null = the whole space room (everyone can see it);
 * otherwise the ids of the members who can.
 */
export function audienceOf(ctx: SpaceContext, ch: ChannelState): string[] | null {
  const def = ch.ov[ctx.defaultRoleId];
  const defaultDenied = def !== undefined && (BigInt(def[1]) & Permission.VIEW_CHANNELS) !== 0n;
  const defaultLacks = (BigInt(ctx.roles[ctx.defaultRoleId]?.p ?? '0') & Permission.VIEW_CHANNELS) === 0n;
  if (!ch.priv && !ch.adm && !defaultDenied && !defaultLacks) return null;
  return Object.keys(ctx.members).filter((u) => has(inChannel(ctx, u, ch), Permission.VIEW_CHANNELS));
}

function writeItem(ctx: SpaceContext, message: NewMessage, ch: ChannelState): WriteItem {
  const audience = audienceOf(ctx, ch);
  // Only members who can see the channel are mentioned (and notified).
  const mentions = message.mentions.filter(
    (u) => ctx.members[u] !== undefined && (audience === null || audience.includes(u)),
  );
  return { message: { ...message, mentions }, audience, portals: ch.portals };
}

/** The writer acknowledges the ticket itself (after the rows are written): no `ack` effect here. */
function accepted(
  ctx: SpaceContext,
  ev: { ticket?: string; origin?: string },
  effects: SpaceEffect[],
  data: unknown,
  wait = effects.length > 0,
): Step {
  const emits: Emitted[] = [
    ...effects,
    { type: 'reply', data: { data, wait: wait && !!ev.ticket && !!ev.origin } },
  ];
  return { context: ctx, emits };
}

type Refusal = { code: string; status: number; message: string };
const no = (
  status: number,
  message: string,
  code = status === 403 ? 'FORBIDDEN' : status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST',
): Refusal => ({
  code,
  status,
  message,
});

/** May `by` post in this channel (and thread)? Null when yes. */
function mayPost(
  ctx: SpaceContext,
  by: string,
  ch: ChannelState,
  attachments: boolean,
  threadId: string | null,
): Refusal | null {
  const p = inChannel(ctx, by, ch);
  if (ctx.members[by] === undefined && by !== ctx.ownerId)
    return no(403, 'You are not a member of this space');
  if (!has(p, Permission.VIEW_CHANNELS)) return no(403, 'Requires VIEW_CHANNELS');
  if (!has(p, Permission.SEND_MESSAGES)) return no(403, 'Requires SEND_MESSAGES');
  if (attachments && !has(p, Permission.ATTACH_FILES)) return no(403, 'Requires ATTACH_FILES');
  if ((ch.t === 'announcement' || ch.t === 'read_only') && !has(p, Permission.MANAGE_MESSAGES))
    return no(403, `Only MANAGE_MESSAGES holders may post in a ${ch.t} channel`);
  if (threadId !== null && ctx.locked[threadId] && !has(p, Permission.MANAGE_THREADS))
    return no(403, 'This thread is locked');
  return null;
}

function refusalOf(ctx: SpaceContext, item: SendItem): Refusal | null {
  const m = item.message;
  const ch = ctx.channels[m.channelId];
  if (!ch) return no(404, 'Channel not found');
  if (item.viaPortal !== undefined) {
    if (!ch.portals.includes(item.viaPortal)) return no(403, 'This channel is not mirrored into that space');
  } else {
    const r = mayPost(ctx, item.by, ch, m.attachments.length > 0, m.threadId);
    if (r) return r;
  }
  if (ch.t === 'forum' && m.threadId === null) return no(400, 'Post in a thread of a forum channel');
  if (ch.t !== 'forum' && m.threadId !== null) return no(400, 'Only forum channels have threads');
  return null;
}

/**
 * A batch of messages (those a node collected while its previous batch was in flight). Each item is
 * checked on its own and answered in order; the accepted ones leave in one `messages.write`. The ids
 * of a batch were allocated together, in order: if the first is not newer than the last accepted id,
 * none is, and the whole batch is refused as stale (the client retries it with fresh ids).
 */
export function sendBatch(ctx: SpaceContext, ev: Ev<'messages.send'>): Step {
  const first = ev.items[0];
  if (first && BigInt(first.message.id) <= BigInt(ctx.lastMessageId)) return stale(ctx);
  const results: SendResult[] = [];
  const items: WriteItem[] = [];
  let lastId = ctx.lastMessageId;
  for (const item of ev.items) {
    const refusal =
      refusalOf(ctx, item) ??
      (BigInt(item.message.id) <= BigInt(lastId) ? no(409, 'stale message id', 'MESSAGE_ID_STALE') : null);
    if (refusal) {
      results.push({ ok: false, error: refusal });
      continue;
    }
    const message: NewMessage = { ...item.message, spaceId: ctx.id, type: 'default', createdAt: ev.at };
    items.push(writeItem(ctx, message, ctx.channels[message.channelId]!));
    lastId = message.id;
    results.push({ ok: true, id: message.id, createdAt: ev.at });
  }
  if (!items.length) return accepted(ctx, ev, [], results);
  // Written by the commit that accepts them (inline), acknowledged right after it.
  const effect: SpaceEffect = {
    type: 'messages.insert',
    items,
    ticket: ev.ticket ?? null,
    origin: ev.origin ?? null,
  };
  return accepted({ ...ctx, lastMessageId: lastId }, ev, [effect], results);
}

/** A system message (reports, bans): no author, no permission check; defaults to the admin channel. */
export function systemPost(ctx: SpaceContext, ev: Ev<'system.post'>): Step {
  const channelId = ev.channelId ?? ctx.adminChannelId;
  const ch = ctx.channels[channelId];
  if (!ch) return notFound(ctx, 'Channel not found');
  if (BigInt(ev.messageId) <= BigInt(ctx.lastMessageId)) return stale(ctx);
  const next = { ...ctx, lastMessageId: ev.messageId };
  return done(ev, next, [systemWrite(ctx, ev.messageId, ev.content, channelId, ev.at)], { id: ev.messageId });
}

/** The `messages.write` of a system message (`done` gives it the caller's ticket). */
export function systemWrite(
  ctx: SpaceContext,
  messageId: string,
  content: string,
  channelId: string,
  at: number,
): SpaceEffect {
  const ch = ctx.channels[channelId];
  const message: NewMessage = {
    id: messageId,
    spaceId: ctx.id,
    channelId,
    authorId: null,
    author: null,
    type: 'system',
    content,
    replyToId: null,
    replyTo: null,
    threadId: null,
    attachments: [],
    mentions: [],
    createdAt: at,
  };
  return {
    type: 'messages.write',
    items: [{ message, audience: ch ? audienceOf(ctx, ch) : [], portals: [] }],
    ticket: null,
    origin: null,
  };
}

export function createThread(ctx: SpaceContext, ev: Ev<'thread.create'>): Step {
  const ch = ctx.channels[ev.channelId];
  if (!ch) return notFound(ctx, 'Channel not found');
  if (ch.t !== 'forum') return badRequest(ctx, 'Threads exist only in forum channels');
  const refused = mayPost(ctx, ev.by, ch, ev.post.attachments.length > 0, null);
  if (refused) return refuse(ctx, refused.code, refused.status, refused.message);
  if (!has(inChannel(ctx, ev.by, ch), Permission.CREATE_THREADS))
    return forbidden(ctx, 'Requires CREATE_THREADS');
  if (BigInt(ev.post.id) <= BigInt(ctx.lastMessageId)) return stale(ctx);
  const thread: SpaceEffect = {
    type: 'thread.upsert',
    spaceId: ctx.id,
    channelId: ev.channelId,
    threadId: ev.threadId,
    isNew: true,
    by: ev.by,
    title: ev.title,
    at: ev.at,
  };
  const post: NewMessage = {
    ...ev.post,
    spaceId: ctx.id,
    channelId: ev.channelId,
    threadId: ev.threadId,
    type: 'default',
    createdAt: ev.at,
  };
  const next = { ...ctx, lastMessageId: ev.post.id };
  // The thread row first (an awaited projection write), then its first post through the writer,
  // which acknowledges the ticket once both are visible.
  const write: SpaceEffect = {
    type: 'messages.write',
    items: [writeItem(ctx, post, ch)],
    ticket: ev.ticket ?? null,
    origin: ev.origin ?? null,
  };
  return accepted(next, ev, [thread, write], { threadId: ev.threadId, postId: ev.post.id, at: ev.at });
}

export function updateThread(ctx: SpaceContext, ev: Ev<'thread.update'>): Step {
  const ch = ctx.channels[ev.channelId];
  if (!ch || ch.t !== 'forum') return notFound(ctx, 'Channel not found');
  if (!has(inChannel(ctx, ev.by, ch), Permission.MANAGE_THREADS))
    return forbidden(ctx, 'Requires MANAGE_THREADS');
  let locked = ctx.locked;
  if (ev.isLocked === true) locked = { ...locked, [ev.threadId]: true };
  if (ev.isLocked === false) locked = withoutKey(locked, ev.threadId);
  const effect: SpaceEffect = {
    type: 'thread.upsert',
    spaceId: ctx.id,
    channelId: ev.channelId,
    threadId: ev.threadId,
    isNew: false,
    by: ev.by,
    ...(ev.title !== undefined ? { title: ev.title } : {}),
    ...(ev.isPinned !== undefined ? { isPinned: ev.isPinned } : {}),
    ...(ev.isLocked !== undefined ? { isLocked: ev.isLocked } : {}),
    at: ev.at,
  };
  return done(ev, { ...ctx, locked }, [effect]);
}

export function deleteThread(ctx: SpaceContext, ev: Ev<'thread.delete'>): Step {
  const ch = ctx.channels[ev.channelId];
  if (!ch || ch.t !== 'forum') return notFound(ctx, 'Channel not found');
  if (!has(inChannel(ctx, ev.by, ch), Permission.MANAGE_THREADS))
    return forbidden(ctx, 'Requires MANAGE_THREADS');
  return done(ev, { ...ctx, locked: withoutKey(ctx.locked, ev.threadId) }, [
    { type: 'thread.deleted', spaceId: ctx.id, channelId: ev.channelId, threadId: ev.threadId },
  ]);
}

export { requireBase };
