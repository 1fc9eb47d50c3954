/** Kysely types of the push device table (migration 20261125_0042_devices). */
import type { Id, TimestampDefault } from '../../engine/db/schema.ts';
import type { PushPlatform, PushTokenType } from '../../engine/push/index.ts';

export interface DevicesTable {
  token: string;
  user_id: Id;
  platform: PushPlatform;
  token_type: PushTokenType;
  app_version: string | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

declare module '../../engine/db/schema.ts' {
  interface Database {
    devices: DevicesTable;
  }
}
