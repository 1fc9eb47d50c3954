/**
 * Spec "Post Comments", "Post Reactions", "Comment Reactions". Comments and reactions exist only
 * on posts the caller may see (visibility.ts, through PostReader.visiblePost), so a comment
 * listing never reveals a post the viewer cannot see.
 * - Comments: a tree by parentCommentId (same post), 1–4000 chars; deleted by their author or the
 *   post's owner (with its replies); authored as a space with MANAGE_SOCIAL + socialEnabled.
 *   The post's owner gets post_comment (and the parent comment's author, for a reply).
 * - Reactions: one per emoji per user; the owner of the post / comment gets `reaction`.
 */
import type { Db } from '../../engine/db/index.ts';
import { badRequest, forbidden, notFound } from '../../engine/errors.ts';
import { userSummaries } from './follows.repository.ts';
import { toUserSummary } from './follows.schema.ts';
import type { PostReader, VisiblePost } from './feed.service.ts';
import type { SocialDeps, SocialPorts, SpaceAuthor } from './ports.ts';
import { reactionsOf } from './posts.repository.ts';
import type { CommentInput, ReactionDto } from './posts.schema.ts';
import type { PageQuery } from './params.ts';
import { loadRelationships } from './viewer.repository.ts';
import { canSeePost } from './visibility.ts';
import {
  addReaction,
  commentReactionsOf,
  commentTree,
  deleteComment,
  getComment,
  insertComment,
  removeReaction,
  type CommentRow,
} from './comments.repository.ts';

export type CommentAuthor =
  ({ type: 'user' } & ReturnType<typeof toUserSummary>) | ({ type: 'space' } & SpaceAuthor);

export interface CommentDto {
  id: string;
  postId: string;
  parentCommentId: string | null;
  authorId: string;
  spaceId: string | null;
  author: CommentAuthor | null;
  body: string;
  reactions: ReactionDto[];
  replies: CommentDto[];
  createdAt: string;
}

export class CommentsService {
  constructor(
    private readonly p: SocialPorts,
    private readonly deps: SocialDeps,
    private readonly reader: PostReader,
  ) {}

  /** The post, visible to the caller and (for /users/:userId/... paths) owned by `ownerId`. */
  private async post(db: Db, meId: string, ownerId: string, postId: string): Promise<VisiblePost> {
    const v = await this.reader.visiblePost(db, meId, postId);
    if (v.post.author_id !== ownerId) throw notFound('Post not found');
    return v;
  }

  /** GET .../posts/:postId/comments: the tree, top-level comments newest first. */
  async list(db: Db, meId: string, ownerId: string, postId: string, page: PageQuery): Promise<CommentDto[]> {
    await this.post(db, meId, ownerId, postId);
    return this.present(db, meId, await commentTree(db, postId, page, meId));
  }

