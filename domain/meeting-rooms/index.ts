/**
 * Meeting rooms (spec "Meeting Rooms", "Public Meeting Rooms", "Personal Event Meeting Rooms"): the
 * meeting-room actor kind with its effects, and the services routes use.
 *
 *   const rooms = createMeetingRooms(engine, { events: () => calendar.meetingEvents, spaces: () => spaces.client });
 *   await rooms.members.join(db, userId, spaceId, eventId, undefined);
 */
import type { Engine } from '../../engine/index.ts';
import type { SpaceClient } from '../../actors/space/space.client.ts';
import { meetingRoomKind } from '../../actors/meeting-room/meeting-room.effects.ts';
import { tempChannels } from './channel.ts';
import type { MeetingDeps } from './deps.ts';
import { meetingRoomPorts } from './delivery.ts';
import type { MeetingEventLookup } from './events.port.ts';
import { GuestsService } from './guests.service.ts';
import { createMeetingMedia, type MeetingMedia } from './media.ts';
import { MembersService } from './members.service.ts';
import { publicEvent, publicVoice } from './public-targets.ts';

export * as schema from './meeting-rooms.schema.ts';
export type { PublicTarget } from './public-targets.ts';
export type { MeetingMedia } from './media.ts';

export interface MeetingRoomsDeps {
  events: () => MeetingEventLookup;
  spaces: () => SpaceClient;
  /** Realtime presence: online / idle / dnd count as still there. */
  online: (userId: string) => Promise<boolean>;
  media?: MeetingMedia;
}

export function createMeetingRooms(engine: Engine, deps: MeetingRoomsDeps) {
  const media = deps.media ?? createMeetingMedia(engine.config);
  const channels = tempChannels(deps.spaces);
  const { db } = engine.db;
  engine.actors.register(
    meetingRoomKind(
      meetingRoomPorts({
        db,
        rooms: engine.rooms,
        actors: engine.actors,
        media,
        channels,
        online: deps.online,
      }),
    ),
  );
  const d: MeetingDeps = {
    db,
    ids: engine.ids,
    clock: engine.clock,
    log: engine.log,
    actors: engine.actors,
    media,
    channels,
    email: engine.email,
    events: deps.events,
    ttlMs: engine.config.MEETING_PARTICIPANT_TTL_MS,
    defaultEarly: engine.config.MEETING_EARLY_ENTRY_DEFAULT_MIN,
    publicUrl: engine.config.PUBLIC_URL,
    verifyTtlMs: engine.config.EMAIL_TOKEN_TTL_S * 1000,
  };
  const members = new MembersService(d);
  return {
    members,
    guests: new GuestsService(d, members),
    /** The public event meeting or voice channel a guest addresses (404 when not public). */
    publicEvent: (spaceSlug: string, eventId: string) => publicEvent(d, db, spaceSlug, eventId),
    publicVoice: (spaceSlug: string, channelName: string) => publicVoice(d, db, spaceSlug, channelName),
  };
}

export type MeetingRooms = ReturnType<typeof createMeetingRooms>;
