/**
 * The kysely Database interface. Each feature declares its own tables beside its code and merges
 * them in with declaration merging, so no single file lists every table:
 *
 *   declare module '../../engine/db/schema.ts' {
 *     interface Database { users: UsersTable }
 *   }
 */
import type { ColumnType, Generated } from 'kysely';

export interface Database {
  /** Placeholder so the interface is never empty; every real table is merged in by its feature. */
  _reef_placeholder?: never;
}

/** int8 columns read back as decimal strings and accept bigint or string on write. */
export type Int8 = ColumnType<string, string | bigint, string | bigint>;
/** An int8 id the database does not generate (snowflakes come from the ids port). */
export type Id = Int8;
export type GeneratedInt8 = Generated<string>;
/** timestamptz read as a Date, written as a Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
export type Json<T> = ColumnType<T, string, string>;
