/**
 * The conversation actor's rules as one pure reducer: (context, event) → (context, emitted). No IO,
 * no clock (times come from `event.at`), no ids (message and call ids arrive in events). The XState
 * machine (conversation.machine.ts) applies it; tests call it through XState's `transition()`.
 *
 * Spec "Direct Messages". Who may do what is decided here from the member states the actor owns;
 * what needs other features' data (blocks, privacy preferences, follows, shared spaces) is decided
 * by the service before the event is sent, and arrives as facts in the event (`otherStatus`, ...).
 */
import type {
  ConversationContext,
  ConversationEffect,
  ConversationEvent,
  ConversationInput,
  ConversationView,
  MemberState,
  NewMember,
  PendingMessage,
} from './conversation.events.ts';

/** Accepted message ids remembered, so a retried send is recognised. */
export const RECENT_IDS = 64;
/** Group DMs: the creator plus 1–9 participants (spec "POST /conversations/groups"). */
export const MAX_GROUP_MEMBERS = 10;

export type ReplyError = { code: string; status: number; message: string; data?: Record<string, unknown> };
export type Emitted =
  | ConversationEffect
  | { type: 'reply'; data?: unknown; error?: ReplyError }
  | { type: 'timer.set'; key: string; at: number; event: { type: string } }
  | { type: 'timer.cancel'; key: string };

/** The effect type written inline by the actor's commit (see conversation.effects.ts). */
export const INSERT_EFFECT = 'messages.insert';

export interface Step {
  context: ConversationContext;
  emits: Emitted[];
}

export function initialContext(input: ConversationInput): ConversationContext {
  return {
    id: input.id,
    type: null,
    name: null,
    createdBy: null,
    createdAt: 0,
    updatedAt: 0,
    members: {},
    rev: 0,
    lastMessageId: '0',
    pending: [],
    writing: [],
    writingSince: null,
    watchdogAt: null,
    recentIds: [],
    activeCallId: null,
    persistRetryMs: input.persistRetryMs ?? 10_000,
    deleted: false,
  };
}

const refuse = (
  ctx: ConversationContext,
  code: string,
  status: number,
  message: string,
  data?: Record<string, unknown>,
): Step => ({
  context: ctx,
  emits: [{ type: 'reply', error: { code, status, message, ...(data ? { data } : {}) } }],
});
const notFound = (ctx: ConversationContext) => refuse(ctx, 'NOT_FOUND', 404, 'Conversation not found');
const forbidden = (ctx: ConversationContext, message: string) => refuse(ctx, 'FORBIDDEN', 403, message);
const badRequest = (ctx: ConversationContext, message: string) => refuse(ctx, 'BAD_REQUEST', 400, message);
const reply = (ctx: ConversationContext, data: unknown, effects: Emitted[] = []): Step => ({
  context: ctx,
  emits: [...effects, { type: 'reply', data }],
});

export function view(ctx: ConversationContext): ConversationView {
  return {
    id: ctx.id,
    type: ctx.type ?? 'dm',
    name: ctx.name,
    createdBy: ctx.createdBy,
    createdAt: ctx.createdAt,
    updatedAt: ctx.updatedAt,
    members: Object.entries(ctx.members).map(([userId, m]) => ({ userId, ...m })),
    lastMessageId: ctx.lastMessageId,
    activeCallId: ctx.activeCallId,
    rev: ctx.rev,
  };
}

/** Members who still see the conversation (accepted or with an open request). */
const present = (ctx: ConversationContext) =>
  Object.entries(ctx.members)
    .filter(([, m]) => m.status === 'accepted' || m.status === 'pending')
    .map(([id]) => id);

function member(status: MemberState['status'], at: number, addedBy: string | null): MemberState {
  return { status, muted: false, lastReadId: '0', joinedAt: at, addedBy };
}

/** A membership change: bump rev, write the projection, announce it. */
function changed(
  ctx: ConversationContext,
  at: number,
  announce: Omit<Extract<ConversationEffect, { type: 'conversation.announce' }>, 'type' | 'view'>,
): Step {
  const next = { ...ctx, rev: ctx.rev + 1, updatedAt: at };
  const v = view(next);
  return reply(next, v, [
    { type: 'conversation.sync', view: v },
    { type: 'conversation.announce', view: v, ...announce },
  ]);
}

