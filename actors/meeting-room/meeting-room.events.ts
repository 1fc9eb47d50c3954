/**
 * The meeting room actor's vocabulary (spec "Meeting Rooms", "Public Meeting Rooms", "Personal Event
 * Meeting Rooms"). One actor per room target (a space event, a personal event, a public voice
 * channel); a room is `open` while anyone (member or guest) is in it, `idle` otherwise. JSON only;
 * times are ms since the epoch from each event's `at`.
 */
export type RoomTargetKind = 'event' | 'personal' | 'voice';

/** What the room belongs to; fixed by the first join of each session. */
export interface RoomTarget {
  kind: RoomTargetKind;
  /** Calendar event id (space or personal event); null for voice channels. */
  eventId: string | null;
  spaceId: string | null;
  /** The public voice channel (kind 'voice'). */
  voiceChannelId: string | null;
  /** Owner of a personal event. */
  ownerId: string | null;
}

/** Allocated by the caller before the join (ids are not the machine's business); used when it opens. */
export interface OpenParams {
  callId: string;
  roomName: string;
  /** The temporary text channel (space events only). */
  channelId: string | null;
}

export interface MemberParticipant {
  userId: string;
  joinedAt: number;
  /** Last join or heartbeat: a member silent for `ttlMs` is probed (is the user online?), then dropped. */
  seenAt: number;
  /** Set when the sweep asked whether the silent member is still online (`room.probe`). */
  probedAt?: number;
}

export interface GuestGrants {
  /** meetingPublicChat: LiveKit canPublishData. */
  chat: boolean;
  /** meetingPublicParticipation: LiveKit canPublish (mic/camera). */
  participation: boolean;
}

export interface Guest {
  guestId: string;
  displayName: string;
  email: string | null;
  emailVerified: boolean;
  /** A signed-in user joining through the public page (require_login). */
  userId: string | null;
  /** sha256 of the session token (the token itself is never stored). */
  sessionHash: string;
  inviteId: string | null;
  /** The invite was for one use (a personal invite): a kick blocks it too. */
  inviteSingleUse: boolean;
  livekitIdentity: string;
  /** The LiveKit room the guest's token is for. */
  roomName: string;
  grants: GuestGrants;
  createdAt: number;
  seenAt: number;
}

/** Who may not come back after a kick (spec "kick ... blocks rejoin"). */
export interface Blocked {
  sessions: string[];
  emails: string[];
  users: string[];
  invites: string[];
}

export interface RoomSession {
  callId: string;
  roomName: string;
  channelId: string | null;
  openedAt: number;
}

export interface MeetingRoomContext {
  id: string;
  status: 'idle' | 'open';
  target: RoomTarget | null;
  session: RoomSession | null;
  members: MemberParticipant[];
  guests: Guest[];
  blocked: Blocked;
  /** Participant expiry (MEETING_PARTICIPANT_TTL_MS), as given by the latest join. */
  ttlMs: number;
  rev: number;
}

export interface MeetingRoomInput {
  id: string;
}

type At = { at: number };
export type GuestJoin = Omit<Guest, 'createdAt' | 'seenAt' | 'roomName'>;

export type MeetingRoomEvent = At &
  (
    | { type: 'member.join'; userId: string; target: RoomTarget; open: OpenParams; ttlMs: number }
    | { type: 'member.leave'; userId: string }
    | { type: 'member.heartbeat'; userId: string }
    | {
        type: 'guest.join';
        guest: GuestJoin;
        target: RoomTarget;
        open: OpenParams;
        ttlMs: number;
        /** The LiveKit room for this guest when it is not the session's (voice channels). */
        roomName?: string;
      }
    /** Reconnect with a session token: answers the guest, or NOT_FOUND when the session is gone. */
    | { type: 'guest.resume'; sessionHash: string }
    | { type: 'guest.leave'; sessionHash: string }
    | { type: 'guest.heartbeat'; sessionHash: string }
    | { type: 'guest.kick'; guestId: string; by: string }
    /** Durable timer: drop participants not seen for `ttlMs`; close when nobody is left. */
    | { type: 'sweep' }
    | { type: 'get' }
  );

export interface MeetingRoomView {
  id: string;
  status: 'idle' | 'open';
  target: RoomTarget | null;
  session: RoomSession | null;
  members: MemberParticipant[];
  guests: Guest[];
  participantCount: number;
  rev: number;
}

/** Effects (outbox), performed by meeting-room.effects.ts. */
export type MeetingRoomEffect =
  /** Write the meeting_rooms projection row as of `rev`. */
  | { type: 'room.sync'; view: MeetingRoomView }
  /** Make sure the temporary text channel exists (while the session is the current one). */
  | { type: 'room.opened'; view: MeetingRoomView }
  /** calendar:room_participant_changed. */
  | { type: 'room.count'; target: RoomTarget; participantCount: number }
  | {
      type: 'room.guest';
      target: RoomTarget;
      change: 'joined' | 'left' | 'kicked';
      guestId: string;
      displayName: string;
      kickedBy: string | null;
      /** For a kick: remove this identity from this LiveKit room. */
      livekitIdentity: string;
      roomName: string;
    }
  /**
   * Members silent for `ttlMs`: each one still online (realtime presence) gets a `member.heartbeat`,
   * the others a `member.leave`. Unanswered, the sweep drops them at `seenAt + 2 * ttlMs`.
   */
  | { type: 'room.probe'; roomId: string; userIds: string[] }
  /** calendar:room_closed; the temporary channel and its messages deleted; the LiveKit room destroyed. */
  | { type: 'room.closed'; target: RoomTarget; session: RoomSession };

export const MEETING_ROOM_KIND = 'meeting-room';
