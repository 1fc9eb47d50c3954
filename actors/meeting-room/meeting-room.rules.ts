/**
 * The meeting room's rules as one pure reducer. A room opens with its first participant (member or
 * guest) and closes when the last one leaves, is kicked or expires. Expiry is a durable timer
 * (`sweep`), never an XState delay, so a room whose node dies still closes once its participants'
 * heartbeats lapse, wherever the actor then lives.
 */
import type { ReplyError } from '../../engine/actors/types.ts';
import type {
  Guest,
  MeetingRoomContext,
  MeetingRoomEffect,
  MeetingRoomEvent,
  MeetingRoomInput,
  MeetingRoomView,
  OpenParams,
  RoomTarget,
} from './meeting-room.events.ts';

export type Emitted =
  | MeetingRoomEffect
  | { type: 'reply'; data?: unknown; error?: ReplyError }
  | { type: 'timer.set'; key: string; at: number; event: { type: string } }
  | { type: 'timer.cancel'; key: string };

export interface Step {
  context: MeetingRoomContext;
  emits: Emitted[];
}

export const SWEEP_TIMER = 'sweep';
/** Kicked identities kept per room (oldest forgotten first). */
const MAX_BLOCKED = 500;

export function initialContext(input: MeetingRoomInput): MeetingRoomContext {
  return {
    id: input.id,
    status: 'idle',
    target: null,
    session: null,
    members: [],
    guests: [],
    blocked: { sessions: [], emails: [], users: [], invites: [] },
    ttlMs: 120_000,
    rev: 0,
  };
}

export const countOf = (ctx: MeetingRoomContext) => ctx.members.length + ctx.guests.length;

export function view(ctx: MeetingRoomContext): MeetingRoomView {
  return {
    id: ctx.id,
    status: ctx.status,
    target: ctx.target,
    session: ctx.session,
    members: ctx.members,
    guests: ctx.guests,
    participantCount: countOf(ctx),
    rev: ctx.rev,
  };
}

const refuse = (ctx: MeetingRoomContext, code: string, status: number, message: string): Step => ({
  context: ctx,
  emits: [{ type: 'reply', error: { code, status, message } }],
});
const answer = (ctx: MeetingRoomContext, data: unknown = view(ctx)): Step => ({
  context: ctx,
  emits: [{ type: 'reply', data }],
});

type Reply = (v: MeetingRoomView) => unknown;
const asView: Reply = (v) => v;

/** Finish a step: bump rev, project it, announce a changed count, (re)arm the sweep, reply. */
function commit(
  before: MeetingRoomContext,
  ctx: MeetingRoomContext,
  extra: (v: MeetingRoomView) => Emitted[],
  reply: Reply = asView,
): Step {
  const next = { ...ctx, rev: ctx.rev + 1 };
  const v = view(next);
  const emits: Emitted[] = [{ type: 'room.sync', view: v }, ...extra(v)];
  if (next.target && countOf(before) !== countOf(next) && next.status === 'open')
    emits.push({ type: 'room.count', target: next.target, participantCount: v.participantCount });
  const due = nextSweep(next);
  if (due !== null) emits.push({ type: 'timer.set', key: SWEEP_TIMER, at: due, event: { type: 'sweep' } });
  emits.push({ type: 'reply', data: reply(v) });
  return { context: next, emits };
}

/** The earliest moment someone may expire (members: probed first, dropped one TTL later). */
function nextSweep(ctx: MeetingRoomContext): number | null {
  if (ctx.status !== 'open') return null;
  const due = [
    ...ctx.members.map((m) => m.seenAt + (m.probedAt === undefined ? 1 : 2) * ctx.ttlMs),
    ...ctx.guests.map((g) => g.seenAt + ctx.ttlMs),
  ];
  return due.length ? Math.min(...due) : null;
}

