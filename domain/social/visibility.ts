/**
 * The one visibility policy: who may see a post (and, with their own rule tables, collections,
 * timeline events and activities). Every reader asks this module — the feed, search, single-post
 * lookups, profiles, comments, notifications, exports — in one of two forms built from the same
 * rule table:
 * - `postsVisibleTo(viewer)`: a kysely WHERE expression, "posts visible to viewer V", for queries;
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

/**
 * The viewer's side of the graph, loaded once per request (viewer.repository.ts): enough to
 * evaluate every rule in SQL without a per-row subquery.
 */
export interface ViewerGraph {
  id: string;
  /** Accepted followees. */
  following: readonly string[];
  /** Accepted followees who follow back (accepted). */
  mutual: readonly string[];
  /** Users the viewer blocks or who block the viewer. */
  blocked: readonly string[];
  /** Users the viewer muted (the feed hides them; visibility does not). */
  muted: readonly string[];
  /** socialEnabled spaces the viewer is a member of. */
  spaces: readonly string[];
}

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

/** The relationship to `ownerId` implied by a loaded viewer graph. */
export function relationshipIn(g: ViewerGraph, ownerId: string): Relationship {
  return {
    self: g.id === ownerId,
    blocked: g.blocked.includes(ownerId),
    follower: g.following.includes(ownerId),
    mutual: g.mutual.includes(ownerId),
    // Not in the graph (posts do not need it); callers of `collection` rules load it per owner.
    sharedSpace: false,
  };
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

const ids = (list: readonly string[]) => sql`${[...list]}::bigint[]`;

/** The SQL of one grant for the owner column `owner`, for viewer `g`. */
function grantSql(g: Grant, viewer: ViewerGraph, owner: Expression<unknown>): Expression<SqlBool> {
  switch (g) {
    case 'anyone':
      return viewer.blocked.length
        ? sql<SqlBool>`${owner} <> all(${ids(viewer.blocked)})`
        : sql<SqlBool>`true`;
    case 'follower':
      return sql<SqlBool>`${owner} = any(${ids(viewer.following)})`;
    case 'mutual':
      return sql<SqlBool>`${owner} = any(${ids(viewer.mutual)})`;
    case 'shared_space':
      return sql<SqlBool>`(${owner} <> all(${ids(viewer.blocked)}) and exists (
        select 1 from space_members a join space_members b on b.space_id = a.space_id
        where a.user_id = ${viewer.id} and b.user_id = ${owner}))`;
  }
}

/** Rules 1–3 in SQL, for items of `kind` whose owner and visibility are the given columns. */
export function visibleWhere(
  kind: ContentKind,
  viewer: ViewerGraph,
  cols: { owner: string; visibility: string },
): Expression<SqlBool> {
  const owner = sql.ref(cols.owner);
  const levels = Object.entries(POLICIES[kind] as Record<string, readonly Grant[]>)
    .filter(([, gs]) => gs.length > 0)
    .map(([level, gs]) => {
      const any = sql.join(
        gs.map((g) => grantSql(g, viewer, owner)),
        sql` or `,
      );
      return sql`(${sql.ref(cols.visibility)} = ${level} and (${any}))`;
    });
  return sql<SqlBool>`(${owner} = ${viewer.id} or ${sql.join(levels, sql` or `)})`;
}

/** Rules 1–4 for the posts table under `alias`, without the repost rule. */
function postRowVisible(viewer: ViewerGraph, alias: string): Expression<SqlBool> {
  return sql<SqlBool>`(${sql.ref(`${alias}.space_id`)} is not null or ${visibleWhere('post', viewer, {
    owner: `${alias}.author_id`,
    visibility: `${alias}.visibility`,
  })})`;
}

/**
 * "Posts visible to viewer V" for `posts as <alias>`: rules 1–5. Every query that returns posts to
 * a user puts this in its WHERE clause.
 */
export function postsVisibleTo(viewer: ViewerGraph, alias = 'p'): Expression<SqlBool> {
  const repostOf = sql.ref(`${alias}.repost_of_id`);
  return sql<SqlBool>`(${postRowVisible(viewer, alias)} and (${repostOf} is null or exists (
    select 1 from posts o where o.id = ${repostOf} and ${postRowVisible(viewer, 'o')})))`;
}
