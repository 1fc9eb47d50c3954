/** Kysely types of the plugins tables (migration 20261125_0130_plugins). */
import type { ColumnType } from 'kysely';
import type { Id, TimestampDefault } from '../engine/db/schema.ts';

export interface SpacePluginsTable {
  space_id: Id;
  plugin_id: string;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  config: ColumnType<Record<string, unknown>, string | undefined, string>;
  updated_by: Id | null;
  updated_at: TimestampDefault;
}

declare module '../engine/db/schema.ts' {
  interface Database {
    space_plugins: SpacePluginsTable;
  }
}
