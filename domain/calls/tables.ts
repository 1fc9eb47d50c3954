/** Kysely types of the call tables (migration 20261125_0043_calls): the call actor's projection. */
import type { ColumnType } from 'kysely';
import type { Id, Timestamp, TimestampDefault } from '../../engine/db/schema.ts';

export type CallType = 'dm' | 'voice_channel';
export type CallStatus = 'ringing' | 'active' | 'ended';
export type ParticipantStatus = 'ringing' | 'joined' | 'declined' | 'missed' | 'left';

export interface CallsTable {
  id: Id;
  type: CallType;
  conversation_id: Id | null;
  channel_id: Id | null;
  space_id: Id | null;
  room_name: string;
  initiated_by: Id | null;
  status: CallStatus;
  started_at: Timestamp | null;
  ended_at: Timestamp | null;
  /** The call actor's revision this row reflects (migration 0044). */
  rev: ColumnType<number, number | undefined, number>;
  created_at: TimestampDefault;
}

export interface CallParticipantsTable {
  call_id: Id;
  user_id: Id;
  status: ParticipantStatus;
  joined_at: Timestamp | null;
  left_at: Timestamp | null;
}

declare module '../../engine/db/schema.ts' {
  interface Database {
    calls: CallsTable;
    call_participants: CallParticipantsTable;
  }
}
