/** Meeting room inputs (valibot) and the objects the API answers with. */
import * as v from 'valibot';
import { str, trimmed } from '../../http/validate.ts';
import type { Guest, MeetingRoomView } from '../../actors/meeting-room/meeting-room.events.ts';
import type { ProfileRow } from '../conversations/conversations.repository.ts';
import type { MeetingInvitesTable } from './tables.ts';
import type { Selectable } from 'kysely';

const date = v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD'));

export const DateInput = v.object({ date: v.optional(date) });
export const DateQuery = v.object({ date: v.optional(date) });

export const InviteInput = v.object({
  email: v.optional(v.nullable(v.pipe(v.string(), v.trim(), v.email('must be an email'), v.maxLength(254)))),
  maxUses: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100_000)))),
  expiresInHours: v.optional(v.nullable(v.pipe(v.number(), v.minValue(0.01), v.maxValue(24 * 365)))),
});
export type InviteInput = v.InferOutput<typeof InviteInput>;

export const GuestJoinInput = v.object({
  displayName: trimmed(1, 100),
  password: v.optional(str(1, 200)),
  sessionToken: v.optional(str(1, 200)),
  inviteToken: v.optional(str(1, 200)),
  emailVerificationToken: v.optional(str(1, 200)),
});
export type GuestJoinInput = v.InferOutput<typeof GuestJoinInput>;

export const SessionInput = v.object({ sessionToken: str(1, 200) });

export const VerifyEmailInput = v.object({
  email: v.pipe(v.string(), v.trim(), v.email('must be an email'), v.maxLength(254)),
  displayName: trimmed(1, 100),
});

const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

/** The meeting room object (room/join `meetingRoom`, active-rooms items, my-active-room). */
export function toMeetingRoom(v: MeetingRoomView) {
  return {
    id: v.id,
    kind: v.target?.kind ?? null,
    eventId: v.target?.eventId ?? null,
    spaceId: v.target?.spaceId ?? null,
    voiceChannelId: v.target?.voiceChannelId ?? null,
    status: v.status,
    callId: v.session?.callId ?? null,
    roomName: v.session?.roomName ?? null,
    channelId: v.session?.channelId ?? null,
    participantCount: v.participantCount,
    memberCount: v.members.length,
    guestCount: v.guests.length,
    openedAt: iso(v.session?.openedAt),
  };
}

/** The call of a meeting room: the spec's Call object shape with type `meeting`. */
export function toMeetingCall(v: MeetingRoomView, people: Map<string, ProfileRow>) {
  return {
    id: v.session?.callId ?? null,
    type: 'meeting' as const,
    conversationId: null,
    channelId: v.session?.channelId ?? null,
    spaceId: v.target?.spaceId ?? null,
    eventId: v.target?.eventId ?? null,
    roomName: v.session?.roomName ?? null,
    initiatedBy: null,
    status: v.status === 'open' ? ('active' as const) : ('ended' as const),
    startedAt: iso(v.session?.openedAt),
    endedAt: null,
    createdAt: iso(v.session?.openedAt),
    participants: v.members.map((m) => {
      const u = people.get(m.userId);
      return {
        userId: m.userId,
        username: u?.username ?? null,
        displayName: u?.display_name ?? null,
        avatarUrl: u?.avatar_url ?? null,
        status: 'joined',
        joinedAt: iso(m.joinedAt),
        leftAt: null,
      };
    }),
  };
}

export function toGuest(g: Guest) {
  return {
    id: g.guestId,
    displayName: g.displayName,
    email: g.email,
    emailVerified: g.emailVerified,
    livekitIdentity: g.livekitIdentity,
    status: 'active' as const,
    createdAt: new Date(g.createdAt).toISOString(),
  };
}

export function toInvite(r: Selectable<MeetingInvitesTable>, publicUrl: string, spaceSlug: string) {
  return {
    id: r.id,
    eventId: r.event_id,
    token: r.token,
    inviteUrl: `${publicUrl.replace(/\/$/, '')}/public/calendar/${spaceSlug}/events/${r.event_id}/meeting?invite=${r.token}`,
    email: r.email,
    maxUses: r.max_uses,
    useCount: r.use_count,
    expiresAt: r.expires_at ? new Date(r.expires_at).toISOString() : null,
    createdAt: new Date(r.created_at).toISOString(),
  };
}
