/** Event input → columns, and the rules every stored event obeys whatever path wrote it. */
import bcrypt from 'bcryptjs';
import type { Updateable } from 'kysely';
import { badRequest } from '../../engine/errors.ts';
import type { EventPatch, SeriesPatch } from './calendar.schema.ts';
import type { CalendarEventsTable } from './tables.ts';

export type EventColumns = Updateable<CalendarEventsTable>;

/** Template fields a series shares with its occurrences (and that PATCH of an event may set). */
export function sharedColumns(i: Omit<SeriesPatch, 'updateMode' | 'recurrenceRule'>): EventColumns {
  const c: EventColumns = {};
  if (i.name !== undefined) c.name = i.name;
  if (i.description !== undefined) c.description = i.description;
  if (i.eventTime !== undefined) c.event_time = i.eventTime;
  if (i.endTime !== undefined) c.end_time = i.endTime;
  if (i.categoryId !== undefined) c.category_id = i.categoryId;
  if (i.imageUrl !== undefined) c.image_url = i.imageUrl;
  if (i.isPublic !== undefined) c.is_public = i.isPublic;
  if (i.location !== undefined) c.location = i.location;
  if (i.activityType !== undefined) c.activity_type = i.activityType;
  if (i.routeId !== undefined) c.route_id = i.routeId;
  if (i.organizerId !== undefined) c.organizer_id = i.organizerId;
  if (i.organizerNeeded !== undefined) c.organizer_needed = i.organizerNeeded;
  return c;
}

/** All columns an event PATCH sets (the password is bcrypt-hashed here; it is never stored plain). */
export async function eventColumns(i: EventPatch): Promise<EventColumns> {
  const c = sharedColumns(i);
  if (i.eventDate !== undefined) c.event_date = i.eventDate;
  if (i.meetingRoomEnabled !== undefined) c.meeting_room_enabled = i.meetingRoomEnabled;
  if (i.meetingRoomEarlyEntry !== undefined) c.meeting_room_early_entry = i.meetingRoomEarlyEntry;
  if (i.meetingPublicAccess !== undefined) c.meeting_public_access = i.meetingPublicAccess;
  if (i.meetingPublicChat !== undefined) c.meeting_public_chat = i.meetingPublicChat;
  if (i.meetingPublicParticipation !== undefined)
    c.meeting_public_participation = i.meetingPublicParticipation;
  if (i.meetingIdentityMode !== undefined) c.meeting_identity_mode = i.meetingIdentityMode;
  if (i.meetingRoomPassword !== undefined)
    c.meeting_room_password_hash =
      i.meetingRoomPassword === null ? null : await bcrypt.hash(i.meetingRoomPassword, 10);
  return c;
}

/**
 * Organizer pair (spec "Event Organizers"): organizerNeeded forces organizerId to null; naming an
 * organizer without touching the flag clears it.
 */
export function settleOrganizer(
  c: EventColumns,
  given: { organizerId?: unknown; organizerNeeded?: unknown },
) {
  if (c.organizer_needed === true) c.organizer_id = null;
  else if (given.organizerId != null && given.organizerNeeded === undefined) c.organizer_needed = false;
}

export interface EventShape {
  event_time: string | null;
  end_time: string | null;
  activity_type: string | null;
  organizer_needed: boolean;
}

/** Rules on the merged result: organizerNeeded needs an activityType; endTime needs and follows eventTime. */
export function checkShape(e: EventShape): void {
  if (e.organizer_needed && !e.activity_type)
    throw badRequest('organizerNeeded is only allowed when activityType is set', {
      field: 'organizerNeeded',
    });
  if (e.end_time && !e.event_time) throw badRequest('endTime requires eventTime', { field: 'endTime' });
  if (e.end_time && e.event_time && e.end_time <= e.event_time)
    throw badRequest('endTime must be after eventTime', { field: 'endTime' });
}