/** Open the room if it is idle (first participant of a session). */
function opened(ctx: MeetingRoomContext, target: RoomTarget, open: OpenParams, ttlMs: number, at: number) {
  if (ctx.status === 'open') return { ctx: { ...ctx, ttlMs }, opening: false };
  return {
    ctx: {
      ...ctx,
      status: 'open' as const,
      target,
      ttlMs,
      session: { callId: open.callId, roomName: open.roomName, channelId: open.channelId, openedAt: at },
      members: [],
      guests: [],
    },
    opening: true,
  };
}

/** The room after someone left: closed (and back to idle) when empty. */
function settle(before: MeetingRoomContext, ctx: MeetingRoomContext, extra: Emitted[]): Step {
  if (ctx.status !== 'open' || countOf(ctx) > 0 || !ctx.session || !ctx.target)
    return commit(before, ctx, () => extra);
  const closed = {
    type: 'room.closed' as const,
    target: ctx.target,
    session: ctx.session,
  };
  const idle: MeetingRoomContext = { ...ctx, status: 'idle', session: null, members: [], guests: [] };
  return commit(before, idle, () => [...extra, { type: 'timer.cancel', key: SWEEP_TIMER }, closed]);
}

const guestEffect = (
  ctx: MeetingRoomContext,
  g: Guest,
  change: 'joined' | 'left' | 'kicked',
  kickedBy: string | null = null,
): Emitted => ({
  type: 'room.guest',
  target: ctx.target!,
  change,
  guestId: g.guestId,
  displayName: g.displayName,
  kickedBy,
  livekitIdentity: g.livekitIdentity,
  roomName: g.roomName,
});

function isBlocked(
  ctx: MeetingRoomContext,
  g: { sessionHash: string; email: string | null; userId: string | null; inviteId: string | null },
) {
  const b = ctx.blocked;
  return (
    b.sessions.includes(g.sessionHash) ||
    (g.email !== null && b.emails.includes(g.email.toLowerCase())) ||
    (g.userId !== null && b.users.includes(g.userId)) ||
    (g.inviteId !== null && b.invites.includes(g.inviteId))
  );
}

const push = (list: string[], item: string | null) =>
  item === null || list.includes(item) ? list : [...list, item].slice(-MAX_BLOCKED);