/** A change only the projection needs (read marker, mute): no announcement. */
function synced(ctx: ConversationContext): Step {
  const next = { ...ctx, rev: ctx.rev + 1 };
  const v = view(next);
  return reply(next, v, [{ type: 'conversation.sync', view: v }]);
}

const withMember = (ctx: ConversationContext, userId: string, m: MemberState): ConversationContext => ({
  ...ctx,
  members: { ...ctx.members, [userId]: m },
});

export function reduce(ctx: ConversationContext, ev: ConversationEvent): Step {
  if (ctx.deleted)
    return ev.type === 'messages.persisted' || ev.type === 'persist.retry'
      ? { context: ctx, emits: [] }
      : notFound(ctx);
  if (ctx.type === null) {
    if (ev.type === 'open') return openNew(ctx, ev);
    if (ev.type === 'group.create') return createGroup(ctx, ev);
    if (ev.type === 'call.ended' || ev.type === 'messages.persisted' || ev.type === 'persist.retry')
      return { context: ctx, emits: [] };
    return notFound(ctx);
  }
  switch (ev.type) {
    case 'open':
      return reopen(ctx, ev.by, ev.at);
    case 'group.create':
      return reply(ctx, view(ctx)); // a retried create: the group exists
    case 'get':
      return reply(ctx, view(ctx));
    case 'accept':
      return accept(ctx, ev.by, ev.at);
    case 'decline':
      return decline(ctx, ev.by, ev.at);
    case 'members.add':
      return addMembers(ctx, ev.by, ev.members, ev.at);
    case 'leave':
      return leave(ctx, ev.by, ev.at);
    case 'rename': {
      if (ctx.type !== 'group') return badRequest(ctx, 'Only group conversations can be renamed');
      if (ctx.members[ev.by]?.status !== 'accepted')
        return forbidden(ctx, 'Not a member of this conversation');
      return changed({ ...ctx, name: ev.name }, ev.at, {
        created: [],
        updated: present(ctx),
        requested: [],
        left: null,
        by: ev.by,
      });
    }
    case 'read': {
      const m = ctx.members[ev.by];
      if (!m || m.status === 'left' || m.status === 'declined')
        return forbidden(ctx, 'Not a member of this conversation');
      if (BigInt(m.lastReadId) >= BigInt(ctx.lastMessageId)) return reply(ctx, view(ctx));
      return synced(withMember(ctx, ev.by, { ...m, lastReadId: ctx.lastMessageId }));
    }
    case 'mute': {
      const m = ctx.members[ev.by];
      if (!m || m.status === 'left' || m.status === 'declined')
        return forbidden(ctx, 'Not a member of this conversation');
      if (m.muted === ev.muted) return reply(ctx, view(ctx));
      return synced(withMember(ctx, ev.by, { ...m, muted: ev.muted }));
    }
    case 'delete': {
      if (ctx.type !== 'dm')
        return badRequest(ctx, 'Group conversations cannot be deleted; leave them instead');
      if (!ctx.members[ev.by]) return forbidden(ctx, 'Not a member of this conversation');
      const members = Object.keys(ctx.members);
      return reply(
        { ...ctx, deleted: true, pending: [], writing: [], activeCallId: null },
        { deleted: true, members },
        [
          { type: 'timer.cancel', key: 'persist' },
          { type: 'conversation.delete', conversationId: ctx.id, members },
        ],
      );
    }
    case 'message.send':
      return send(ctx, ev);
    case 'messages.persisted':
    case 'persist.retry':
      return drainLegacy(ctx);
    case 'call.start': {
      if (ctx.members[ev.by]?.status !== 'accepted')
        return forbidden(ctx, 'Not a member of this conversation');
      if (ctx.activeCallId && ctx.activeCallId !== ev.callId)
        return refuse(ctx, 'CALL_IN_PROGRESS', 400, 'A call is already in progress in this conversation', {
          existingCallId: ctx.activeCallId,
        });
      const others = Object.entries(ctx.members)
        .filter(([id, m]) => id !== ev.by && m.status === 'accepted')
        .map(([id]) => id);
      return reply(
        { ...ctx, activeCallId: ev.callId },
        { type: ctx.type, name: ctx.name, participants: [ev.by, ...others] },
      );
    }
    case 'call.ended':
      return ctx.activeCallId === ev.callId
        ? { context: { ...ctx, activeCallId: null }, emits: [] }
        : { context: ctx, emits: [] };
  }
}

