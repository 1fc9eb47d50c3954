/**
 * Reading posts (spec "GET /follows/feed", "/follows/feed/search", "/follows/posts/:postId",
 * "/follows/spaces/:spaceId/posts", "GET /users/:userId/posts", "GET /users/me/posts"). Every
 * listing starts from `visiblePosts`, the feed from visibility.ts's two feed queries (run by
 * posts.repository's `feedPage`), and every single-row read goes through `canSeePost` /
 * `canSeeRepost` (visibility.ts); nothing here decides visibility itself.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import { badRequest, notFound } from '../../engine/errors.ts';
import type { SocialDeps, SocialSpaces } from './ports.ts';
import { feedPage, getPost, pageOfVisiblePosts, postsByIds } from './posts.repository.ts';
import { presentPosts } from './posts.presenter.ts';
import type { PostDto, PostRow, SearchQuery } from './posts.schema.ts';
import type { PageQuery } from './params.ts';
import { loadRelationships } from './viewer.repository.ts';
import { canSeePost, canSeeRepost, type FeedSources } from './visibility.ts';

/** Where a viewer's feed comes from: their socialEnabled spaces and the accounts they muted. */
export function feedSources(viewerId: string, spaces: SocialSpaces): FeedSources {
  return {
    spaces: spaces.memberSocialSpacesSql(viewerId),
    muted: sql`select muted_id from user_mutes where user_id = ${viewerId}`,
  };
}

export interface VisiblePost {
  post: PostRow;
  original: PostRow | null;
}

/** No viewer (a public listing): an id no user has. */
const ANONYMOUS = '0';

export class PostReader {
  constructor(private readonly deps: SocialDeps) {}

  /** The feed's sources of a viewer (one function per reader: posts.repository caches by it). */
  private readonly feedSources = (viewerId: string) => feedSources(viewerId, this.deps.spaces());

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

  /** Rows from `visiblePosts` (so their originals are visible too) → DTOs. */
  async present(db: Db, viewerId: string, rows: readonly PostRow[]): Promise<PostDto[]> {
    const originalIds = rows.map((r) => r.repost_of_id).filter((x): x is string => x !== null);
    const originals = await postsByIds(db, originalIds);
    return presentPosts(db, this.deps.spaces(), rows, { viewerId, originals });
  }

  /** GET /follows/posts/:postId */
  async get(db: Db, viewerId: string, postId: string): Promise<PostDto> {
    const { post, original } = await this.visiblePost(db, viewerId, postId);
    const [dto] = await presentPosts(db, this.deps.spaces(), [post], {
      viewerId,
      originals: original ? [original] : [],
    });
    return dto!;
  }

  /** GET /follows/feed */
  async feed(db: Db, viewerId: string, page: PageQuery): Promise<PostDto[]> {
    const rows = await feedPage(db, viewerId, this.feedSources, page);
    return this.present(db, viewerId, rows);
  }

  /** GET /follows/feed/search: all posts the viewer may see, by text and/or hashtag. */
  async search(db: Db, viewerId: string, q: SearchQuery): Promise<PostDto[]> {
    if (!q.q && !q.hashtag) throw badRequest('Give q (text) or hashtag to search');
    const conds: Expression<SqlBool>[] = [];
    if (q.hashtag)
      conds.push(sql<SqlBool>`p.id in (select h.post_id from post_hashtags h where h.tag = ${q.hashtag})`);
    if (q.q)
      conds.push(sql<SqlBool>`to_tsvector('simple', p.body) @@ websearch_to_tsquery('simple', ${q.q})`);
    const where = sql<SqlBool>`(${sql.join(conds, sql` and `)})`;
    return this.present(db, viewerId, await pageOfVisiblePosts(db, viewerId, where, q));
  }

  /** A profile's posts matching `mine`, the pinned one first on the first page. */
  private async withPinned(db: Db, viewerId: string, mine: Expression<SqlBool>, page: PageQuery) {
    const pinned = page.before
      ? []
      : await pageOfVisiblePosts(db, viewerId, sql<SqlBool>`(${mine} and p.pinned_at is not null)`, {
          limit: 1,
        });
    const rest = await pageOfVisiblePosts(
      db,
      viewerId,
      sql<SqlBool>`(${mine} and p.pinned_at is null)`,
      page,
    );
    return this.present(db, viewerId, [...pinned, ...rest]);
  }

  /** GET /users/:userId/posts: their own posts (not space-authored), after the profile visibility gate. */
  async userPosts(
    db: Db,
    viewerId: string,
    userId: string,
    page: PageQuery,
  ): Promise<PostDto[] | { profilePrivate: true }> {
    const exists = await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!exists) throw notFound('User not found');
    if (!(await this.deps.canViewProfile(db, viewerId, userId))) return { profilePrivate: true };
    return this.withPinned(
      db,
      viewerId,
      sql<SqlBool>`(p.author_id = ${userId} and p.space_id is null)`,
      page,
    );
  }

  /** GET /users/me/posts: every post of mine, space-authored ones included, pinned first. */
  myPosts(db: Db, meId: string, page: PageQuery): Promise<PostDto[]> {
    return this.withPinned(db, meId, sql<SqlBool>`p.author_id = ${meId}`, page);
  }

  /**
   * A user's reposts, newest first (social-graph-api "GET /users/{user}/reposts"), after the profile
   * gate; each visible under the one policy (rule 5: only while its original is visible too).
   */
  async userReposts(
    db: Db,
    viewerId: string,
    userId: string,
    page: PageQuery,
  ): Promise<PostDto[] | { profilePrivate: true }> {
    const exists = await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!exists) throw notFound('User not found');
    if (!(await this.deps.canViewProfile(db, viewerId, userId))) return { profilePrivate: true };
    const mine = sql<SqlBool>`(p.author_id = ${userId} and p.space_id is null and p.repost_of_id is not null)`;
    return this.present(db, viewerId, await pageOfVisiblePosts(db, viewerId, mine, page));
  }

  /** The id of my plain repost (no body of its own) of `postId`, if I have one. */
  async myRepostOf(db: Db, meId: string, postId: string): Promise<string | null> {
    const row = await db
      .selectFrom('posts')
      .select('id')
      .where('author_id', '=', meId)
      .where('repost_of_id', '=', postId)
      .where(sql<SqlBool>`btrim(body) = ''`)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row?.id ?? null;
  }

  /** GET /follows/spaces/:spaceId/posts (public; the space must have socialEnabled). */
  async spacePosts(db: Db, viewerId: string | null, spaceId: string, page: PageQuery): Promise<PostDto[]> {
    if (!(await this.deps.spaces().socialSpace(db, spaceId))) throw notFound('Space not found');
    const v = viewerId ?? ANONYMOUS;
    return this.present(db, v, await pageOfVisiblePosts(db, v, sql<SqlBool>`p.space_id = ${spaceId}`, page));
  }
}