export function reduce(ctx: MeetingRoomContext, ev: MeetingRoomEvent): Step {
  switch (ev.type) {
    case 'get':
      return answer(ctx);
    case 'member.join': {
      const o = opened(ctx, ev.target, ev.open, ev.ttlMs, ev.at);
      const members = o.ctx.members.filter((m) => m.userId !== ev.userId);
      const was = o.ctx.members.find((m) => m.userId === ev.userId);
      members.push({ userId: ev.userId, joinedAt: was?.joinedAt ?? ev.at, seenAt: ev.at });
      return commit(
        ctx,
        { ...o.ctx, members },
        (v) => (o.opening ? [{ type: 'room.opened', view: v }] : []),
        (v) => ({ ...v, opened: o.opening }),
      );
    }
    case 'member.heartbeat': {
      if (!ctx.members.some((m) => m.userId === ev.userId))
        return refuse(ctx, 'NOT_FOUND', 404, 'You are not in this meeting room');
      const members = ctx.members.map((m) =>
        m.userId === ev.userId ? { userId: m.userId, joinedAt: m.joinedAt, seenAt: ev.at } : m,
      );
      return commit(ctx, { ...ctx, members }, () => []);
    }
    case 'member.leave': {
      if (!ctx.members.some((m) => m.userId === ev.userId)) return answer(ctx);
      return settle(ctx, { ...ctx, members: ctx.members.filter((m) => m.userId !== ev.userId) }, []);
    }
    case 'guest.join': {
      if (isBlocked(ctx, ev.guest))
        return refuse(ctx, 'FORBIDDEN', 403, 'You were removed from this meeting and cannot rejoin');
      const o = opened(ctx, ev.target, ev.open, ev.ttlMs, ev.at);
      const fields = ev.guest;
      const was = o.ctx.guests.find((g) => g.sessionHash === ev.guest.sessionHash);
      const guest: Guest = {
        ...fields,
        guestId: was?.guestId ?? fields.guestId,
        roomName: ev.roomName ?? o.ctx.session!.roomName,
        createdAt: was?.createdAt ?? ev.at,
        seenAt: ev.at,
      };
      const guests = [...o.ctx.guests.filter((g) => g.sessionHash !== guest.sessionHash), guest];
      const next = { ...o.ctx, guests };
      return commit(
        ctx,
        next,
        (v) => [
          ...(o.opening ? [{ type: 'room.opened' as const, view: v }] : []),
          ...(was ? [] : [guestEffect(next, guest, 'joined')]),
        ],
        (v) => ({ ...v, guest, opened: o.opening }),
      );
    }
    case 'guest.resume': {
      if (ctx.blocked.sessions.includes(ev.sessionHash))
        return refuse(ctx, 'FORBIDDEN', 403, 'You were removed from this meeting and cannot rejoin');
      const g = ctx.guests.find((x) => x.sessionHash === ev.sessionHash);
      if (!g || ctx.status !== 'open') return refuse(ctx, 'NOT_FOUND', 404, 'Session not found');
      const guests = ctx.guests.map((x) => (x === g ? { ...x, seenAt: ev.at } : x));
      return commit(
        ctx,
        { ...ctx, guests },
        () => [],
        (v) => ({ ...v, guest: g, opened: false }),
      );
    }
    case 'guest.heartbeat': {
      const g = ctx.guests.find((x) => x.sessionHash === ev.sessionHash);
      if (!g) return refuse(ctx, 'NOT_FOUND', 404, 'Session not found');
      const guests = ctx.guests.map((x) => (x === g ? { ...x, seenAt: ev.at } : x));
      return commit(ctx, { ...ctx, guests }, () => []);
    }
    case 'guest.leave': {
      const g = ctx.guests.find((x) => x.sessionHash === ev.sessionHash);
      if (!g) return answer(ctx);
      const next = { ...ctx, guests: ctx.guests.filter((x) => x !== g) };
      return settle(ctx, next, [guestEffect(ctx, g, 'left')]);
    }
    case 'guest.kick': {
      const g = ctx.guests.find((x) => x.guestId === ev.guestId);
      if (!g) return refuse(ctx, 'NOT_FOUND', 404, 'Guest not found');
      const blocked = {
        sessions: push(ctx.blocked.sessions, g.sessionHash),
        emails: push(ctx.blocked.emails, g.email?.toLowerCase() ?? null),
        users: push(ctx.blocked.users, g.userId),
        invites:
          g.inviteSingleUse && g.inviteId ? push(ctx.blocked.invites, g.inviteId) : ctx.blocked.invites,
      };
      const next = { ...ctx, blocked, guests: ctx.guests.filter((x) => x !== g) };
      return settle(ctx, next, [guestEffect(ctx, g, 'kicked', ev.by)]);
    }
    case 'sweep': {
      if (ctx.status !== 'open') return { context: ctx, emits: [] };
      const silentFor = (seenAt: number) => ev.at - seenAt;
      const gone = ctx.guests.filter((g) => silentFor(g.seenAt) >= ctx.ttlMs);
      const probe = ctx.members.filter((m) => m.probedAt === undefined && silentFor(m.seenAt) >= ctx.ttlMs);
      const members = ctx.members
        .filter((m) => silentFor(m.seenAt) < 2 * ctx.ttlMs)
        .map((m) => (probe.includes(m) ? { ...m, probedAt: ev.at } : m));
      const next = { ...ctx, members, guests: ctx.guests.filter((g) => !gone.includes(g)) };
      const extra: Emitted[] = gone.map((g) => guestEffect(ctx, g, 'left'));
      if (probe.length)
        extra.push({ type: 'room.probe', roomId: ctx.id, userIds: probe.map((m) => m.userId) });
      return settle(ctx, next, extra);
    }
  }
}
