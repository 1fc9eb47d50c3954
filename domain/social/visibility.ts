/**
 * The one visibility policy: who may see a post (and, with their own rule tables, collections,
 * timeline events and activities). Every reader asks this module — the feed, search, single-post
 * lookups, profiles, comments, notifications, exports — in one of two forms built from the same
 * rule table:
 * - `postsVisibleTo(viewerId)`: a kysely WHERE expression, "posts visible to viewer V", for queries
 *   (`visiblePosts(db, viewerId)` is the query every post listing starts from);
 * - `canSeePost(post, relationship)`: the per-row check, for a row already loaded.
 *
 * Rules (spec "GET /follows/feed" visibility rules, "Personal Collections" → "Visibility Rules"):
 * 1. The owner sees all of their content.
 * 2. Nobody else sees anything across a block (either direction).
 * 3. Otherwise the content's visibility level lists the relationships that see it (POLICIES).
 *    For posts, `followers` means mutual follows: a one-way follower sees public posts only.
 * 4. Space-authored posts are always public (their visibility is forced to public) and belong to
 *    the space, so rule 2 does not hide them.
 * 5. A repost is visible only while its original is visible too: a repost never leaks a post.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import type { PostRow } from './posts.schema.ts';
import './tables.ts';

/** A relationship that grants a visibility level. */
export type Grant = 'anyone' | 'follower' | 'mutual' | 'shared_space';

export const POLICIES = {
  post: { public: ['anyone'], followers: ['mutual'], private: [] },
  collection: {
    public: ['anyone'],
    followers: ['follower'],
    spaces: ['follower', 'shared_space'],
    private: [],
  },
} as const satisfies Record<string, Record<string, readonly Grant[]>>;

export type ContentKind = keyof typeof POLICIES;

/** The viewer as seen from one owner. */
export interface Relationship {
  self: boolean;
  /** Either blocks the other. */
  blocked: boolean;
  /** The viewer follows the owner (accepted). */
  follower: boolean;
  /** Both follow each other (accepted). */
  mutual: boolean;
  /** Both are members of a common space. */
  sharedSpace: boolean;
}

export const STRANGER: Relationship = {
  self: false,
  blocked: false,
  follower: false,
  mutual: false,
  sharedSpace: false,
};

function grants(kind: ContentKind, visibility: string): readonly Grant[] {
  const table = POLICIES[kind] as Record<string, readonly Grant[]>;
  return table[visibility] ?? [];
}

function holds(g: Grant, rel: Relationship): boolean {
  switch (g) {
    case 'anyone':
      return true;
    case 'follower':
      return rel.follower;
    case 'mutual':
      return rel.mutual;
    case 'shared_space':
      return rel.sharedSpace;
  }
}

/** Rules 1–3 for one item. */
export function canSee(kind: ContentKind, visibility: string, rel: Relationship): boolean {
  if (rel.self) return true;
  if (rel.blocked) return false;
  return grants(kind, visibility).some((g) => holds(g, rel));
}

/** The visibility levels of `kind` this relationship sees (for a query over one owner's items). */
export function visibleLevels(kind: ContentKind, rel: Relationship): string[] {
  return Object.keys(POLICIES[kind]).filter((level) => canSee(kind, level, rel));
}

/** What the per-row check needs of a post. */
export interface PostVisibilityRow {
  authorId: string;
  spaceId: string | null;
  visibility: string;
}

/** Rules 1–4 for one post, given the viewer's relationship to its author. */
export function canSeePost(post: PostVisibilityRow, rel: Relationship): boolean {
  if (post.spaceId !== null) return true;
  return canSee('post', post.visibility, rel);
}

/** Rule 5: a repost and its original (null when the original is gone). */
export function canSeeRepost(
  repost: PostVisibilityRow,
  original: PostVisibilityRow | null,
  relOf: (ownerId: string) => Relationship,
): boolean {
  if (!canSeePost(repost, relOf(repost.authorId))) return false;
  return original !== null && canSeePost(original, relOf(original.authorId));
}

/**
 * The SQL of one grant for the owner column `owner` and viewer `v`. Follow relationships are
 * correlated EXISTS on the follows primary key (PostgreSQL may hash the viewer's follows once when
 * it expects to scan many rows), or with `probe` one index probe per row (the feed, which reads a
 * bounded number of rows and must not pay for hashing a graph of 5,000 follows per page). Blocks,
 * small by nature, are one hashed NOT IN.
 */
