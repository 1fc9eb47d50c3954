/** Kysely types of the notification tables (migrations 20261125_0041 and 20261125_0061). */
import type { ColumnType } from 'kysely';
import type { Id, Timestamp, TimestampDefault } from '../../engine/db/schema.ts';

export interface NotificationsTable {
  id: Id;
  user_id: Id;
  type: string;
  data: ColumnType<Record<string, unknown>, string, string>;
  read_at: Timestamp | null;
  created_at: TimestampDefault;
}

export interface NotificationPreferencesTable {
  user_id: Id;
  type: string;
  email: boolean;
  in_app: boolean;
  mobile: boolean;
  updated_at: TimestampDefault;
}

declare module '../../engine/db/schema.ts' {
  interface Database {
    notifications: NotificationsTable;
    notification_preferences: NotificationPreferencesTable;
  }
}
