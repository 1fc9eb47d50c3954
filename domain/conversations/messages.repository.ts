/** DM message rows (dm_messages, dm_reactions). */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import type { PendingMessage } from '../../actors/conversation/conversation.events.ts';
import type { StoredAttachment } from './tables.ts';
import './tables.ts';

export interface MessageRow {
  id: string;
  conversation_id: string;
  author_id: string | null;
  content: string;
  attachments: StoredAttachment[];
  edited_at: Date | null;
  created_at: Date;
}

const COLUMNS = [
  'id',
  'conversation_id',
  'author_id',
  'content',
  'attachments',
  'edited_at',
  'created_at',
] as const;

/**
 * The conversation actor's inline write (engine/actors InlineWrites): the messages a commit accepted,
 * as statements that run inside that commit statement, every row conditioned on `fenced`. One insert
 * for all of them (idempotent: existing ids are skipped) and the conversations' last message, which
 * only moves forward.
 */
export function inlineInsert(
  batches: Array<{ conversationId: string; messages: PendingMessage[] }>,
  fenced: RawBuilder<boolean>,
): RawBuilder<unknown>[] {
  const rows: Array<{ id: string; c: string; a: string; t: string; f: unknown; at: number }> = [];
  const last = new Map<string, { c: string; id: string; at: number }>();
  for (const b of batches)
    for (const m of b.messages) {
      rows.push({
        id: m.id,
        c: b.conversationId,
        a: m.authorId,
        t: m.content,
        f: m.attachments,
        at: m.createdAt,
      });
      const cur = last.get(b.conversationId);
      if (!cur || BigInt(cur.id) < BigInt(m.id))
        last.set(b.conversationId, { c: b.conversationId, id: m.id, at: m.createdAt });
    }
  if (rows.length === 0) return [];
  const ts = (col: string) => sql`(timestamptz 'epoch' + ${sql.ref(col)} * interval '1 millisecond')`;
  return [
    sql`insert into dm_messages (id, conversation_id, author_id, content, attachments, created_at)
      select m.id, m.c, m.a, m.t, m.f, ${ts('m.at')}
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as m(id bigint, c bigint, a bigint, t text, f jsonb, at bigint)
      where ${fenced}
      on conflict (id) do nothing`,
    sql`update conversations set last_message_id = l.id, last_message_at = ${ts('l.at')}
      from jsonb_to_recordset(${JSON.stringify([...last.values()])}::jsonb) as l(c bigint, id bigint, at bigint)
      where conversations.id = l.c and ${fenced}
        and (conversations.last_message_id is null or conversations.last_message_id < l.id)`,
  ];
}

/**
 * One write for a whole batch (the group commit), idempotent: a repeated batch inserts nothing new.
 * Returns the ids this call inserted. The conversation's last message moves forward only.
 */
export async function insertBatch(
  db: Db,
  conversationId: string,
  batch: PendingMessage[],
): Promise<string[]> {
  const last = batch[batch.length - 1];
  if (!last) return [];
  // One statement (one round trip, atomic): the insert and the conversation's last message.
  const rows = await db
    .with('ins', (qb) =>
      qb
        .insertInto('dm_messages')
        .values(
          batch.map((m) => ({
            id: m.id,
            conversation_id: conversationId,
            author_id: m.authorId,
            content: m.content,
            attachments: JSON.stringify(m.attachments),
            created_at: new Date(m.createdAt),
          })),
        )
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id'),
    )
    .with('upd', (qb) =>
      qb
        .updateTable('conversations')
        .set({ last_message_id: last.id, last_message_at: new Date(last.createdAt) })
        .where('id', '=', conversationId)
        .where((eb) => eb.or([eb('last_message_id', 'is', null), eb('last_message_id', '<', last.id)]))
        .returning('id'),
    )
    .selectFrom('ins')
    .select('ins.id')
    .execute();
  return rows.map((r) => r.id);
}

export interface Page {
  before?: string | undefined;
  after?: string | undefined;
  limit: number;
}

/**
 * A page of a conversation's messages, without those whose author the viewer blocked (spec "Block
 * Filtering"). `before` (default): newest first; `after`: oldest first.
 */
export async function pageOf(
  db: Db,
  conversationId: string,
  viewerId: string,
  page: Page,
): Promise<MessageRow[]> {
  let q = db
    .selectFrom('dm_messages as d')
    .select(COLUMNS.map((c) => `d.${c}` as const))
    .where('d.conversation_id', '=', conversationId)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('user_blocks as b')
            .select('b.blocked_id')
            .where('b.blocker_id', '=', viewerId)
            .whereRef('b.blocked_id', '=', 'd.author_id'),
        ),
      ),
    );
  if (page.after) return q.where('d.id', '>', page.after).orderBy('d.id', 'asc').limit(page.limit).execute();
  if (page.before) q = q.where('d.id', '<', page.before);
  return q.orderBy('d.id', 'desc').limit(page.limit).execute();
}

export async function messageById(db: Db, id: string): Promise<MessageRow | undefined> {
  return db.selectFrom('dm_messages').select(COLUMNS).where('id', '=', id).executeTakeFirst();
}

export async function messagesByIds(db: Db, ids: string[]): Promise<MessageRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('dm_messages').select(COLUMNS).where('id', 'in', ids).orderBy('id').execute();
}

export async function editMessage(db: Db, id: string, content: string, at: Date): Promise<void> {
  await db.updateTable('dm_messages').set({ content, edited_at: at }).where('id', '=', id).execute();
}

export async function setAttachments(db: Db, id: string, attachments: StoredAttachment[]): Promise<void> {
  await db
    .updateTable('dm_messages')
    .set({ attachments: JSON.stringify(attachments) })
    .where('id', '=', id)
    .execute();
}

export async function deleteMessage(db: Db, id: string): Promise<void> {
  await db.deleteFrom('dm_messages').where('id', '=', id).execute();
}

export async function addReaction(
  db: Db,
  messageId: string,
  userId: string,
  emoji: string,
  at: Date,
): Promise<void> {
  await db
    .insertInto('dm_reactions')
    .values({ message_id: messageId, user_id: userId, emoji, created_at: at })
    .onConflict((oc) => oc.columns(['message_id', 'user_id', 'emoji']).doNothing())
    .execute();
}

export async function removeReaction(
  db: Db,
  messageId: string,
  userId: string,
  emoji: string,
): Promise<void> {
  await db
    .deleteFrom('dm_reactions')
    .where('message_id', '=', messageId)
    .where('user_id', '=', userId)
    .where('emoji', '=', emoji)
    .execute();
}

export interface ReactionDto {
  emoji: string;
  count: number;
  userIds: string[];
}

/** Reactions of each message, emojis in the order they were first used. */
export async function reactionsOf(db: Db, messageIds: string[]): Promise<Map<string, ReactionDto[]>> {
  const out = new Map<string, ReactionDto[]>();
  if (messageIds.length === 0) return out;
  const rows = await db
    .selectFrom('dm_reactions')
    .select(['message_id', 'user_id', 'emoji'])
    .where('message_id', 'in', messageIds)
    .orderBy('created_at')
    .orderBy('user_id')
    .execute();
  for (const r of rows) {
    const list = out.get(r.message_id) ?? [];
    let entry = list.find((x) => x.emoji === r.emoji);
    if (!entry) list.push((entry = { emoji: r.emoji, count: 0, userIds: [] }));
    entry.count++;
    entry.userIds.push(r.user_id);
    out.set(r.message_id, list);
  }
  return out;
}
