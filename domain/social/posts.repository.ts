/** Kysely queries over posts and what hangs off them. Rows in, rows out. */
import { createHash } from 'node:crypto';
import { CompiledQuery, sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import type { AttachmentKind, PostVisibility } from './tables.ts';
import type { AttachmentRow, PostRow } from './posts.schema.ts';
import type { UserSummaryRow } from './follows.repository.ts';
import {
  blockedBy,
  feedByAuthorQuery,
  feedWindowQuery,
  visiblePosts,
  type FeedPage,
  type FeedSources,
} from './visibility.ts';
import './tables.ts';

export interface NewAttachment {
  id: string;
  kind: AttachmentKind;
  itemId: string | null;
  url: string;
  filename: string;
  mimeType: string;
  size: number;
}

export interface NewPost {
  id: string;
  authorId: string;
  spaceId: string | null;
  body: string;
  visibility: PostVisibility;
  repostOfId: string | null;
  createdAt: Date;
  attachments: NewAttachment[];
  taggedUserIds: string[];
  hashtags: string[];
}

export async function insertPost(trx: Db, p: NewPost): Promise<void> {
  await trx
    .insertInto('posts')
    .values({
      id: p.id,
      author_id: p.authorId,
      space_id: p.spaceId,
      body: p.body,
      visibility: p.visibility,
      repost_of_id: p.repostOfId,
      created_at: p.createdAt,
    })
    .execute();
  if (p.attachments.length)
    await trx
      .insertInto('post_attachments')
      .values(
        p.attachments.map((a, i) => ({
          id: a.id,
          post_id: p.id,
          kind: a.kind,
          item_id: a.itemId,
          url: a.url,
          filename: a.filename,
          mime_type: a.mimeType,
          size: String(a.size),
          position: i,
        })),
      )
      .execute();
  if (p.taggedUserIds.length)
    await trx
      .insertInto('post_tags')
      .values(p.taggedUserIds.map((u) => ({ post_id: p.id, user_id: u })))
      .execute();
  await replaceHashtags(trx, p.id, p.hashtags);
}

export async function replaceHashtags(trx: Db, postId: string, tags: string[]): Promise<void> {
  await trx.deleteFrom('post_hashtags').where('post_id', '=', postId).execute();
  if (tags.length)
    await trx
      .insertInto('post_hashtags')
      .values(tags.map((tag) => ({ tag, post_id: postId })))
      .execute();
}

export function getPost(db: Db, id: string): Promise<PostRow | undefined> {
  return db.selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirst();
}

export function postsByIds(db: Db, ids: readonly string[]): Promise<PostRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('posts')
    .selectAll()
    .where('id', 'in', [...new Set(ids)])
    .execute();
}

export async function updatePost(
  db: Db,
  id: string,
  set: { body?: string; visibility?: PostVisibility; edited_at: Date },
): Promise<void> {
  await db.updateTable('posts').set(set).where('id', '=', id).execute();
}

export async function deletePost(db: Db, id: string): Promise<void> {
  await db.deleteFrom('posts').where('id', '=', id).execute();
}

/** Pins `postId`, unpinning the author's other post in the same transaction. */
export async function pin(trx: Db, authorId: string, postId: string, at: Date): Promise<void> {
  await trx
    .updateTable('posts')
    .set({ pinned_at: null })
    .where('author_id', '=', authorId)
    .where('pinned_at', 'is not', null)
    .where('id', '!=', postId)
    .execute();
  await trx
    .updateTable('posts')
    .set({ pinned_at: at })
    .where('id', '=', postId)
    .where('pinned_at', 'is', null)
    .execute();
}

export async function unpin(db: Db, postId: string): Promise<void> {
  await db.updateTable('posts').set({ pinned_at: null }).where('id', '=', postId).execute();
}

