/** Kysely queries over messages, mentions and reactions. Rows in, rows (or DTOs) out. */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import type { AuthorRef, ReplyRef } from '../../actors/space/space.events.ts';
import type { WriteJob } from '../../actors/space/space.writer.ts';
import type { MessageDto, ReactionDto } from './messages.schema.ts';

/**
 * The space actor's inline write (engine/actors InlineWrites): sent messages as statements that run
 * inside the commit that accepts them, every row conditioned on `fenced`. Sibling CTEs share one
 * snapshot, so mentions and thread counts are taken from the batch itself (a message whose channel
 * is gone is skipped, and so are its mentions).
 */
export function inlineInsert(jobs: WriteJob[], fenced: RawBuilder<boolean>): RawBuilder<unknown>[] {
  if (jobs.length === 0) return [];
  const rows = jobs.map(({ message: m }) => ({
    id: m.id,
    space_id: m.spaceId,
    channel_id: m.channelId,
    author_id: m.authorId,
    type: m.type,
    content: m.content,
    reply_to_id: m.replyToId,
    thread_id: m.threadId,
    attachments: m.attachments,
    created_at: m.createdAt,
  }));
  const mentions = jobs.flatMap(({ message: m }) =>
    m.mentions.map((u) => ({ user_id: u, channel_id: m.channelId, message_id: m.id })),
  );
  const threads = new Map<string, { thread_id: string; n: number; last: number }>();
  for (const { message: m } of jobs) {
    if (!m.threadId) continue;
    const t = threads.get(m.threadId) ?? { thread_id: m.threadId, n: 0, last: 0 };
    t.n++;
    t.last = Math.max(t.last, m.createdAt);
    threads.set(m.threadId, t);
  }
  const out: RawBuilder<unknown>[] = [
    sql`insert into messages (id, space_id, channel_id, author_id, type, content, reply_to_id, thread_id, attachments, created_at)
      select x.id, x.space_id, x.channel_id, x.author_id, x.type, x.content, x.reply_to_id, x.thread_id, x.attachments,
        to_timestamp(x.created_at / 1000.0)
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id bigint, space_id bigint, channel_id bigint,
        author_id bigint, type text, content text, reply_to_id bigint, thread_id bigint, attachments jsonb, created_at bigint)
      where ${fenced} and exists (select 1 from channels c where c.id = x.channel_id)
      on conflict (id) do nothing`,
  ];
  if (mentions.length)
    out.push(sql`insert into message_mentions (user_id, channel_id, message_id)
      select x.user_id, x.channel_id, x.message_id
      from jsonb_to_recordset(${JSON.stringify(mentions)}::jsonb) as x(user_id bigint, channel_id bigint, message_id bigint)
      where ${fenced} and exists (select 1 from channels c where c.id = x.channel_id)
        and exists (select 1 from users u where u.id = x.user_id)
      on conflict do nothing`);
  if (threads.size)
    out.push(sql`update forum_threads t set post_count = t.post_count + c.n,
        last_post_at = greatest(t.last_post_at, to_timestamp(c.last / 1000.0))
      from jsonb_to_recordset(${JSON.stringify([...threads.values()])}::jsonb) as c(thread_id bigint, n int, last bigint)
      where t.id = c.thread_id and ${fenced}`);
  return out;
}

/**
 * The writer's batch: messages, their mentions and forum thread counters in ONE statement (one round
 * trip, atomic). Rows whose channel was deleted meanwhile are skipped rather than failing the batch;
 * ids already present (a redelivered effect) are skipped and not returned.
 */
export async function insertBatch(db: Db, jobs: WriteJob[]): Promise<Set<string>> {
  const rows = jobs.map(({ message: m }) => ({
    id: m.id,
    space_id: m.spaceId,
    channel_id: m.channelId,
    author_id: m.authorId,
    type: m.type,
    content: m.content,
    reply_to_id: m.replyToId,
    thread_id: m.threadId,
    attachments: m.attachments,
    created_at: m.createdAt,
  }));
  const mentions = jobs.flatMap(({ message: m }) =>
    m.mentions.map((u) => ({ user_id: u, channel_id: m.channelId, message_id: m.id })),
  );
  const r = await sql<{ id: string }>`
    with m as (
      insert into messages (id, space_id, channel_id, author_id, type, content, reply_to_id, thread_id, attachments, created_at)
      select x.id, x.space_id, x.channel_id, x.author_id, x.type, x.content, x.reply_to_id, x.thread_id, x.attachments,
        to_timestamp(x.created_at / 1000.0)
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id bigint, space_id bigint, channel_id bigint,
        author_id bigint, type text, content text, reply_to_id bigint, thread_id bigint, attachments jsonb, created_at bigint)
      where exists (select 1 from channels c where c.id = x.channel_id)
      on conflict (id) do nothing
      returning id, thread_id, created_at
    ),
    mm as (
      insert into message_mentions (user_id, channel_id, message_id)
      select x.user_id, x.channel_id, x.message_id
      from jsonb_to_recordset(${JSON.stringify(mentions)}::jsonb) as x(user_id bigint, channel_id bigint, message_id bigint)
      where x.message_id in (select id from m)
      on conflict do nothing
    ),
    th as (
      update forum_threads t set post_count = t.post_count + c.n, last_post_at = greatest(t.last_post_at, c.last)
      from (select thread_id, count(*)::int as n, max(created_at) as last from m where thread_id is not null group by thread_id) c
      where t.id = c.thread_id
    )
    select id::text as id from m`.execute(db);
  return new Set(r.rows.map((x) => x.id));
}

