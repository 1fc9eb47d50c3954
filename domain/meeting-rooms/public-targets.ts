/**
 * The two things a public guest can join (spec "Public Meeting Rooms"): a space event's meeting room
 * and a public voice channel. Both need the space's allowPublicVoice and their own public access;
 * otherwise they do not exist for the public (404).
 */
import type { Db } from '../../engine/db/index.ts';
import { notFound } from '../../engine/errors.ts';
import type { RoomTarget } from '../../actors/meeting-room/meeting-room.events.ts';
import { liveChannelCall } from '../calls/calls.repository.ts';
import { roomId, type MeetingDeps } from './deps.ts';
import { spaceInfo, type MeetingEvent, type SpaceInfo } from './events.port.ts';
import { checkWindow, zone } from './time.ts';

export type IdentityMode = 'anonymous' | 'email_verify' | 'require_login';

export interface PublicTarget {
  actorId: string;
  target: RoomTarget;
  space: SpaceInfo;
  event: MeetingEvent | null;
  publicChat: boolean;
  publicParticipation: boolean;
  identityMode: IdentityMode;
  passwordHash: string | null;
  /** Throws when the room may not be entered now (events: today and early entry). */
  check(now: number, defaultEarly: number): void;
  /** The LiveKit room for a guest joining now, when not the room session's (voice channels). */
  roomName(db: Db): Promise<string | undefined>;
  /** The pre-join screen's fields besides participantCount / roomStatus. */
  info(): Record<string, unknown>;
}

export async function publicEvent(
  d: MeetingDeps,
  db: Db,
  spaceSlug: string,
  eventId: string,
): Promise<PublicTarget> {
  const space = await spaceInfo(db, { slug: spaceSlug });
  const ev = space ? await d.events().spaceEvent(db, eventId) : null;
  if (
    !space ||
    !ev ||
    ev.spaceId !== space.id ||
    !space.allowPublicVoice ||
    !ev.publicAccess ||
    !ev.meetingRoomEnabled
  )
    throw notFound('Meeting not found');
  return {
    actorId: roomId.event(eventId),
    target: { kind: 'event', eventId, spaceId: space.id, voiceChannelId: null, ownerId: null },
    space,
    event: ev,
    publicChat: ev.publicChat,
    publicParticipation: ev.publicParticipation,
    identityMode: ev.identityMode,
    passwordHash: ev.passwordHash,
    check(now, defaultEarly) {
      if (ev.isCancelled) throw notFound('Meeting not found');
      checkWindow(ev, { now, tz: zone(space.timezone), defaultEarly });
    },
    roomName: async () => undefined,
    info: () => ({
      eventId: ev.id,
      spaceId: space.id,
      spaceName: space.name,
      spaceSlug: space.slug,
      eventName: ev.name,
      eventDate: ev.eventDate,
      eventTime: ev.eventTime,
      endTime: ev.endTime,
      description: ev.description,
      imageUrl: ev.imageUrl,
      meetingPublicChat: ev.publicChat,
      meetingPublicParticipation: ev.publicParticipation,
      meetingIdentityMode: ev.identityMode,
      meetingHasPassword: !!ev.passwordHash,
    }),
  };
}

export async function publicVoice(
  _d: MeetingDeps,
  db: Db,
  spaceSlug: string,
  channelName: string,
): Promise<PublicTarget> {
  const space = await spaceInfo(db, { slug: spaceSlug });
  const ch = space
    ? await db
        .selectFrom('channels')
        .selectAll()
        .where('space_id', '=', space.id)
        .where('name', '=', channelName.toLowerCase())
        .where('type', '=', 'voice')
        .executeTakeFirst()
    : undefined;
  if (!space || !ch || !space.allowPublicVoice || ch.voice.publicVoiceAccess !== true)
    throw notFound('Voice channel not found');
  const mode = (ch.voice.voiceIdentityMode ?? 'anonymous') as IdentityMode;
  return {
    actorId: roomId.voice(ch.id),
    target: { kind: 'voice', eventId: null, spaceId: space.id, voiceChannelId: ch.id, ownerId: null },
    space,
    event: null,
    publicChat: ch.voice.publicVoiceChat === true,
    publicParticipation: ch.voice.publicVoiceParticipation === true,
    identityMode: mode,
    passwordHash: ch.voice_password_hash,
    check: () => undefined,
    // Guests meet the members where they are: the channel's live call, if any.
    async roomName(dbc) {
      const callId = await liveChannelCall(dbc, ch.id);
      return callId ? `call_${callId}` : undefined;
    },
    info: () => ({
      channelId: ch.id,
      channelName: ch.name,
      spaceId: space.id,
      spaceName: space.name,
      spaceSlug: space.slug,
      description: ch.topic,
      meetingPublicChat: ch.voice.publicVoiceChat === true,
      meetingPublicParticipation: ch.voice.publicVoiceParticipation === true,
      meetingIdentityMode: mode,
      meetingHasPassword: !!ch.voice_password_hash,
    }),
  };
}
