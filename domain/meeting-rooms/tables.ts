/** Kysely types of the meeting room tables (migration 20261125_0150_meeting_rooms). */
import type { ColumnType } from 'kysely';
import type { Id, Json, Timestamp, TimestampDefault } from '../../engine/db/schema.ts';

export interface MeetingRoomsTable {
  /** The actor id: `e<eventId>`, `p<eventId>` or `v<channelId>`. */
  id: string;
  kind: 'event' | 'personal' | 'voice';
  space_id: Id | null;
  event_id: Id | null;
  voice_channel_id: Id | null;
  owner_id: Id | null;
  status: 'idle' | 'open';
  call_id: Id | null;
  room_name: string | null;
  channel_id: Id | null;
  participant_count: number;
  member_ids: Json<string[]>;
  opened_at: Timestamp | null;
  rev: number;
  updated_at: TimestampDefault;
}

export interface MeetingInvitesTable {
  id: Id;
  event_id: Id;
  space_id: Id;
  token: string;
  email: string | null;
  max_uses: number | null;
  use_count: ColumnType<number, number | undefined, number>;
  expires_at: Timestamp | null;
  created_by: Id | null;
  created_at: TimestampDefault;
}

export interface MeetingEmailVerificationsTable {
  id: Id;
  token_hash: string;
  email: string;
  display_name: string;
  space_id: Id;
  event_id: Id | null;
  channel_id: Id | null;
  verified_at: Timestamp | null;
  expires_at: Timestamp;
  created_at: TimestampDefault;
}

declare module '../../engine/db/schema.ts' {
  interface Database {
    meeting_rooms: MeetingRoomsTable;
    meeting_invites: MeetingInvitesTable;
    meeting_email_verifications: MeetingEmailVerificationsTable;
  }
}
