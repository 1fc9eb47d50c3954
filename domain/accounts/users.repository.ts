/** Kysely queries over users, handles and preferences. Rows in, rows out. */
import { sql } from 'kysely';
import type { Db } from './tokens.ts';
import type { PreferencesRow, UserRow } from './users.schema.ts';

export function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** By email or username, case-insensitively (spec "POST /auth/login": `login` is either). */
export function findUserByLogin(db: Db, login: string): Promise<UserRow | undefined> {
  const lower = login.trim().toLowerCase();
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb.or([eb('email_lower', '=', lower), eb('username_lower', '=', lower)]))
    .executeTakeFirst();
}

export function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('email_lower', '=', email.trim().toLowerCase())
    .executeTakeFirst();
}

export function findUserByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('username_lower', '=', username.toLowerCase())
    .executeTakeFirst();
}

export async function emailTaken(db: Db, email: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('email_lower', '=', email.toLowerCase())
    .executeTakeFirst();
  return !!row;
}

/** Taken by a user or by a space slug: one namespace. */
export async function handleTaken(db: Db, handle: string): Promise<boolean> {
  const row = await db
    .selectFrom('handles')
    .select('kind')
    .where('handle_lower', '=', handle.toLowerCase())
    .executeTakeFirst();
  return !!row;
}

export async function isBanned(db: Db, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('user_bans')
    .select('user_id')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return !!row;
}

/** Preferences, creating the default row on first read. */
export async function getPreferences(db: Db, userId: string): Promise<PreferencesRow> {
  const row = await db
    .selectFrom('user_preferences')
    .selectAll()
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (row) return row;
  await db
    .insertInto('user_preferences')
    .values({ user_id: userId })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .execute();
  return db
    .selectFrom('user_preferences')
    .selectAll()
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
}

/** True when `followerId` has an accepted follow of `followeeId`. */
export async function follows(db: Db, followerId: string, followeeId: string): Promise<boolean> {
  const row = await db
    .selectFrom('follows')
    .select('status')
    .where('follower_id', '=', followerId)
    .where('followee_id', '=', followeeId)
    .where('status', '=', 'accepted')
    .executeTakeFirst();
  return !!row;
}

/** True when either user blocks the other. */
export async function blockedEitherWay(db: Db, a: string, b: string): Promise<boolean> {
  const row = await db
    .selectFrom('user_blocks')
    .select(sql<number>`1`.as('one'))
    .where((eb) =>
      eb.or([
        eb.and([eb('blocker_id', '=', a), eb('blocked_id', '=', b)]),
        eb.and([eb('blocker_id', '=', b), eb('blocked_id', '=', a)]),
      ]),
    )
    .executeTakeFirst();
  return !!row;
}