/** Reposts the user made since `since` (the repost limits). */
export async function countRepostsSince(db: Db, authorId: string, since: Date): Promise<number> {
  const r = await db
    .selectFrom('posts')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('author_id', '=', authorId)
    .where('repost_of_id', 'is not', null)
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The oldest of the user's reposts since `since` (when the window frees a slot). */
export async function oldestRepostSince(db: Db, authorId: string, since: Date): Promise<Date | null> {
  const r = await db
    .selectFrom('posts')
    .select('created_at')
    .where('author_id', '=', authorId)
    .where('repost_of_id', 'is not', null)
    .where('created_at', '>', since)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
  return r?.created_at ?? null;
}

/** A page of a post query (posts as p, the original as o), newest first (keyset on id). */
export function pageOf(
  base: ReturnType<typeof visiblePosts>,
  page: { before?: string | undefined; limit: number },
): Promise<PostRow[]> {
  let q = base.selectAll('p');
  if (page.before) q = q.where('p.id', '<', page.before);
  return q.orderBy('p.id', 'desc').limit(page.limit).execute();
}

/** Posts the feed's first strategy reads per post of the page before it gives way to the second. */
export const FEED_WINDOW_PER_POST = 50;

/** Which feed query to run: `auto` (the window, then by author when it falls short) or one of them. */
export type FeedStrategy = 'auto' | 'window' | 'authors';

/** The feed's sources of a viewer (feed.service's `feedSources`, over one spaces adapter). */
export type FeedSourcesOf = (viewerId: string) => FeedSources;

/**
 * A page of the feed (visibility.ts's two feed queries, same answers): the newest posts below the
 * cursor scanned in a window of `limit × FEED_WINDOW_PER_POST` (one query, cheap when the viewer's
 * follows write a good share of all posts, whatever their number); when that window holds fewer
 * than `limit` of the viewer's posts, the per-followee query (cheap when follows are few or quiet).
 */
export async function feedPage(
  db: Db,
  viewerId: string,
  sources: FeedSourcesOf,
  page: FeedPage,
  strategy: FeedStrategy = 'auto',
): Promise<PostRow[]> {
  if (strategy !== 'authors') {
    const window = strategy === 'window' ? 2 ** 31 - 1 : page.limit * FEED_WINDOW_PER_POST;
    const rows = await executePrepared(
      db,
      feedStatement(db, sources, 'window', page, window),
      viewerId,
      page,
    );
    if (rows.length === page.limit || strategy === 'window') return rows;
  }
  return executePrepared(db, feedStatement(db, sources, 'authors', page, 0), viewerId, page);
}

/** Stand-ins for the viewer and the cursor in a feed query compiled once per shape. */
const VIEWER = '\0viewer';
const BEFORE = '\0before';

interface Statement {
  /** reef_feed_<hash of the text>: its name as a prepared statement. */
  name: string;
  query: CompiledQuery<PostRow>;
}

/** Feed queries compiled per sources and shape (strategy, limit, window, first page or not). */
const statements = new WeakMap<FeedSourcesOf, Map<string, Statement>>();

/**
 * The feed query of this shape, compiled once: its text does not depend on the viewer or the
 * cursor, which are parameters (bound per page by `executePrepared`).
 */
function feedStatement(
  db: Db,
  sources: FeedSourcesOf,
  kind: 'window' | 'authors',
  page: FeedPage,
  window: number,
): Statement {
  let shapes = statements.get(sources);
  if (!shapes) statements.set(sources, (shapes = new Map()));
  const key = `${kind}:${page.limit}:${window}:${page.before ? 'before' : 'first'}`;
  let st = shapes.get(key);
  if (!st) {
    const p = { before: page.before ? BEFORE : undefined, limit: page.limit };
    const built =
      kind === 'window'
        ? feedWindowQuery(VIEWER, sources(VIEWER), p, window)
        : feedByAuthorQuery(VIEWER, sources(VIEWER), p);
    const query = built.compile(db);
    const hash = createHash('sha1').update(query.sql).digest('hex').slice(0, 24);
    st = { name: `reef_feed_${hash}`, query };
    shapes.set(key, st);
  }
  return st;
}

/** SQLSTATE 26000: the prepared statement does not exist (on this connection). */
const NO_SUCH_STATEMENT = '26000';
/** SQLSTATE 0A000 on EXECUTE: "cached plan must not change result type" (posts gained a column). */
const STALE_STATEMENT = '0A000';

/** A parameter EXECUTE can take as a literal: ids, visibility levels, counts. */
const PLAIN = /^[A-Za-z0-9_-]*$/;

/**
 * Runs a feed statement for `viewerId` and the page's cursor as a prepared statement of the
 * connection (PREPARE once per connection, then EXECUTE). The feed's queries are planned in about
 * as long as they run (a dozen subplans); after five executions PostgreSQL keeps a generic plan
 * and a page costs its execution only. EXECUTE takes no bind parameters, so the values go in as
 * quoted literals: only plain ones (ids, levels); anything else, or inside a transaction (one
 * connection already held, where a failed EXECUTE would abort it), runs the query as is. A
 * statement prepared before posts gained a column is prepared again.
 */
async function executePrepared(db: Db, st: Statement, viewerId: string, page: FeedPage): Promise<PostRow[]> {
  const values = st.query.parameters.map((p) =>
    p === VIEWER ? viewerId : p === BEFORE ? page.before : typeof p === 'number' ? String(p) : p,
  );
  if (db.isTransaction || !values.every((v): v is string => typeof v === 'string' && PLAIN.test(v)))
    return (await db.executeQuery(CompiledQuery.raw(st.query.sql, values) as CompiledQuery<PostRow>)).rows;
  const execute = CompiledQuery.raw(
    `execute ${st.name}${values.length ? `(${values.map((v) => `'${v}'`).join(', ')})` : ''}`,
  ) as CompiledQuery<PostRow>;
  return db.connection().execute(async (conn) => {
    try {
      return (await conn.executeQuery(execute)).rows;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === STALE_STATEMENT) await conn.executeQuery(CompiledQuery.raw(`deallocate ${st.name}`));
      else if (code !== NO_SUCH_STATEMENT) throw err;
      await conn.executeQuery(CompiledQuery.raw(`prepare ${st.name} as ${st.query.sql}`));
      return (await conn.executeQuery(execute)).rows;
    }
  });
}

