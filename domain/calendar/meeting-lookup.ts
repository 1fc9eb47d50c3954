/**
 * What a meeting room needs to know about an event (spec "Meeting Rooms", "Personal Event Meeting
 * Rooms"): the calendar owns events, meeting rooms read them only through this narrow lookup.
 */
import type { Db } from '../../engine/db/index.ts';
import type { IdentityMode } from './tables.ts';

export interface MeetingEventInfo {
  id: string;
  /** Space events: the space; personal events: null. */
  spaceId: string | null;
  /** Personal events: the owner; space events: null. */
  ownerId: string | null;
  name: string;
  description: string | null;
  imageUrl: string | null;
  eventDate: string;
  eventTime: string | null;
  endTime: string | null;
  isCancelled: boolean;
  meetingRoomEnabled: boolean;
  /** Minutes before the start; -1 = anytime; null = the configured default. */
  earlyEntry: number | null;
  publicAccess: boolean;
  publicChat: boolean;
  publicParticipation: boolean;
  /** bcrypt hash of the meeting password, or null. */
  passwordHash: string | null;
  identityMode: IdentityMode;
}

export interface MeetingEventLookup {
  /** A space calendar event by id (any space), or null. */
  spaceEvent(db: Db, eventId: string): Promise<MeetingEventInfo | null>;
  /** A personal event by id, or null. */
  personalEvent(db: Db, eventId: string): Promise<MeetingEventInfo | null>;
}

export const meetingEventLookup: MeetingEventLookup = {
  async spaceEvent(db, eventId) {
    const r = await db.selectFrom('calendar_events').selectAll().where('id', '=', eventId).executeTakeFirst();
    if (!r) return null;
    return {
      id: r.id,
      spaceId: r.space_id,
      ownerId: null,
      name: r.name,
      description: r.description,
      imageUrl: r.image_url,
      eventDate: r.event_date,
      eventTime: r.event_time,
      endTime: r.end_time,
      isCancelled: r.is_cancelled,
      meetingRoomEnabled: r.meeting_room_enabled,
      earlyEntry: r.meeting_room_early_entry,
      publicAccess: r.meeting_public_access,
      publicChat: r.meeting_public_chat,
      publicParticipation: r.meeting_public_participation,
      passwordHash: r.meeting_room_password_hash,
      identityMode: r.meeting_identity_mode,
    };
  },
  async personalEvent(db, eventId) {
    const r = await db.selectFrom('personal_events').selectAll().where('id', '=', eventId).executeTakeFirst();
    if (!r) return null;
    return {
      id: r.id,
      spaceId: null,
      ownerId: r.user_id,
      name: r.name,
      description: r.description,
      imageUrl: r.image_url,
      eventDate: r.event_date,
      eventTime: r.event_time,
      endTime: r.end_time,
      isCancelled: false,
      meetingRoomEnabled: r.meeting_room_enabled,
      earlyEntry: r.meeting_room_early_entry,
      publicAccess: false,
      publicChat: false,
      publicParticipation: false,
      passwordHash: null,
      identityMode: 'anonymous',
    };
  },
};
