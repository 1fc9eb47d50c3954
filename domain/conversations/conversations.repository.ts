/**
 * Conversation rows: the projection of the conversation actors (conversations, members) and the
 * facts the DM rules need from other features (blocks, privacy preferences, follows, profiles).
 */
import { sql } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import type { ConversationView } from '../../actors/conversation/conversation.events.ts';
import type { ConversationType, MemberStatus } from './tables.ts';
import './tables.ts';

export const pairKey = (a: string, b: string) => (BigInt(a) < BigInt(b) ? `${a}:${b}` : `${b}:${a}`);

/** The 1:1 conversation of a pair: the existing one, or a new row (one winner under concurrency). */
export async function claimPair(
  db: Db,
  a: string,
  b: string,
  newId: string,
  by: string,
  now: Date,
): Promise<string> {
  const key = pairKey(a, b);
  const inserted = await db
    .insertInto('conversations')
    .values({
      id: newId,
      type: 'dm',
      name: null,
      created_by: by,
      pair_key: key,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('pair_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return inserted.id;
  const existing = await findPair(db, a, b);
  if (!existing) throw new Error('pair conversation vanished while claiming it');
  return existing;
}

export async function findPair(db: Db, a: string, b: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('conversations')
    .select('id')
    .where('pair_key', '=', pairKey(a, b))
    .executeTakeFirst();
  return row?.id;
}

export async function insertGroup(
  db: Db,
  id: string,
  name: string | null,
  by: string,
  now: Date,
): Promise<void> {
  await db
    .insertInto('conversations')
    .values({ id, type: 'group', name, created_by: by, pair_key: null, created_at: now, updated_at: now })
    .execute();
}

/**
 * Write the actor's view as of `view.rev`; a row already at that revision or newer is left alone
 * (the route and the outbox effect both apply the same view). False when skipped.
 */
export async function applyView(db: Db, view: ConversationView): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('conversations')
      .set({ rev: view.rev, name: view.name, updated_at: new Date(view.updatedAt) })
      .where('id', '=', view.id)
      .where('rev', '<', view.rev)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    if (view.members.length === 0) return true;
    await trx
      .insertInto('conversation_members')
      .values(
        view.members.map((m) => ({
          conversation_id: view.id,
          user_id: m.userId,
          status: m.status,
          muted: m.muted,
          last_read_id: m.lastReadId,
          added_by: m.addedBy,
          joined_at: new Date(m.joinedAt),
          updated_at: new Date(view.updatedAt),
        })),
      )
      .onConflict((oc) =>
        oc.columns(['conversation_id', 'user_id']).doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          muted: eb.ref('excluded.muted'),
          last_read_id: eb.ref('excluded.last_read_id'),
          added_by: eb.ref('excluded.added_by'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
    return true;
  });
}

export interface MembershipRow {
  conversation_id: string;
  type: ConversationType;
  status: MemberStatus;
  muted: boolean;
}

export async function membership(
  db: Db,
  conversationId: string,
  userId: string,
): Promise<MembershipRow | undefined> {
  return db
    .selectFrom('conversation_members as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select(['m.conversation_id', 'c.type', 'm.status', 'm.muted'])
    .where('m.conversation_id', '=', conversationId)
    .where('m.user_id', '=', userId)
    .executeTakeFirst();
}

export interface SenderRow extends MembershipRow {
  /** A 1:1 whose two members blocked one another (either way). */
  blocked: boolean;
  username: string;
  display_name: string;
  avatar_url: string | null;
  base_color: string | null;
  accent_color: string | null;
}

/** Everything a send needs to know about its sender, in one query (the send path is hot). */
export async function senderContext(
  db: Db,
  conversationId: string,
  userId: string,
): Promise<SenderRow | undefined> {
  const row = await db
    .selectFrom('conversation_members as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select((eb) => [
      'm.conversation_id',
      'c.type',
      'm.status',
      'm.muted',
      'u.username',
      'u.display_name',
      'u.avatar_url',
      'u.base_color',
      'u.accent_color',
      eb
        .exists(
          eb
            .selectFrom('conversation_members as o')
            .innerJoin('user_blocks as b', (j) =>
              j.on((x) =>
                x.or([
                  x.and([x('b.blocker_id', '=', userId), x('b.blocked_id', '=', x.ref('o.user_id'))]),
                  x.and([x('b.blocker_id', '=', x.ref('o.user_id')), x('b.blocked_id', '=', userId)]),
                ]),
              ),
            )
            .select('o.user_id')
            .whereRef('o.conversation_id', '=', 'c.id')
            .where('o.user_id', '!=', userId)
            .where('c.type', '=', 'dm'),
        )
        .as('blocked'),
    ])
    .where('m.conversation_id', '=', conversationId)
    .where('m.user_id', '=', userId)
    .executeTakeFirst();
  return row && { ...row, blocked: Boolean(row.blocked) };
}

export interface ConversationRow {
  id: string;
  type: ConversationType;
  name: string | null;
  created_by: string | null;
  last_message_id: string | null;
  last_message_at: Date | null;
  created_at: Date;
  updated_at: Date;
  status: MemberStatus;
  muted: boolean;
  last_read_id: string;
}

/** The user's conversations in the given member states, most recently active first. */
export async function conversationsOf(
  db: Db,
  userId: string,
  statuses: MemberStatus[],
  ids?: string[],
): Promise<ConversationRow[]> {
  let q = db
    .selectFrom('conversation_members as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select([
      'c.id',
      'c.type',
      'c.name',
      'c.created_by',
      'c.last_message_id',
      'c.last_message_at',
      'c.created_at',
      'c.updated_at',
      'm.status',
      'm.muted',
      'm.last_read_id',
    ])
    .where('m.user_id', '=', userId)
    .where('m.status', 'in', statuses);
  if (ids) q = q.where('c.id', 'in', ids.length ? ids : ['0']);
  return q
    .orderBy(sql`coalesce(c.last_message_at, c.created_at)`, 'desc')
    .orderBy('c.id', 'desc')
    .limit(500)
    .execute();
}

export async function membersOf(db: Db, conversationIds: string[]) {
  if (conversationIds.length === 0) return [];
  return db
    .selectFrom('conversation_members')
    .select(['conversation_id', 'user_id', 'status', 'joined_at'])
    .where('conversation_id', 'in', conversationIds)
    .orderBy('joined_at')
    .orderBy('user_id')
    .execute();
}

/** DM unread counts per accepted, unmuted conversation (spec: muted ones are excluded). */
export async function unreadCounts(
  db: Db,
  userId: string,
): Promise<Array<{ conversation_id: string; unread: number }>> {
  const rows = await db
    .selectFrom('conversation_members as m')
    .innerJoin('dm_messages as d', (j) =>
      j
        .onRef('d.conversation_id', '=', 'm.conversation_id')
        .on((eb) => eb('d.id', '>', eb.ref('m.last_read_id'))),
    )
    .select(['m.conversation_id', (eb) => eb.fn.countAll<string>().as('unread')])
    .where('m.user_id', '=', userId)
    .where('m.status', '=', 'accepted')
    .where('m.muted', '=', false)
    .where((eb) => eb.or([eb('d.author_id', 'is', null), eb('d.author_id', '!=', userId)]))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('user_blocks as b')
            .select('b.blocked_id')
            .where('b.blocker_id', '=', userId)
            .whereRef('b.blocked_id', '=', 'd.author_id'),
        ),
      ),
    )
    .groupBy('m.conversation_id')
    .execute();
  return rows.map((r) => ({ conversation_id: r.conversation_id, unread: Number(r.unread) }));
}

