/** Kysely types of the timeline tables (migration 20261125_0100_library_timeline). */
import type { ColumnType } from 'kysely';
import type { Id, Timestamp, TimestampDefault } from '../../engine/db/schema.ts';

/** reef's event kinds; timeline-api names: recording_recommendation, notification, critiquebrainz_review, personal_recording_recommendation. */
export type TimelineEventType = 'recommendation' | 'notification' | 'review' | 'personal_recommendation';

export interface TimelineEventsTable {
  id: Id;
  user_id: Id;
  event_type: TimelineEventType;
  metadata: ColumnType<Record<string, unknown>, string, string>;
  created_at: Timestamp;
}

export interface TimelineEventRecipientsTable {
  event_id: Id;
  user_id: Id;
}

export interface TimelineHiddenEventsTable {
  user_id: Id;
  event_id: Id;
  created_at: TimestampDefault;
}

export interface TimelineApprovedUsersTable {
  user_id: Id;
  approved_by: Id | null;
  created_at: TimestampDefault;
}

declare module '../../engine/db/schema.ts' {
  interface Database {
    timeline_events: TimelineEventsTable;
    timeline_event_recipients: TimelineEventRecipientsTable;
    timeline_hidden_events: TimelineHiddenEventsTable;
    timeline_approved_users: TimelineApprovedUsersTable;
  }
}
