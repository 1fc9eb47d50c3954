/** Kysely types of the actor runtime's tables (migration 20261125_0020_actors). */
import type { ColumnType, Generated } from 'kysely';
import type { Int8, Json, Timestamp, TimestampDefault } from '../db/schema.ts';

export interface ActorsTable {
  ns: string;
  kind: string;
  id: string;
  shard: number;
  /** numeric(40,0) (migration 0021): read it as `epoch::text`. */
  epoch: ColumnType<string, string, string>;
  version: Int8;
  status: Generated<string>;
  snapshot: Json<unknown> | null;
  updated_at: TimestampDefault;
}

export interface ActorInboxTable {
  ns: string;
  seq: Generated<string>;
  shard: number;
  kind: string;
  actor_id: string;
  event: Json<unknown>;
  at: Int8;
  done: Generated<boolean>;
  done_at: Timestamp | null;
  created_at: TimestampDefault;
}

export interface ActorTimersTable {
  ns: string;
  kind: string;
  id: string;
  key: string;
  shard: number;
  due_at: Int8;
  generation: Int8;
  event: Json<unknown>;
}

export interface ActorOutboxTable {
  ns: string;
  id: string;
  kind: string;
  actor_id: string;
  shard: number;
  version: Int8;
  idx: number;
  effect: Json<unknown>;
  at: Int8;
  attempts: Generated<number>;
  next_at: Int8 | null;
  last_error: string | null;
  created_at: TimestampDefault;
}

export interface ActorKvTable {
  bucket: string;
  key: string;
  value: string;
  revision: Int8;
  expires_at: Timestamp;
}

declare module '../db/schema.ts' {
  interface Database {
    actors: ActorsTable;
    actor_inbox: ActorInboxTable;
    actor_timers: ActorTimersTable;
    actor_outbox: ActorOutboxTable;
    actor_kv: ActorKvTable;
  }
}
