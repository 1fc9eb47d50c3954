/** Kysely queries over post comments and reactions on posts and comments. */
import { sql, type Selectable } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import type { PostCommentsTable } from './tables.ts';
import { blockedBy } from './visibility.ts';
import './tables.ts';

export type CommentRow = Selectable<PostCommentsTable>;

export function getComment(db: Db, id: string): Promise<CommentRow | undefined> {
  return db.selectFrom('post_comments').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertComment(db: Db, c: CommentRow): Promise<void> {
  await db.insertInto('post_comments').values(c).execute();
}

export async function deleteComment(db: Db, id: string): Promise<void> {
  await db.deleteFrom('post_comments').where('id', '=', id).execute();
}

/**
 * A page of top-level comments (newest first, keyset on id) with every reply under them, minus
 * comments by users blocked either way with the viewer (and their replies).
 */
export async function commentTree(
  db: Db,
  postId: string,
  page: { before?: string | undefined; limit: number },
  viewerId: string,
): Promise<CommentRow[]> {
  const r = await sql<CommentRow>`
    with recursive top as (
      select * from post_comments
      where post_id = ${postId} and parent_id is null and author_id not in (${blockedBy(viewerId)})
        ${page.before ? sql`and id < ${page.before}` : sql``}
      order by id desc limit ${page.limit}
    ), tree as (
      select * from top
      union all
      select c.* from post_comments c join tree t on c.parent_id = t.id
      where c.author_id not in (${blockedBy(viewerId)})
    )
    select * from tree`.execute(db);
  return r.rows.map((row) => ({ ...row, id: String(row.id) }));
}

export async function addReaction(
  db: Db,
  table: 'post_reactions' | 'comment_reactions',
  targetId: string,
  userId: string,
  emoji: string,
  at: Date,
): Promise<boolean> {
  const r =
    table === 'post_reactions'
      ? await db
          .insertInto('post_reactions')
          .values({ post_id: targetId, user_id: userId, emoji, created_at: at })
          .onConflict((oc) => oc.columns(['post_id', 'emoji', 'user_id']).doNothing())
          .executeTakeFirst()
      : await db
          .insertInto('comment_reactions')
          .values({ comment_id: targetId, user_id: userId, emoji, created_at: at })
          .onConflict((oc) => oc.columns(['comment_id', 'emoji', 'user_id']).doNothing())
          .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function removeReaction(
  db: Db,
  table: 'post_reactions' | 'comment_reactions',
  targetId: string,
  userId: string,
  emoji: string,
): Promise<void> {
  if (table === 'post_reactions')
    await db
      .deleteFrom('post_reactions')
      .where('post_id', '=', targetId)
      .where('user_id', '=', userId)
      .where('emoji', '=', emoji)
      .execute();
  else
    await db
      .deleteFrom('comment_reactions')
      .where('comment_id', '=', targetId)
      .where('user_id', '=', userId)
      .where('emoji', '=', emoji)
      .execute();
}

export async function commentReactionsOf(
  db: Db,
  commentIds: readonly string[],
  viewerId: string,
): Promise<Array<{ comment_id: string; emoji: string; count: number; reacted: boolean }>> {
  if (commentIds.length === 0) return [];
  const r = await sql<{ comment_id: string; emoji: string; count: string; reacted: boolean }>`
    select comment_id, emoji, count(*) as count, bool_or(user_id = ${viewerId}) as reacted
    from comment_reactions where comment_id = any(${[...commentIds]}::bigint[])
    group by comment_id, emoji order by comment_id, min(created_at), emoji`.execute(db);
  return r.rows.map((x) => ({ ...x, count: Number(x.count) }));
}