function grantSql(g: Grant, v: string, owner: Expression<unknown>, how: How): Expression<SqlBool> {
  const { known, probe } = how;
  const rel = probe ? followsProbe : follows;
  switch (g) {
    case 'anyone':
      return sql<SqlBool>`${owner} not in (${blockedBy(v)})`;
    case 'follower':
      return known.follower === undefined ? rel(v, owner) : bool(known.follower);
    case 'mutual':
      if (known.mutual !== undefined) return known.mutual;
      if (known.follower === false) return bool(false);
      return known.follower ? rel(owner, v) : sql<SqlBool>`(${rel(v, owner)} and ${rel(owner, v)})`;
    case 'shared_space':
      return sql<SqlBool>`(${owner} not in (${blockedBy(v)}) and exists (
        select 1 from space_members a join space_members b on b.space_id = a.space_id
        where a.user_id = ${v} and b.user_id = ${owner}))`;
  }
}

const bool = (b: boolean) => (b ? sql<SqlBool>`true` : sql<SqlBool>`false`);

/**
 * Facts about the viewer's relationship a query already established (the feed selects followees,
 * and may select whether each follows back): the rules are evaluated with them in place, so the
 * query does not ask the database again.
 */
export interface Known {
  follower?: boolean;
  /** An expression (a column of the query) saying whether viewer and owner follow each other. */
  mutual?: Expression<SqlBool>;
}

interface How {
  known: Known;
  probe: boolean;
}

/** Users on either side of a block with `v`. */
export const blockedBy = (v: string) =>
  sql`select blocked_id from user_blocks where blocker_id = ${v}
    union all select blocker_id from user_blocks where blocked_id = ${v}`;

/** `follower` has an accepted follow of `followee` (either may be a column or a value). */
export const follows = (follower: unknown, followee: unknown): Expression<SqlBool> =>
  sql<SqlBool>`exists (select 1 from follows x where x.follower_id = ${follower}
    and x.followee_id = ${followee} and x.status = 'accepted')`;

/**
 * `follows` as a scalar subquery: never turned into a hashed subplan, always one probe of the
 * follows primary key per evaluation.
 */
const followsProbe = (follower: unknown, followee: unknown): Expression<SqlBool> =>
  sql<SqlBool>`coalesce((select true from follows x where x.follower_id = ${follower}
    and x.followee_id = ${followee} and x.status = 'accepted'), false)`;

function levelsWhere(
  kind: ContentKind,
  viewerId: string,
  cols: { owner: string; visibility: string },
  how: How,
): Expression<SqlBool> {
  const owner = sql.ref(cols.owner);
  const levels = Object.entries(POLICIES[kind] as Record<string, readonly Grant[]>)
    .filter(([, gs]) => gs.length > 0)
    .map(([level, gs]) => {
      const any = sql.join(
        gs.map((g) => grantSql(g, viewerId, owner, how)),
        sql` or `,
      );
      return sql`(${sql.ref(cols.visibility)} = ${level} and (${any}))`;
    });
  return sql<SqlBool>`(${owner} = ${viewerId} or ${sql.join(levels, sql` or `)})`;
}

/** Rules 1–3 in SQL, for items of `kind` whose owner and visibility are the given columns. */
export function visibleWhere(
  kind: ContentKind,
  viewerId: string,
  cols: { owner: string; visibility: string },
  known: Known = {},
): Expression<SqlBool> {
  return levelsWhere(kind, viewerId, cols, { known, probe: false });
}

/** Rules 1–4 for the posts table under `alias`, without the repost rule. */
function postRowVisible(
  viewerId: string,
  alias: string,
  how: How = { known: {}, probe: false },
): Expression<SqlBool> {
  return sql<SqlBool>`(${sql.ref(`${alias}.space_id`)} is not null or ${levelsWhere(
    'post',
    viewerId,
    { owner: `${alias}.author_id`, visibility: `${alias}.visibility` },
    how,
  )})`;
}

/**
 * "Posts visible to viewer V", rules 1–5, over `posts as p left join posts as o on o.id =
 * p.repost_of_id` (the original of a repost, joined rather than probed by a correlated subquery:
 * it keeps the plan a cheap nested loop under ORDER BY id LIMIT n). Start every query that returns
 * posts to a user from `visiblePosts`, which builds exactly that.
 */
export function postsVisibleTo(viewerId: string): Expression<SqlBool> {
  return sql<SqlBool>`(${postRowVisible(viewerId, 'p')} and (p.repost_of_id is null or (o.id is not null and ${postRowVisible(viewerId, 'o')})))`;
}

/** `select ... from posts as p left join posts as o ... where <visible to V>`: the base of every post query. */
export function visiblePosts(db: Db, viewerId: string) {
  return db
    .selectFrom('posts as p')
    .leftJoin('posts as o', 'o.id', 'p.repost_of_id')
    .where(postsVisibleTo(viewerId));
}