/** The message select with its author, shared by every listing. */
export function messageSelect(db: Db) {
  return db
    .selectFrom('messages as m')
    .leftJoin('users as u', 'u.id', 'm.author_id')
    .select([
      'm.id',
      'm.space_id',
      'm.channel_id',
      'm.author_id',
      'm.type',
      'm.content',
      'm.reply_to_id',
      'm.thread_id',
      'm.attachments',
      'm.pinned_at',
      'm.edited_at',
      'm.created_at',
      'u.username',
      'u.display_name',
      'u.avatar_url',
    ]);
}
type MessageSelect = ReturnType<typeof messageSelect>;
export type MessageJoinRow = Awaited<ReturnType<MessageSelect['executeTakeFirstOrThrow']>>;

/** Messages whose author the viewer has blocked are left out (spec "Block Filtering"). */
export function notBlockedBy<Q extends MessageSelect>(q: Q, viewerId: string): Q {
  return q.where(({ not, exists, selectFrom }) =>
    not(
      exists(
        selectFrom('user_blocks as b')
          .select('b.blocked_id')
          .where('b.blocker_id', '=', viewerId)
          .whereRef('b.blocked_id', '=', 'm.author_id'),
      ),
    ),
  ) as Q;
}

export function authorOf(r: MessageJoinRow): AuthorRef | null {
  if (!r.author_id || r.username === null) return null;
  return {
    id: r.author_id,
    username: r.username,
    displayName: r.display_name ?? r.username,
    avatarUrl: r.avatar_url,
  };
}

export async function reactionsOf(
  db: Db,
  ids: string[],
  viewerId: string | null,
): Promise<Map<string, ReactionDto[]>> {
  const out = new Map<string, ReactionDto[]>();
  if (!ids.length) return out;
  const rows = await db
    .selectFrom('message_reactions')
    .select(['message_id', 'emoji', 'user_id'])
    .where('message_id', 'in', ids)
    .orderBy('created_at')
    .execute();
  for (const r of rows) {
    let list = out.get(r.message_id);
    if (!list) out.set(r.message_id, (list = []));
    let e = list.find((x) => x.emoji === r.emoji);
    if (!e) list.push((e = { emoji: r.emoji, count: 0, userIds: [], ...(viewerId ? { me: false } : {}) }));
    e.count++;
    e.userIds.push(r.user_id);
    if (viewerId && r.user_id === viewerId) e.me = true;
  }
  return out;
}

export async function replyRefs(db: Db, ids: string[]): Promise<Map<string, ReplyRef>> {
  const out = new Map<string, ReplyRef>();
  if (!ids.length) return out;
  const rows = await messageSelect(db).where('m.id', 'in', ids).execute();
  for (const r of rows) {
    const a = authorOf(r);
    out.set(r.id, {
      id: r.id,
      content: r.content,
      author: a ? { id: a.id, username: a.username, displayName: a.displayName } : null,
    });
  }
  return out;
}

/** Rows → DTOs, with reactions and reply targets in two more reads. */
export async function toDtos(db: Db, rows: MessageJoinRow[], viewerId: string | null): Promise<MessageDto[]> {
  const ids = rows.map((r) => r.id);
  const replyIds = [...new Set(rows.map((r) => r.reply_to_id).filter((x): x is string => x !== null))];
  const [reactions, replies] = await Promise.all([reactionsOf(db, ids, viewerId), replyRefs(db, replyIds)]);
  return rows.map((r) => ({
    id: r.id,
    channelId: r.channel_id,
    spaceId: r.space_id,
    authorId: r.author_id,
    author: authorOf(r),
    type: r.type,
    content: r.content,
    replyToId: r.reply_to_id,
    replyTo: r.reply_to_id ? (replies.get(r.reply_to_id) ?? null) : null,
    threadId: r.thread_id,
    attachments: r.attachments,
    reactions: reactions.get(r.id) ?? [],
    pinned: r.pinned_at !== null,
    pinnedAt: r.pinned_at ? r.pinned_at.toISOString() : null,
    editedAt: r.edited_at ? r.edited_at.toISOString() : null,
    createdAt: r.created_at.toISOString(),
  }));
}

/** Cursor page of a channel's messages: newest first with `before`/no cursor, ascending with `after`. */
export async function listChannel(
  db: Db,
  channelId: string,
  viewerId: string,
  page: { before?: string | undefined; after?: string | undefined; limit: number },
): Promise<MessageDto[]> {
  let q = notBlockedBy(
    messageSelect(db).where('m.channel_id', '=', channelId).where('m.thread_id', 'is', null),
    viewerId,
  );
  if (page.after !== undefined) q = q.where('m.id', '>', page.after).orderBy('m.id', 'asc');
  else {
    if (page.before !== undefined) q = q.where('m.id', '<', page.before);
    q = q.orderBy('m.id', 'desc');
  }
  const rows = await q.limit(page.limit).execute();
  return toDtos(db, rows, viewerId);
}

export async function findMessage(db: Db, id: string): Promise<MessageJoinRow | undefined> {
  return messageSelect(db).where('m.id', '=', id).executeTakeFirst();
}