/** A page of the posts visible to the viewer that also match `where`. */
export function pageOfVisiblePosts(
  db: Db,
  viewerId: string,
  where: Expression<SqlBool>,
  page: { before?: string | undefined; limit: number },
): Promise<PostRow[]> {
  return pageOf(visiblePosts(db, viewerId).where(where), page);
}

// ---- batch loaders for the presenter ----

export function attachmentsOf(db: Db, postIds: readonly string[]): Promise<AttachmentRow[]> {
  if (postIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('post_attachments')
    .selectAll()
    .where('post_id', 'in', [...postIds])
    .orderBy('post_id')
    .orderBy('position')
    .execute();
}

export function tagsOf(
  db: Db,
  postIds: readonly string[],
): Promise<Array<UserSummaryRow & { post_id: string }>> {
  if (postIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('post_tags as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select([
      't.post_id',
      'u.id',
      'u.username',
      'u.display_name',
      'u.avatar_url',
      'u.base_color',
      'u.accent_color',
    ])
    .where('t.post_id', 'in', [...postIds])
    .orderBy('u.username_lower')
    .execute();
}

export function hashtagsOf(
  db: Db,
  postIds: readonly string[],
): Promise<Array<{ post_id: string; tag: string }>> {
  if (postIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('post_hashtags')
    .select(['post_id', 'tag'])
    .where('post_id', 'in', [...postIds])
    .orderBy('tag')
    .execute();
}

export async function reactionsOf(
  db: Db,
  postIds: readonly string[],
  viewerId: string,
): Promise<Array<{ post_id: string; emoji: string; count: number; reacted: boolean }>> {
  if (postIds.length === 0) return [];
  const r = await sql<{ post_id: string; emoji: string; count: string; reacted: boolean }>`
    select post_id, emoji, count(*) as count, bool_or(user_id = ${viewerId}) as reacted
    from post_reactions where post_id = any(${[...postIds]}::bigint[])
    group by post_id, emoji order by post_id, min(created_at), emoji`.execute(db);
  return r.rows.map((x) => ({ ...x, count: Number(x.count) }));
}

/** Per post: comments (excluding those by users blocked either way with the viewer) and reposts. */
export async function countsOf(
  db: Db,
  postIds: readonly string[],
  viewerId: string,
): Promise<Map<string, { comments: number; reposts: number }>> {
  const out = new Map<string, { comments: number; reposts: number }>();
  if (postIds.length === 0) return out;
  const r = await sql<{ id: string; comments: string; reposts: string }>`
    select x.id,
      (select count(*) from post_comments c where c.post_id = x.id
        and c.author_id not in (${blockedBy(viewerId)})) as comments,
      (select count(*) from posts r where r.repost_of_id = x.id) as reposts
    from unnest(${[...postIds]}::bigint[]) as x(id)`.execute(db);
  for (const row of r.rows)
    out.set(String(row.id), { comments: Number(row.comments), reposts: Number(row.reposts) });
  return out;
}
