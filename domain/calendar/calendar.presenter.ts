/** Rows → the spec's CalendarEvent, EventSeries, category and personal event objects. */
import type { Selectable } from 'kysely';
import type { EventViewRow } from './events.repository.ts';
import type {
  CalendarCategoriesTable,
  EventSeriesTable,
  PersonalEventCategoriesTable,
  PersonalEventsTable,
} from './tables.ts';

export interface CategoryDto {
  id: string;
  name: string;
  color: string;
  createdAt: string;
}

export function categoryDto(
  r: Selectable<CalendarCategoriesTable> | Selectable<PersonalEventCategoriesTable>,
): CategoryDto {
  return { id: r.id, name: r.name, color: r.color, createdAt: r.created_at.toISOString() };
}

export interface CalendarEventDto {
  id: string;
  spaceId: string;
  seriesId: string | null;
  name: string;
  description: string | null;
  eventDate: string;
  eventTime: string | null;
  endTime: string | null;
  categoryId: string | null;
  category: { id: string; name: string; color: string } | null;
  imageUrl: string | null;
  isPublic: boolean;
  location: string | null;
  activityType: string | null;
  routeId: string | null;
  /** The route library is not part of reef yet: always null beside routeId. */
  route: null;
  organizerId: string | null;
  organizer: { id: string; username: string; displayName: string; avatarUrl: string | null } | null;
  organizerNeeded: boolean;
  isOverride: boolean;
  isCancelled: boolean;
  meetingRoomEnabled: boolean;
  meetingRoomEarlyEntry: number | null;
  meetingPublicAccess: boolean;
  meetingPublicChat: boolean;
  meetingPublicParticipation: boolean;
  meetingHasPassword: boolean;
  meetingIdentityMode: string;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  rsvpCounts: { going: number; maybe: number; notGoing: number };
  myRsvp: string | null;
}

export interface SpaceMeta {
  spaceName: string | null;
  spaceSlug: string | null;
  spaceIconUrl: string | null;
  spaceBaseColor: string | null;
  spaceAccentColor: string | null;
}

export function eventDto(r: EventViewRow): CalendarEventDto {
  return {
    id: r.id,
    spaceId: r.space_id,
    seriesId: r.series_id,
    name: r.name,
    description: r.description,
    eventDate: r.event_date,
    eventTime: r.event_time,
    endTime: r.end_time,
    categoryId: r.category_id,
    category:
      r.category_id && r.category_name
        ? { id: r.category_id, name: r.category_name, color: r.category_color ?? '#000000' }
        : null,
    imageUrl: r.image_url,
    isPublic: r.is_public,
    location: r.location,
    activityType: r.activity_type,
    routeId: r.route_id,
    route: null,
    organizerId: r.organizer_id,
    organizer:
      r.organizer_id && r.organizer_username
        ? {
            id: r.organizer_id,
            username: r.organizer_username,
            displayName: r.organizer_display_name ?? r.organizer_username,
            avatarUrl: r.organizer_avatar_url,
          }
        : null,
    organizerNeeded: r.organizer_needed,
    isOverride: r.is_override,
    isCancelled: r.is_cancelled,
    meetingRoomEnabled: r.meeting_room_enabled,
    meetingRoomEarlyEntry: r.meeting_room_early_entry,
    meetingPublicAccess: r.meeting_public_access,
    meetingPublicChat: r.meeting_public_chat,
    meetingPublicParticipation: r.meeting_public_participation,
    meetingHasPassword: r.meeting_room_password_hash !== null,
    meetingIdentityMode: r.meeting_identity_mode,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    rsvpCounts: { going: r.going_count, maybe: r.maybe_count, notGoing: r.not_going_count },
    myRsvp: r.my_rsvp,
  };
}

/** CalendarEvent plus the space fields of the cross-space listings (spec "Aggregated Upcoming Events"). */
export function eventWithSpaceDto(r: EventViewRow): CalendarEventDto & SpaceMeta {
  return {
    ...eventDto(r),
    spaceName: r.space_name,
    spaceSlug: r.space_slug,
    spaceIconUrl: r.space_icon_url,
    spaceBaseColor: r.space_base_color,
    spaceAccentColor: r.space_accent_color,
  };
}

export interface EventSeriesDto {
  id: string;
  spaceId: string;
  name: string;
  description: string | null;
  eventTime: string | null;
  endTime: string | null;
  categoryId: string | null;
  imageUrl: string | null;
  isPublic: boolean;
  location: string | null;
  activityType: string | null;
  routeId: string | null;
  organizerId: string | null;
  organizerNeeded: boolean;
  recurrenceRule: {
    freq: string;
    interval: number;
    byDay: string[];
    bySetPos: number | null;
    dtstart: string;
    until: string;
  };
  occurrenceCount: number;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export function seriesDto(r: Selectable<EventSeriesTable>, occurrenceCount: number): EventSeriesDto {
  return {
    id: r.id,
    spaceId: r.space_id,
    name: r.name,
    description: r.description,
    eventTime: r.event_time,
    endTime: r.end_time,
    categoryId: r.category_id,
    imageUrl: r.image_url,
    isPublic: r.is_public,
    location: r.location,
    activityType: r.activity_type,
    routeId: r.route_id,
    organizerId: r.organizer_id,
    organizerNeeded: r.organizer_needed,
    recurrenceRule: {
      freq: r.freq,
      interval: r.interval,
      byDay: r.by_day,
      bySetPos: r.by_set_pos,
      dtstart: r.dtstart,
      until: r.until,
    },
    occurrenceCount,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export interface PersonalEventDto {
  id: string;
  userId: string;
  name: string;
  description: string | null;
  eventDate: string;
  eventTime: string | null;
  endTime: string | null;
  location: string | null;
  categoryId: string | null;
  category: { id: string; name: string; color: string } | null;
  imageUrl: string | null;
  activityType: string | null;
  visibility: string;
  meetingRoomEnabled: boolean;
  meetingRoomEarlyEntry: number | null;
  createdAt: string;
  updatedAt: string;
}

export function personalEventDto(
  r: Selectable<PersonalEventsTable> & { category_name: string | null; category_color: string | null },
): PersonalEventDto {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    description: r.description,
    eventDate: r.event_date,
    eventTime: r.event_time,
    endTime: r.end_time,
    location: r.location,
    categoryId: r.category_id,
    category:
      r.category_id && r.category_name
        ? { id: r.category_id, name: r.category_name, color: r.category_color ?? '#000000' }
        : null,
    imageUrl: r.image_url,
    activityType: r.activity_type,
    visibility: r.visibility,
    meetingRoomEnabled: r.meeting_room_enabled,
    meetingRoomEarlyEntry: r.meeting_room_early_entry,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
