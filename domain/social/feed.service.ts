/**
 * Reading posts (spec "GET /follows/feed", "/follows/feed/search", "/follows/posts/:postId",
 * "/follows/spaces/:spaceId/posts", "GET /users/:userId/posts", "GET /users/me/posts"). Every
 * query filters with `postsVisibleTo` and every single-row read with `canSeePost` / `canSeeRepost`
 * (visibility.ts); nothing here decides visibility itself.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import { badRequest, notFound } from '../../engine/errors.ts';
import type { SocialDeps } from './ports.ts';
import { getPost, pageOfPosts, postsByIds } from './posts.repository.ts';
import { presentPosts } from './posts.presenter.ts';
import type { PostDto, PostRow, SearchQuery } from './posts.schema.ts';
import type { PageQuery } from './params.ts';
import { loadRelationships, loadViewerGraph } from './viewer.repository.ts';
import { canSeePost, canSeeRepost, postsVisibleTo, type ViewerGraph } from './visibility.ts';

const ids = (list: readonly string[]) => sql`${[...list]}::bigint[]`;

/**
 * The feed's scope (which visible posts belong in it): own posts, posts of accepted followees
 * (minus muted accounts), and posts of the viewer's socialEnabled spaces.
 */
export function feedScope(g: ViewerGraph): Expression<SqlBool> {
  return sql<SqlBool>`((p.space_id is null and (p.author_id = ${g.id} or (p.author_id = any(${ids(g.following)})
    and p.author_id <> all(${ids(g.muted)})))) or p.space_id = any(${ids(g.spaces)}))`;
}

export interface VisiblePost {
  post: PostRow;
  original: PostRow | null;
}

export class PostReader {
  constructor(private readonly deps: SocialDeps) {}

  viewer(db: Db, viewerId: string): Promise<ViewerGraph> {
    return loadViewerGraph(db, viewerId, this.deps.spaces());
  }

  /** The post when the viewer may see it (with its original, for a repost); 404 otherwise. */
  async visiblePost(db: Db, viewerId: string, postId: string): Promise<VisiblePost> {
    const post = await getPost(db, postId);
    if (!post) throw notFound('Post not found');
    const original = post.repost_of_id ? ((await getPost(db, post.repost_of_id)) ?? null) : null;
    const relOf = await loadRelationships(
      db,
      viewerId,
      [post.author_id, original?.author_id].filter((x): x is string => !!x),
    );
    const row = (r: PostRow) => ({ authorId: r.author_id, spaceId: r.space_id, visibility: r.visibility });
    const ok = post.repost_of_id
      ? canSeeRepost(row(post), original ? row(original) : null, relOf)
      : canSeePost(row(post), relOf(post.author_id));
    if (!ok) throw notFound('Post not found');
    return { post, original };
  }

  /** Rows already filtered by `postsVisibleTo(g)` (so their originals are visible too) → DTOs. */
  async present(db: Db, g: ViewerGraph, rows: readonly PostRow[]): Promise<PostDto[]> {
    const originalIds = rows.map((r) => r.repost_of_id).filter((x): x is string => x !== null);
    const originals = await postsByIds(db, originalIds);
    return presentPosts(db, this.deps.spaces(), rows, { viewerId: g.id, blocked: g.blocked, originals });
  }

  /** GET /follows/posts/:postId */
  async get(db: Db, viewerId: string, postId: string): Promise<PostDto> {
    const { post, original } = await this.visiblePost(db, viewerId, postId);
    const g = await this.viewer(db, viewerId);
    const [dto] = await presentPosts(db, this.deps.spaces(), [post], {
      viewerId,
      blocked: g.blocked,
      originals: original ? [original] : [],
    });
    return dto!;
  }

  /** GET /follows/feed */
  async feed(db: Db, viewerId: string, page: PageQuery): Promise<PostDto[]> {
    const g = await this.viewer(db, viewerId);
    const where = sql<SqlBool>`(${feedScope(g)} and ${postsVisibleTo(g)})`;
    return this.present(db, g, await pageOfPosts(db, where, page));
  }

  /** GET /follows/feed/search: all posts the viewer may see, by text and/or hashtag. */
  async search(db: Db, viewerId: string, q: SearchQuery): Promise<PostDto[]> {
    if (!q.q && !q.hashtag) throw badRequest('Give q (text) or hashtag to search');
    const g = await this.viewer(db, viewerId);
    const conds: Expression<SqlBool>[] = [postsVisibleTo(g)];
    if (q.hashtag)
      conds.push(sql<SqlBool>`p.id in (select h.post_id from post_hashtags h where h.tag = ${q.hashtag})`);
    if (q.q)
      conds.push(sql<SqlBool>`to_tsvector('simple', p.body) @@ websearch_to_tsquery('simple', ${q.q})`);
    const where = sql<SqlBool>`(${sql.join(conds, sql` and `)})`;
    return this.present(db, g, await pageOfPosts(db, where, q));
  }

  /**
   * A user's profile posts (their own, not space-authored), pinned first on the first page.
   * GET /users/:userId/posts applies the profile visibility gate first.
   */
  async profilePosts(db: Db, viewerId: string, userId: string, page: PageQuery): Promise<PostDto[]> {
    const g = await this.viewer(db, viewerId);
    const mine = sql<SqlBool>`(p.author_id = ${userId} and p.space_id is null and ${postsVisibleTo(g)})`;
    const pinned = page.before
      ? []
      : await pageOfPosts(db, sql<SqlBool>`(${mine} and p.pinned_at is not null)`, { limit: 1 });
    const rest = await pageOfPosts(db, sql<SqlBool>`(${mine} and p.pinned_at is null)`, page);
    return this.present(db, g, [...pinned, ...rest]);
  }

  /** GET /users/:userId/posts */
  async userPosts(
    db: Db,
    viewerId: string,
    userId: string,
    page: PageQuery,
  ): Promise<PostDto[] | { profilePrivate: true }> {
    const exists = await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!exists) throw notFound('User not found');
    if (!(await this.deps.canViewProfile(db, viewerId, userId))) return { profilePrivate: true };
    return this.profilePosts(db, viewerId, userId, page);
  }

  /** GET /users/me/posts: every post of mine, space-authored ones included, pinned first. */
  async myPosts(db: Db, meId: string, page: PageQuery): Promise<PostDto[]> {
    const g = await this.viewer(db, meId);
    const mine = sql<SqlBool>`(p.author_id = ${meId} and ${postsVisibleTo(g)})`;
    const pinned = page.before
      ? []
      : await pageOfPosts(db, sql<SqlBool>`(${mine} and p.pinned_at is not null)`, { limit: 1 });
    const rest = await pageOfPosts(db, sql<SqlBool>`(${mine} and p.pinned_at is null)`, page);
    return this.present(db, g, [...pinned, ...rest]);
  }

  /** GET /follows/spaces/:spaceId/posts (public; the space must have socialEnabled). */
  async spacePosts(db: Db, viewerId: string | null, spaceId: string, page: PageQuery): Promise<PostDto[]> {
    if (!(await this.deps.spaces().socialSpace(db, spaceId))) throw notFound('Space not found');
    const g: ViewerGraph = viewerId
      ? await this.viewer(db, viewerId)
      : { id: '0', following: [], mutual: [], blocked: [], muted: [], spaces: [] };
    const where = sql<SqlBool>`(p.space_id = ${spaceId} and ${postsVisibleTo(g)})`;
    return this.present(db, g, await pageOfPosts(db, where, page));
  }
}
