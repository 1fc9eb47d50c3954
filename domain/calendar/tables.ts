/** Kysely types of the calendar tables (migration 20261125_0140_calendar). */
import type { ColumnType, Generated } from 'kysely';
import type { Id, Json, TimestampDefault } from '../../engine/db/schema.ts';

export type ActivityType = 'ride' | 'run' | 'walk';
export type IdentityMode = 'anonymous' | 'email_verify' | 'require_login';
export type RsvpStatus = 'going' | 'maybe' | 'not_going';
export type Visibility = 'public' | 'followers' | 'spaces' | 'private';
export type DayCode = 'SU' | 'MO' | 'TU' | 'WE' | 'TH' | 'FR' | 'SA';

export interface CalendarCategoriesTable {
  id: Id;
  space_id: Id;
  name: string;
  color: string;
  created_at: TimestampDefault;
}

/** Fields an event and its series template share. */
interface EventFields {
  name: string;
  description: string | null;
  event_time: string | null;
  end_time: string | null;
  category_id: Id | null;
  image_url: string | null;
  is_public: Generated<boolean>;
  location: string | null;
  activity_type: ActivityType | null;
  route_id: Id | null;
  organizer_id: Id | null;
  organizer_needed: Generated<boolean>;
  created_by: Id | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface EventSeriesTable extends EventFields {
  id: Id;
  space_id: Id;
  freq: 'weekly' | 'monthly';
  interval: number;
  by_day: Json<DayCode[]>;
  by_set_pos: number | null;
  /** `YYYY-MM-DD` */
  dtstart: string;
  until: string;
  /** Rule dates whose occurrence was deleted alone (migration 0141): never regenerated. */
  excluded_dates: ColumnType<string[], string | undefined, string>;
}

export interface CalendarEventsTable extends EventFields {
  id: Id;
  space_id: Id;
  series_id: Id | null;
  /** The rule date this occurrence was generated for (series occurrences only). */
  series_date: string | null;
  /** `YYYY-MM-DD` in the space's time zone. */
  event_date: string;
  is_override: Generated<boolean>;
  is_cancelled: Generated<boolean>;
  meeting_room_enabled: Generated<boolean>;
  /** Minutes before the start; -1 = anytime; null = the configured default. */
  meeting_room_early_entry: number | null;
  meeting_public_access: Generated<boolean>;
  meeting_public_chat: Generated<boolean>;
  meeting_public_participation: Generated<boolean>;
  /** bcrypt hash; never leaves the server. */
  meeting_room_password_hash: string | null;
  meeting_identity_mode: Generated<IdentityMode>;
}

export interface CalendarEventRsvpsTable {
  event_id: Id;
  user_id: Id;
  status: RsvpStatus;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface PersonalEventCategoriesTable {
  id: Id;
  user_id: Id;
  name: string;
  color: string;
  created_at: TimestampDefault;
}

export interface PersonalEventsTable {
  id: Id;
  user_id: Id;
  name: string;
  description: string | null;
  event_date: string;
  event_time: string | null;
  end_time: string | null;
  location: string | null;
  category_id: Id | null;
  image_url: string | null;
  activity_type: ActivityType | null;
  visibility: Generated<Visibility>;
  meeting_room_enabled: Generated<boolean>;
  meeting_room_early_entry: number | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

declare module '../../engine/db/schema.ts' {
  interface Database {
    calendar_categories: CalendarCategoriesTable;
    event_series: EventSeriesTable;
    calendar_events: CalendarEventsTable;
    calendar_event_rsvps: CalendarEventRsvpsTable;
    personal_event_categories: PersonalEventCategoriesTable;
    personal_events: PersonalEventsTable;
  }
}