/** Where the feed's posts come from (its own business; visibility is applied here). */
export interface FeedSources {
  /** `select space_id ...`: the viewer's socialEnabled spaces. */
  spaces: Expression<unknown>;
  /** `select user_id ...`: accounts the viewer muted. */
  muted: Expression<unknown>;
}

/** A keyset page of the feed: posts with an id below `before`, newest first. */
export interface FeedPage {
  before?: string | undefined;
  limit: number;
}

/** Relationships asked by per-row probes, nothing known in advance. */
const PROBE: How = { known: {}, probe: true };

/** Rule 5 for the row under `p`: its original (one primary-key probe) is visible too. */
function repostVisible(viewerId: string): Expression<SqlBool> {
  return sql<SqlBool>`(p.repost_of_id is null or coalesce((select ${postRowVisible(viewerId, 'o', PROBE)}
    from posts o where o.id = p.repost_of_id), false))`;
}

/**
 * A row count written into the SQL text rather than bound: the feed queries run as prepared
 * statements (posts.repository), and a generic plan estimates `limit $n` as a large share of the
 * table, so it never replaces the custom plan; a literal keeps the generic plan as good.
 */
function count(n: number) {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`feed: bad row count ${n}`);
  return sql.lit(n);
}

const belowCursor = (page: FeedPage, col: string) =>
  page.before ? sql`and ${sql.ref(col)} < ${page.before}` : sql``;

/**
 * The feed (spec "GET /follows/feed"), strategy 1 — the newest `window` posts below the cursor,
 * each checked by per-row probes: V's own posts, posts of V's spaces, and posts of accounts V
 * follows (minus muted ones) that rules 1–5 let V see, knowing V follows the author. The cost
 * follows the rows read (a backward scan of the primary key and one or two follows probes per
 * row), not the size of V's graph: right for a viewer whose follows write a good share of all
 * posts. When fewer than `limit` posts qualify within the window the answer is not known to be
 * complete, and the caller asks strategy 2 (`feedByAuthorQuery`), which is exact for any graph.
 */
export function feedWindowQuery(viewerId: string, from: FeedSources, page: FeedPage, window: number) {
  const below = page.before ? sql`where id < ${page.before}` : sql``;
  const followee = levelsWhere(
    'post',
    viewerId,
    { owner: 'p.author_id', visibility: 'p.visibility' },
    { known: { follower: true }, probe: true },
  );
  return sql<PostRow>`select p.* from (select * from posts ${below} order by id desc limit ${count(window)}) p
    where ((p.space_id is null and p.author_id = ${viewerId})
        or p.space_id in (${from.spaces})
        or (p.space_id is null and ${followsProbe(viewerId, sql.ref('p.author_id'))}
          and p.author_id not in (${from.muted}) and ${followee}))
      and ${repostVisible(viewerId)}
    order by p.id desc limit ${count(page.limit)}`;
}

/**
 * The feed, strategy 2 — the same posts as strategy 1 by source: for each account V follows (minus
 * muted ones) its newest `limit` posts below the cursor that rules 1–5 let V see (one descent of
 * posts_author_idx per followee, the visibility levels fixed by whether the followee follows back),
 * V's own newest `limit`, the newest `limit` of V's spaces; merged, newest `limit` of all. Its cost
 * follows the number of follows, not how rare their posts are.
 */
export function feedByAuthorQuery(viewerId: string, from: FeedSources, page: FeedPage) {
  const followee = levelsWhere(
    'post',
    viewerId,
    { owner: 'p.author_id', visibility: 'p.visibility' },
    { known: { follower: true, mutual: sql<SqlBool>`a.mutual` }, probe: true },
  );
  const repost = repostVisible(viewerId);
  return sql<PostRow>`select p.* from (
      (select p.* from (select f.followee_id, ${followsProbe(sql.ref('f.followee_id'), viewerId)} as mutual
          from follows f where f.follower_id = ${viewerId} and f.status = 'accepted'
            and f.followee_id <> ${viewerId} and f.followee_id not in (${from.muted})) a
        cross join lateral (select p.* from posts p
          where p.author_id = a.followee_id and p.space_id is null ${belowCursor(page, 'p.id')}
            and ${followee} and ${repost}
          order by p.id desc limit ${count(page.limit)}) p)
      union all
      (select p.* from posts p where p.space_id is null and p.author_id = ${viewerId} ${belowCursor(page, 'p.id')}
        and ${repost} order by p.id desc limit ${count(page.limit)})
      union all
      (select p.* from posts p where p.space_id in (${from.spaces}) ${belowCursor(page, 'p.id')}
        and ${repost} order by p.id desc limit ${count(page.limit)})
    ) p
    order by p.id desc limit ${count(page.limit)}`;
}
