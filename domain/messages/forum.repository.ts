/** Forum threads (spec "Forum Threads"): the thread rows and their DTO (with the opening post). */
import { sql } from 'kysely';
import type { Db } from '../../engine/db/index.ts';

export interface ThreadDto {
  id: string;
  channelId: string;
  spaceId: string;
  title: string;
  authorId: string | null;
  author: { id: string; username: string; displayName: string; avatarUrl: string | null } | null;
  isPinned: boolean;
  isLocked: boolean;
  postCount: number;
  /** The opening post's content. */
  content: string | null;
  lastPostAt: string;
  createdAt: string;
  updatedAt: string;
}

function threadSelect(db: Db) {
  return db
    .selectFrom('forum_threads as t')
    .leftJoin('users as u', 'u.id', 't.author_id')
    .select([
      't.id',
      't.channel_id',
      't.space_id',
      't.title',
      't.author_id',
      't.is_pinned',
      't.is_locked',
      't.post_count',
      't.last_post_at',
      't.created_at',
      't.updated_at',
      'u.username',
      'u.display_name',
      'u.avatar_url',
      sql<
        string | null
      >`(select m.content from messages m where m.thread_id = t.id order by m.id limit 1)`.as('content'),
    ]);
}
type Row = Awaited<ReturnType<ReturnType<typeof threadSelect>['executeTakeFirstOrThrow']>>;

function toThread(r: Row): ThreadDto {
  return {
    id: r.id,
    channelId: r.channel_id,
    spaceId: r.space_id,
    title: r.title,
    authorId: r.author_id,
    author:
      r.author_id && r.username !== null
        ? {
            id: r.author_id,
            username: r.username,
            displayName: r.display_name ?? r.username,
            avatarUrl: r.avatar_url,
          }
        : null,
    isPinned: r.is_pinned,
    isLocked: r.is_locked,
    postCount: r.post_count,
    content: r.content,
    lastPostAt: r.last_post_at.toISOString(),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export async function loadThreadDto(db: Db, threadId: string): Promise<ThreadDto | null> {
  const r = await threadSelect(db).where('t.id', '=', threadId).executeTakeFirst();
  return r ? toThread(r) : null;
}

export type ThreadSort = 'latest' | 'newest' | 'oldest' | 'popular';

/**
 * Threads of a forum channel: pinned first, then by `sort` (latest activity, newest, oldest, most
 * posts). `before` is a thread id cursor for the newest/oldest orders and for latest (by id as tiebreak).
 */
export async function listThreads(
  db: Db,
  channelId: string,
  opts: { before?: string | undefined; limit: number; sort: ThreadSort },
): Promise<ThreadDto[]> {
  let q = threadSelect(db).where('t.channel_id', '=', channelId).orderBy('t.is_pinned', 'desc');
  if (opts.before !== undefined) {
    const cur = await db
      .selectFrom('forum_threads')
      .select(['id', 'last_post_at', 'post_count'])
      .where('id', '=', opts.before)
      .executeTakeFirst();
    if (cur) {
      if (opts.sort === 'oldest') q = q.where('t.id', '>', cur.id);
      else if (opts.sort === 'newest') q = q.where('t.id', '<', cur.id);
      else if (opts.sort === 'popular')
        q = q.where((eb) =>
          eb.or([
            eb('t.post_count', '<', cur.post_count),
            eb.and([eb('t.post_count', '=', cur.post_count), eb('t.id', '<', cur.id)]),
          ]),
        );
      else
        q = q.where((eb) =>
          eb.or([
            eb('t.last_post_at', '<', cur.last_post_at),
            eb.and([eb('t.last_post_at', '=', cur.last_post_at), eb('t.id', '<', cur.id)]),
          ]),
        );
    }
  }
  if (opts.sort === 'oldest') q = q.orderBy('t.id', 'asc');
  else if (opts.sort === 'newest') q = q.orderBy('t.id', 'desc');
  else if (opts.sort === 'popular') q = q.orderBy('t.post_count', 'desc').orderBy('t.id', 'desc');
  else q = q.orderBy('t.last_post_at', 'desc').orderBy('t.id', 'desc');
  const rows = await q.limit(opts.limit).execute();
  return rows.map(toThread);
}