export async function deleteConversationRows(db: Db, id: string): Promise<void> {
  await db.deleteFrom('conversations').where('id', '=', id).execute();
}

/** 1:1 conversations of a pair where one side has a pending request. */
export async function pendingBetween(
  db: Db,
  a: string,
  b: string,
): Promise<Array<{ id: string; pendingUser: string }>> {
  const rows = await db
    .selectFrom('conversations as c')
    .innerJoin('conversation_members as m', 'm.conversation_id', 'c.id')
    .select(['c.id', 'm.user_id'])
    .where('c.pair_key', '=', pairKey(a, b))
    .where('m.status', '=', 'pending')
    .execute();
  return rows.map((r) => ({ id: r.id, pendingUser: r.user_id }));
}

export async function declineInProjection(db: Db, conversationId: string, userId: string): Promise<void> {
  await db
    .updateTable('conversation_members')
    .set({ status: 'declined' })
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .where('status', '=', 'pending')
    .execute();
}

// ---- facts from other features ----

/** Pairs (blocker, blocked) among these users. */
export async function blocksAmong(
  db: Db,
  userIds: string[],
): Promise<Array<{ blocker_id: string; blocked_id: string }>> {
  if (userIds.length < 2) return [];
  return db
    .selectFrom('user_blocks')
    .select(['blocker_id', 'blocked_id'])
    .where('blocker_id', 'in', userIds)
    .where('blocked_id', 'in', userIds)
    .execute();
}

export type MsgPolicy = 'accept_all' | 'require_approval' | 'dont_allow';

export async function privacyOf(db: Db, userIds: string[]) {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('users as u')
    .leftJoin('user_preferences as p', 'p.user_id', 'u.id')
    .select([
      'u.id',
      'p.msg_privacy_all',
      'p.msg_privacy_followed',
      'p.msg_privacy_spaces',
      'p.msg_privacy_group_dm',
    ])
    .where('u.id', 'in', userIds)
    .execute();
}

/** Does `follower` follow `followee` (accepted)? */
export async function follows(db: Db, follower: string, followee: string): Promise<boolean> {
  const row = await db
    .selectFrom('follows')
    .select('status')
    .where('follower_id', '=', follower)
    .where('followee_id', '=', followee)
    .where('status', '=', 'accepted')
    .executeTakeFirst();
  return row !== undefined;
}

export interface ProfileRow {
  id: string;
  username: string;
  display_name: string;
  avatar_url: string | null;
  base_color: string | null;
  accent_color: string | null;
}

export async function profiles(db: Db, userIds: string[]): Promise<Map<string, ProfileRow>> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'username', 'display_name', 'avatar_url', 'base_color', 'accent_color'])
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}
