/**
 * The call actor's rules as one pure reducer (spec "Calls (Voice / Video)"). No IO, no clock: the
 * ring deadline is a durable timer (`timer.set` at `at + ringMs`), never an XState delay, so a call
 * still ends on time after its node dies.
 */
import {
  roomNameOf,
  type CallContext,
  type CallEffect,
  type CallEvent,
  type CallInput,
  type CallView,
  type Participant,
  type ParticipantStatus,
} from './call.events.ts';

export type ReplyError = { code: string; status: number; message: string; data?: Record<string, unknown> };
export type Emitted =
  | CallEffect
  | { type: 'reply'; data?: unknown; error?: ReplyError }
  | { type: 'timer.set'; key: string; at: number; event: { type: string } }
  | { type: 'timer.cancel'; key: string };

export interface Step {
  context: CallContext;
  emits: Emitted[];
}

export const RING_TIMER = 'ring';

export function initialContext(input: CallInput): CallContext {
  return {
    id: input.id,
    type: null,
    status: 'idle',
    conversationId: null,
    channelId: null,
    spaceId: null,
    isGroup: false,
    conversationName: null,
    initiatedBy: null,
    participants: [],
    createdAt: 0,
    startedAt: null,
    endedAt: null,
    rev: 0,
  };
}

export function view(ctx: CallContext): CallView {
  return {
    id: ctx.id,
    type: ctx.type ?? 'dm',
    conversationId: ctx.conversationId,
    channelId: ctx.channelId,
    spaceId: ctx.spaceId,
    roomName: roomNameOf(ctx.id),
    initiatedBy: ctx.initiatedBy,
    status: ctx.status === 'idle' ? 'ringing' : ctx.status,
    isGroup: ctx.isGroup,
    conversationName: ctx.conversationName,
    createdAt: ctx.createdAt,
    startedAt: ctx.startedAt,
    endedAt: ctx.endedAt,
    participants: ctx.participants,
    rev: ctx.rev,
  };
}

const refuse = (ctx: CallContext, code: string, status: number, message: string): Step => ({
  context: ctx,
  emits: [{ type: 'reply', error: { code, status, message } }],
});
const nothing = (ctx: CallContext): Step => ({ context: ctx, emits: [] });

function setStatus(ctx: CallContext, userId: string, status: ParticipantStatus, at: number): CallContext {
  const participants = ctx.participants.map((p): Participant => {
    if (p.userId !== userId) return p;
    if (status === 'joined') return { ...p, status, joinedAt: at, leftAt: null };
    if (status === 'left') return { ...p, status, leftAt: at };
    return { ...p, status };
  });
  if (!participants.some((p) => p.userId === userId))
    participants.push({ userId, status, joinedAt: status === 'joined' ? at : null, leftAt: null });
  return { ...ctx, participants };
}

const count = (ctx: CallContext, ...statuses: ParticipantStatus[]) =>
  ctx.participants.filter((p) => statuses.includes(p.status)).length;

/** Finish a step: bump rev, project it, add the effects and the reply (the call as it now is). */
function commit(ctx: CallContext, effects: (v: CallView) => Emitted[], extra: Emitted[] = []): Step {
  const next = { ...ctx, rev: ctx.rev + 1 };
  const v = view(next);
  return {
    context: next,
    emits: [{ type: 'call.sync', view: v }, ...effects(v), ...extra, { type: 'reply', data: v }],
  };
}

/** End the call: ringing participants missed, joined ones left; everyone hears call:ended. */
function endCall(
  ctx: CallContext,
  at: number,
  before: Emitted[] = [],
  effects: (v: CallView) => Emitted[] = () => [],
): Step {
  const cancelRinging = ctx.participants
    .filter((p) => p.status === 'ringing' || p.status === 'declined')
    .map((p) => p.userId);
  const participants = ctx.participants.map((p): Participant => {
    if (p.status === 'ringing') return { ...p, status: 'missed' };
    if (p.status === 'joined') return { ...p, status: 'left', leftAt: at };
    return p;
  });
  const ended: CallContext = { ...ctx, participants, status: 'ended', endedAt: at };
  return commit(ended, (v) => [...effects(v), { type: 'call.ended', view: v, cancelRinging }], [
    ...before,
    { type: 'timer.cancel', key: RING_TIMER },
  ]);
}

/** DM calls end when fewer than two people are in or still being rung; voice channels when empty. */
function shouldEnd(ctx: CallContext): boolean {
  if (ctx.type === 'voice_channel') return count(ctx, 'joined') === 0;
  return count(ctx, 'joined', 'ringing') < 2;
}