function openNew(ctx: ConversationContext, ev: Extract<ConversationEvent, { type: 'open' }>): Step {
  if (ev.by === ev.other) return badRequest(ctx, 'You cannot open a conversation with yourself');
  const next: ConversationContext = {
    ...ctx,
    type: 'dm',
    createdBy: ev.by,
    createdAt: ev.at,
    members: { [ev.by]: member('accepted', ev.at, null), [ev.other]: member(ev.otherStatus, ev.at, ev.by) },
  };
  return changed(next, ev.at, {
    created: [ev.by, ev.other],
    updated: [],
    requested: ev.otherStatus === 'pending' ? [ev.other] : [],
    left: null,
    by: ev.by,
  });
}

/** Opening an existing 1:1 again: the opener's own request (pending or declined) counts as accepted. */
function reopen(ctx: ConversationContext, by: string, at: number): Step {
  if (ctx.type !== 'dm') return badRequest(ctx, 'Not a 1:1 conversation');
  const m = ctx.members[by];
  if (!m) return forbidden(ctx, 'Not a member of this conversation');
  if (m.status === 'accepted') return reply(ctx, view(ctx));
  return accept(ctx, by, at);
}

function createGroup(
  ctx: ConversationContext,
  ev: Extract<ConversationEvent, { type: 'group.create' }>,
): Step {
  const others = dedupe(ev.members).filter((m) => m.userId !== ev.by);
  if (others.length < 1 || others.length > MAX_GROUP_MEMBERS - 1)
    return badRequest(ctx, `A group needs 1 to ${MAX_GROUP_MEMBERS - 1} participants besides you`);
  const members: Record<string, MemberState> = { [ev.by]: member('accepted', ev.at, null) };
  for (const m of others) members[m.userId] = member(m.status, ev.at, ev.by);
  const next: ConversationContext = {
    ...ctx,
    type: 'group',
    name: ev.name,
    createdBy: ev.by,
    createdAt: ev.at,
    members,
  };
  return changed(next, ev.at, {
    created: Object.keys(members),
    updated: [],
    requested: others.filter((m) => m.status === 'pending').map((m) => m.userId),
    left: null,
    by: ev.by,
  });
}

function accept(ctx: ConversationContext, by: string, at: number): Step {
  const m = ctx.members[by];
  if (!m) return forbidden(ctx, 'Not a member of this conversation');
  if (m.status === 'accepted') return reply(ctx, view(ctx));
  if (m.status === 'left') return badRequest(ctx, 'You left this conversation');
  const next = withMember(ctx, by, { ...m, status: 'accepted' });
  return changed(next, at, { created: [], updated: present(next), requested: [], left: null, by });
}

function decline(ctx: ConversationContext, by: string, at: number): Step {
  const m = ctx.members[by];
  if (!m) return forbidden(ctx, 'Not a member of this conversation');
  if (m.status === 'declined') return reply(ctx, view(ctx));
  if (m.status !== 'pending') return badRequest(ctx, 'Only a pending message request can be declined');
  const next = withMember(ctx, by, { ...m, status: 'declined' });
  // Only the decliner's own devices hear of it: the sender is not told.
  return changed(next, at, { created: [], updated: [by], requested: [], left: null, by });
}

function addMembers(ctx: ConversationContext, by: string, add: NewMember[], at: number): Step {
  if (ctx.type !== 'group') return badRequest(ctx, 'Members can only be added to group conversations');
  if (ctx.members[by]?.status !== 'accepted') return forbidden(ctx, 'Not a member of this conversation');
  const fresh = dedupe(add).filter((m) => {
    const s = ctx.members[m.userId]?.status;
    return s !== 'accepted' && s !== 'pending';
  });
  if (fresh.length === 0) return reply(ctx, view(ctx));
  if (present(ctx).length + fresh.length > MAX_GROUP_MEMBERS)
    return badRequest(ctx, `A group conversation has at most ${MAX_GROUP_MEMBERS} members`);
  let next = ctx;
  for (const m of fresh) next = withMember(next, m.userId, member(m.status, at, by));
  const freshIds = new Set(fresh.map((m) => m.userId));
  return changed(next, at, {
    created: [...freshIds],
    updated: present(ctx),
    requested: fresh.filter((m) => m.status === 'pending').map((m) => m.userId),
    left: null,
    by,
  });
}