  private async present(db: Db, meId: string, rows: CommentRow[]): Promise<CommentDto[]> {
    const ids = rows.map((r) => r.id);
    const [users, spaces, reactions] = await Promise.all([
      userSummaries(
        db,
        rows.map((r) => r.author_id),
      ),
      this.deps
        .spaces()
        .authors(db, [...new Set(rows.map((r) => r.space_id).filter((s): s is string => !!s))]),
      commentReactionsOf(db, ids, meId),
    ]);
    const userById = new Map(users.map((u) => [u.id, toUserSummary(u)]));
    const dtos = new Map<string, CommentDto>();
    for (const r of rows) {
      const space = r.space_id ? spaces.get(r.space_id) : undefined;
      const user = userById.get(r.author_id);
      dtos.set(r.id, {
        id: r.id,
        postId: r.post_id,
        parentCommentId: r.parent_id,
        authorId: r.author_id,
        spaceId: r.space_id,
        author: space ? { type: 'space', ...space } : user ? { type: 'user', ...user } : null,
        body: r.body,
        reactions: reactions
          .filter((x) => x.comment_id === r.id)
          .map((x) => ({ emoji: x.emoji, count: x.count, reacted: x.reacted })),
        replies: [],
        createdAt: r.created_at.toISOString(),
      });
    }
    const roots: CommentDto[] = [];
    for (const r of rows) {
      const dto = dtos.get(r.id)!;
      const parent = r.parent_id ? dtos.get(r.parent_id) : undefined;
      // A reply whose parent is not among the rows (a hidden author's) is dropped with it; a lone
      // new reply (create) is its own root.
      if (parent) parent.replies.push(dto);
      else if (!r.parent_id || rows.length === 1) roots.push(dto);
    }
    const byId = (a: CommentDto, b: CommentDto) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1);
    for (const d of dtos.values()) d.replies.sort(byId);
    return roots.sort((a, b) => -byId(a, b));
  }

  /** POST .../posts/:postId/comments */
  async create(
    db: Db,
    meId: string,
    ownerId: string,
    postId: string,
    input: CommentInput,
  ): Promise<CommentDto> {
    const { post } = await this.post(db, meId, ownerId, postId);
    let parent: CommentRow | undefined;
    if (input.parentCommentId) {
      parent = await getComment(db, input.parentCommentId);
      if (!parent || parent.post_id !== postId) throw badRequest('The parent comment is not on this post');
    }
    const space = input.spaceId
      ? await this.deps.spaces().requireManageSocial(db, meId, input.spaceId)
      : null;
    const row: CommentRow = {
      id: this.p.ids.next(),
      post_id: postId,
      author_id: meId,
      parent_id: parent?.id ?? null,
      space_id: space?.id ?? null,
      body: input.body,
      created_at: new Date(this.p.clock.now()),
    };
    await insertComment(db, row);
    const [me] = await userSummaries(db, [meId]);
    const data = {
      postId,
      postOwnerId: post.author_id,
      commentId: row.id,
      parentCommentId: row.parent_id,
      actorId: meId,
      actorUsername: me?.username ?? null,
      actorDisplayName: space?.name ?? me?.display_name ?? null,
      spaceId: row.space_id,
      preview: row.body.slice(0, 200),
    };
    const told = new Set<string>([meId]);
    for (const u of [post.author_id, parent?.author_id]) {
      if (!u || told.has(u)) continue;
      told.add(u);
      const relOf = await loadRelationships(db, u, [post.author_id]);
      const row2 = { authorId: post.author_id, spaceId: post.space_id, visibility: post.visibility };
      if (!canSeePost(row2, relOf(post.author_id))) continue;
      await this.deps.notifier.notify(u, 'post_comment', data, { actorId: meId });
    }
    const [dto] = await this.present(db, meId, [row]);
    return dto!;
  }

  /** DELETE .../posts/:postId/comments/:commentId: the comment's author or the post's owner. */
  async remove(db: Db, meId: string, ownerId: string, postId: string, commentId: string): Promise<void> {
    const { post } = await this.post(db, meId, ownerId, postId);
    const c = await getComment(db, commentId);
    if (!c || c.post_id !== postId) throw notFound('Comment not found');
    if (c.author_id !== meId && post.author_id !== meId)
      throw forbidden('Only the comment author or the post owner can delete this comment');
    await deleteComment(db, commentId);
  }

  /** PUT / DELETE .../posts/:postId/reactions/:emoji → the post's reactions. */
  async reactToPost(
    db: Db,
    meId: string,
    ownerId: string,
    postId: string,
    emoji: string,
    add: boolean,
  ): Promise<ReactionDto[]> {
    const { post } = await this.post(db, meId, ownerId, postId);
    if (add) {
      const added = await addReaction(
        db,
        'post_reactions',
        postId,
        meId,
        emoji,
        new Date(this.p.clock.now()),
      );
      if (added && post.author_id !== meId)
        await this.notifyReaction(db, meId, post.author_id, { postId, emoji });
    } else await removeReaction(db, 'post_reactions', postId, meId, emoji);
    return (await reactionsOf(db, [postId], meId)).map((x) => ({
      emoji: x.emoji,
      count: x.count,
      reacted: x.reacted,
    }));
  }

  /** PUT / DELETE /users/posts/comments/:commentId/reactions/:emoji → the comment's reactions. */
  async reactToComment(
    db: Db,
    meId: string,
    commentId: string,
    emoji: string,
    add: boolean,
  ): Promise<ReactionDto[]> {
    const c = await getComment(db, commentId);
    if (!c) throw notFound('Comment not found');
    await this.reader.visiblePost(db, meId, c.post_id);
    if (add) {
      const added = await addReaction(
        db,
        'comment_reactions',
        commentId,
        meId,
        emoji,
        new Date(this.p.clock.now()),
      );
      if (added && c.author_id !== meId)
        await this.notifyReaction(db, meId, c.author_id, { postId: c.post_id, commentId, emoji });
    } else await removeReaction(db, 'comment_reactions', commentId, meId, emoji);
    return (await commentReactionsOf(db, [commentId], meId)).map((x) => ({
      emoji: x.emoji,
      count: x.count,
      reacted: x.reacted,
    }));
  }

  private async notifyReaction(
    db: Db,
    meId: string,
    to: string,
    data: Record<string, string>,
  ): Promise<void> {
    const [me] = await userSummaries(db, [meId]);
    await this.deps.notifier.notify(
      to,
      'reaction',
      {
        ...data,
        actorId: meId,
        actorUsername: me?.username ?? null,
        actorDisplayName: me?.display_name ?? null,
      },
      { actorId: meId },
    );
  }
}