export function reduce(ctx: CallContext, ev: CallEvent): Step {
  if (ctx.status === 'idle') {
    if (ev.type === 'dm.start') return startDm(ctx, ev);
    if (ev.type === 'voice.join') return startVoice(ctx, ev);
    if (ev.type === 'ring.timeout') return nothing(ctx);
    return refuse(ctx, 'NOT_FOUND', 404, 'Call not found');
  }
  if (ev.type === 'get' || ev.type === 'dm.start')
    return { context: ctx, emits: [{ type: 'reply', data: view(ctx) }] };
  if (ctx.status === 'ended') {
    if (ev.type === 'ring.timeout') return nothing(ctx);
    if (ev.type === 'leave' || ev.type === 'end')
      return { context: ctx, emits: [{ type: 'reply', data: view(ctx) }] };
    return refuse(ctx, 'CALL_ENDED', 400, 'This call has ended');
  }
  const me = 'by' in ev ? ctx.participants.find((p) => p.userId === ev.by) : undefined;
  switch (ev.type) {
    case 'voice.join':
    case 'join': {
      if (ctx.type === 'dm' && !me)
        return refuse(ctx, 'FORBIDDEN', 403, 'You are not a participant of this call');
      if (me?.status === 'joined') return { context: ctx, emits: [{ type: 'reply', data: view(ctx) }] };
      return joinCall(ctx, ev.by, ev.at, me?.status === 'ringing');
    }
    case 'respond': {
      if (!me) return refuse(ctx, 'FORBIDDEN', 403, 'You are not a participant of this call');
      if (ev.action === 'accept') {
        if (me.status === 'joined') return { context: ctx, emits: [{ type: 'reply', data: view(ctx) }] };
        return joinCall(ctx, ev.by, ev.at, me.status === 'ringing');
      }
      if (me.status !== 'ringing')
        return refuse(ctx, 'BAD_REQUEST', 400, 'Only a ringing call can be declined');
      const next = setStatus(ctx, ev.by, 'declined', ev.at);
      const declined = (v: CallView): Emitted[] => [
        { type: 'call.participant', view: v, userId: ev.by, change: 'declined' },
        { type: 'call.elsewhere', callId: ctx.id, userId: ev.by, action: 'declined' },
      ];
      return shouldEnd(next) ? endCall(next, ev.at, [], declined) : commit(next, declined);
    }
    case 'leave': {
      if (!me || (me.status !== 'joined' && me.status !== 'ringing'))
        return { context: ctx, emits: [{ type: 'reply', data: view(ctx) }] };
      const next = setStatus(ctx, ev.by, 'left', ev.at);
      const left = (v: CallView): Emitted[] => [
        { type: 'call.participant', view: v, userId: ev.by, change: 'left' },
      ];
      return shouldEnd(next) ? endCall(next, ev.at, [], left) : commit(next, left);
    }
    case 'end':
      if (!me) return refuse(ctx, 'FORBIDDEN', 403, 'You are not a participant of this call');
      return endCall(ctx, ev.at);
    case 'ring.timeout': {
      // Unanswered participants are missed; a call nobody answered ends (spec: 60 s of ringing).
      if (ctx.status === 'ringing') return endCall(ctx, ev.at);
      let next = ctx;
      for (const p of ctx.participants)
        if (p.status === 'ringing') next = setStatus(next, p.userId, 'missed', ev.at);
      if (next === ctx) return nothing(ctx);
      return shouldEnd(next) ? endCall(next, ev.at) : commit(next, () => []);
    }
  }
}

function startDm(ctx: CallContext, ev: Extract<CallEvent, { type: 'dm.start' }>): Step {
  const others = [...new Set(ev.participants)].filter((u) => u !== ev.by);
  if (others.length === 0)
    return refuse(ctx, 'BAD_REQUEST', 400, 'There is nobody to call in this conversation');
  const next: CallContext = {
    ...ctx,
    type: 'dm',
    status: 'ringing',
    conversationId: ev.conversationId,
    isGroup: ev.isGroup,
    conversationName: ev.conversationName,
    initiatedBy: ev.by,
    createdAt: ev.at,
    participants: [
      { userId: ev.by, status: 'joined', joinedAt: ev.at, leftAt: null },
      ...others.map((userId): Participant => ({ userId, status: 'ringing', joinedAt: null, leftAt: null })),
    ],
  };
  return commit(next, (v) => [{ type: 'call.ring', view: v, to: others }], [
    { type: 'timer.set', key: RING_TIMER, at: ev.at + ev.ringMs, event: { type: 'ring.timeout' } },
  ]);
}

function startVoice(ctx: CallContext, ev: Extract<CallEvent, { type: 'voice.join' }>): Step {
  const next: CallContext = {
    ...ctx,
    type: 'voice_channel',
    status: 'active',
    channelId: ev.channelId,
    spaceId: ev.spaceId,
    initiatedBy: ev.by,
    createdAt: ev.at,
    startedAt: ev.at,
    participants: [{ userId: ev.by, status: 'joined', joinedAt: ev.at, leftAt: null }],
  };
  return commit(next, (v) => [{ type: 'call.participant', view: v, userId: ev.by, change: 'joined' }]);
}

/** Join (accept, rejoin, voice join). The first answer turns a ringing call active. */
function joinCall(ctx: CallContext, userId: string, at: number, wasRinging: boolean): Step {
  let next = setStatus(ctx, userId, 'joined', at);
  if (next.status === 'ringing') next = { ...next, status: 'active', startedAt: at };
  return commit(next, (v) => [
    { type: 'call.participant', view: v, userId, change: 'joined' },
    ...(wasRinging ? [{ type: 'call.elsewhere', callId: ctx.id, userId, action: 'answered' } as const] : []),
  ]);
}