function leave(ctx: ConversationContext, by: string, at: number): Step {
  if (ctx.type !== 'group') return badRequest(ctx, 'You cannot leave a 1:1 conversation; delete it instead');
  const m = ctx.members[by];
  if (!m || m.status === 'left') return forbidden(ctx, 'Not a member of this conversation');
  const next = withMember(ctx, by, { ...m, status: 'left' });
  return changed(next, at, { created: [], updated: [], requested: [], left: by, by });
}

function send(ctx: ConversationContext, ev: Extract<ConversationEvent, { type: 'message.send' }>): Step {
  const m = ctx.members[ev.by];
  if (!m || m.status === 'left') return forbidden(ctx, 'Not a member of this conversation');
  if (m.status !== 'accepted') return forbidden(ctx, 'Accept the message request before replying');
  // A retried send (its ask timed out, outcome unknown) carries the same id: accepted once only. It
  // was written with the commit that accepted it, so the service answers with the stored row.
  if ((ctx.recentIds ?? []).includes(ev.messageId)) return reply(ctx, { message: null, duplicate: true });
  // Acceptance order is id order: an id drawn before a newer accepted one is refused and redrawn.
  if (BigInt(ev.messageId) <= BigInt(ctx.lastMessageId))
    return refuse(ctx, 'MESSAGE_ID_STALE', 409, 'Message id is older than the newest message', {
      lastMessageId: ctx.lastMessageId,
    });
  const message: PendingMessage = {
    id: ev.messageId,
    authorId: ev.by,
    ...(ev.author ? { author: ev.author } : {}),
    content: ev.content,
    attachments: ev.attachments,
    createdAt: ev.at,
  };
  const next: ConversationContext = {
    ...ctx,
    lastMessageId: ev.messageId,
    updatedAt: ev.at,
    recentIds: [...(ctx.recentIds ?? []).slice(-(RECENT_IDS - 1)), ev.messageId],
  };
  return {
    context: next,
    emits: [
      ...written(next, [message]),
      { type: 'reply', data: { message: { ...message, conversationId: ctx.id } } },
    ],
  };
}

/**
 * An accepted message is written by the very commit that accepts it (`messages.insert` is an inline
 * write of this kind: same statement as the snapshot, same fence), so the sender's ask resolves only
 * once the row is durable, and nothing is ever accepted but unwritten. Events handled together share
 * that commit: their inserts go out as one multi-row insert (the group commit). `messages.deliver`
 * (outbox) then fans them out and notifies, in commit order.
 */
function written(ctx: ConversationContext, messages: PendingMessage[]): Emitted[] {
  return [
    { type: 'messages.insert', conversationId: ctx.id, messages },
    {
      type: 'messages.deliver',
      conversationId: ctx.id,
      messages,
      members: Object.entries(ctx.members)
        .filter(([, m]) => m.status === 'accepted' || m.status === 'pending')
        .map(([userId, m]) => ({ userId, status: m.status, muted: m.muted })),
    },
  ];
}

/**
 * Messages a snapshot of the former protocol (accepted, then written by an effect) still holds:
 * written now, by this commit. `messages.persisted` and `persist.retry` are only its leftovers.
 */
function drainLegacy(ctx: ConversationContext): Step {
  const left = [...(ctx.writing ?? []), ...(ctx.pending ?? [])];
  const next: ConversationContext = {
    ...ctx,
    pending: [],
    writing: [],
    writingSince: null,
    watchdogAt: null,
  };
  if (left.length === 0)
    return ctx.writingSince == null && ctx.watchdogAt == null
      ? { context: ctx, emits: [] }
      : { context: next, emits: [] };
  return { context: next, emits: written(next, left) };
}

function dedupe(members: NewMember[]): NewMember[] {
  const seen = new Map<string, NewMember>();
  for (const m of members) seen.set(m.userId, m);
  return [...seen.values()];
}
