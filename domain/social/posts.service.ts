/**
 * Writing posts (spec "User Posts" → "Own Posts", "Reposts"; social-graph-api "Repost Limits").
 * - A post needs text or attachments (uploads, up to 20, plus collection items); its visibility is
 *   public, followers or private, forced to public for a space-authored post (MANAGE_SOCIAL and
 *   socialEnabled). Tagged users must be followed by the author and get a post_tag notification
 *   when they may see the post. Hashtags are extracted from the text and indexed.
 * - One pinned post per user. Edits re-index hashtags.
 * - A repost points at another user's post the reposter can see (never their own), at most
 *   REPOST_LIMIT_HOURLY per hour and REPOST_LIMIT_DAILY per day (429 with Retry-After).
 */
import path from 'node:path';
import type { Db } from '../../engine/db/index.ts';
import { badRequest, notFound, payloadTooLarge, rateLimited } from '../../engine/errors.ts';
import type { PostVisibility } from './tables.ts';
import type { PostHooks, SocialDeps, SocialPorts, SpaceAuthor } from './ports.ts';
import { followedAmong, lockUser, userSummaries } from './follows.repository.ts';
import type { PostReader } from './feed.service.ts';
import {
  countRepostsSince,
  deletePost,
  getPost,
  insertPost,
  oldestRepostSince,
  pin,
  replaceHashtags,
  unpin,
  updatePost,
  type NewAttachment,
} from './posts.repository.ts';
import {
  extractHashtags,
  MAX_POST_FILES,
  type CreatePostFields,
  type PatchPostInput,
  type PostDto,
  type PostRow,
  type RepostInput,
} from './posts.schema.ts';
import { inTx } from './tx.ts';
import { loadRelationships } from './viewer.repository.ts';
import { canSeePost } from './visibility.ts';

export interface UploadedPostFile {
  filename: string;
  mimeType: string;
  data: Buffer;
}

const MAX_VIDEO_BYTES = 100 * 1024 * 1024;
const MAX_FILE_BYTES = 10 * 1024 * 1024;
const MIME_RE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i;
const HOUR = 3600_000;

export class PostsService {
  constructor(
    private readonly p: SocialPorts,
    private readonly deps: SocialDeps,
    private readonly reader: PostReader,
    private readonly hooks: PostHooks = { onSpacePost: [] },
  ) {}

  private async storeFiles(files: UploadedPostFile[]): Promise<NewAttachment[]> {
    for (const f of files) {
      const max = f.mimeType.startsWith('video/') ? MAX_VIDEO_BYTES : MAX_FILE_BYTES;
      if (f.data.length > max)
        throw payloadTooLarge(`${f.filename || 'file'} exceeds ${max / (1024 * 1024)} MB`);
    }
    const out: NewAttachment[] = [];
    for (const f of files) {
      const id = this.p.ids.next();
      const filename =
        path
          .basename(f.filename || 'file')
          .replace(/[\0\r\n]/g, '')
          .slice(0, 255) || 'file';
      const mimeType = MIME_RE.test(f.mimeType) ? f.mimeType.toLowerCase() : 'application/octet-stream';
      const stored = await this.p.storage.put('posts', id, path.extname(filename), f.data);
      out.push({ id, kind: 'upload', itemId: null, url: stored.url, filename, mimeType, size: stored.size });
    }
    return out;
  }

  private async own(db: Db, meId: string, postId: string): Promise<PostRow> {
    const post = await getPost(db, postId);
    if (!post || post.author_id !== meId) throw notFound('Post not found');
    return post;
  }

  /** POST /users/me/posts */
  async create(db: Db, meId: string, fields: CreatePostFields, files: UploadedPostFile[]): Promise<PostDto> {
    const body = fields.body ?? '';
    const space: SpaceAuthor | null = fields.spaceId
      ? await this.deps.spaces().requireManageSocial(db, meId, fields.spaceId)
      : null;
    const visibility: PostVisibility = space ? 'public' : (fields.visibility ?? 'public');
    const tagged = [...new Set(fields.taggedUserIds ?? [])];
    if (tagged.includes(meId)) throw badRequest('You cannot tag yourself');
    if (tagged.length) {
      const followed = await followedAmong(db, meId, tagged);
      const notFollowed = tagged.filter((u) => !followed.has(u));
      if (notFollowed.length) throw badRequest('You can only tag users you follow', { userIds: notFollowed });
    }
    const collections = this.deps.collections();
    const items = [
      ...(await collections.resolve(db, meId, 'gallery', fields.existingGalleryItemIds ?? [])).map((i) => ({
        ...i,
        kind: 'gallery' as const,
      })),
      ...(await collections.resolve(db, meId, 'route', fields.existingRouteItemIds ?? [])).map((i) => ({
        ...i,
        kind: 'route' as const,
      })),
    ];
    if (files.length + items.length > MAX_POST_FILES)
      throw badRequest(`At most ${MAX_POST_FILES} attachments per post`);
    if (!body.trim() && files.length + items.length === 0)
      throw badRequest('A post needs text or at least one attachment');
    const attachments = [
      ...(await this.storeFiles(files)),
      ...items.map((i): NewAttachment => ({
        id: this.p.ids.next(),
        kind: i.kind,
        itemId: i.itemId,
        url: i.url,
        filename: i.filename,
        mimeType: i.mimeType,
        size: i.size,
      })),
    ];
    const id = this.p.ids.next();
    await inTx(db, (trx) =>
      insertPost(trx, {
        id,
        authorId: meId,
        spaceId: space?.id ?? null,
        body,
        visibility,
        repostOfId: null,
        createdAt: new Date(this.p.clock.now()),
        attachments,
        taggedUserIds: tagged,
        hashtags: extractHashtags(body),
      }),
    );
    await this.notifyTagged(
      db,
      meId,
      { id, authorId: meId, spaceId: space?.id ?? null, visibility },
      tagged,
      body,
    );
    if (space)
      for (const h of this.hooks.onSpacePost) await h(db, { postId: id, authorId: meId, space, body });
    return this.reader.get(db, meId, id);
  }

  /** post_tag to each tagged user who may see the post (visibility.ts decides). */
  private async notifyTagged(
    db: Db,
    authorId: string,
    post: { id: string; authorId: string; spaceId: string | null; visibility: string },
    tagged: string[],
    body: string,
  ): Promise<void> {
    if (tagged.length === 0) return;
    const [author] = await userSummaries(db, [authorId]);
    for (const u of tagged) {
      const relOf = await loadRelationships(db, u, [authorId]);
      if (!canSeePost(post, relOf(authorId))) continue;
      await this.deps.notifier.notify(
        u,
        'post_tag',
        {
          postId: post.id,
          actorId: authorId,
          actorUsername: author?.username ?? null,
          actorDisplayName: author?.display_name ?? null,
          actorAvatarUrl: author?.avatar_url ?? null,
          preview: body.slice(0, 200),
        },
        { actorId: authorId },
      );
    }
  }

  /** PATCH /users/me/posts/:postId (body, visibility; a space post stays public). */
  async patch(db: Db, meId: string, postId: string, input: PatchPostInput): Promise<PostDto> {
    const post = await this.own(db, meId, postId);
    const body = input.body ?? post.body;
    if (input.body !== undefined && !body.trim() && post.repost_of_id === null) {
      const att = await db
        .selectFrom('post_attachments')
        .select('id')
        .where('post_id', '=', postId)
        .executeTakeFirst();
      if (!att) throw badRequest('A post needs text or at least one attachment');
    }
    const visibility = post.space_id ? 'public' : (input.visibility ?? post.visibility);
    await inTx(db, async (trx) => {
      await updatePost(trx, postId, { body, visibility, edited_at: new Date(this.p.clock.now()) });
      if (input.body !== undefined) await replaceHashtags(trx, postId, extractHashtags(body));
    });
    return this.reader.get(db, meId, postId);
  }

  /** DELETE /users/me/posts/:postId: the author, or a MANAGE_SOCIAL holder for a space post. */
  async remove(db: Db, meId: string, postId: string): Promise<void> {
    const post = await getPost(db, postId);
    if (!post) throw notFound('Post not found');
    if (post.author_id !== meId) {
      if (!post.space_id) throw notFound('Post not found');
      await this.deps.spaces().requireManageSocial(db, meId, post.space_id);
    }
    await deletePost(db, postId);
  }

  /** PUT /users/me/posts/:postId/pin: at most one pinned post (the previous one is unpinned). */
  async pin(db: Db, meId: string, postId: string): Promise<PostDto> {
    await this.own(db, meId, postId);
    await inTx(db, async (trx) => {
      await lockUser(trx, meId);
      await pin(trx, meId, postId, new Date(this.p.clock.now()));
    });
    return this.reader.get(db, meId, postId);
  }

  /** DELETE /users/me/posts/:postId/pin */
  async unpin(db: Db, meId: string, postId: string): Promise<void> {
    await this.own(db, meId, postId);
    await unpin(db, postId);
  }

  /** POST /users/me/posts/repost */
  async repost(db: Db, meId: string, input: RepostInput): Promise<PostDto> {
    const found = await this.reader.visiblePost(db, meId, input.originalPostId);
    const original = found.original;
    let target = found.post;
    // Reposting a plain repost reposts what it points at.
    if (target.repost_of_id !== null && !target.body.trim()) {
      if (!original) throw notFound('Post not found');
      target = original;
    }
    if (target.author_id === meId && target.space_id === null)
      throw badRequest('You cannot repost your own post');
    const cfg = this.p.config;
    const id = this.p.ids.next();
    const now = this.p.clock.now();
    await inTx(db, async (trx) => {
      await lockUser(trx, meId);
      for (const [limit, windowMs, what] of [
        [cfg.REPOST_LIMIT_HOURLY, HOUR, 'hour'],
        [cfg.REPOST_LIMIT_DAILY, 24 * HOUR, 'day'],
      ] as const) {
        const since = new Date(now - windowMs);
        if ((await countRepostsSince(trx, meId, since)) >= limit) {
          const oldest = await oldestRepostSince(trx, meId, since);
          const retry = oldest ? oldest.getTime() + windowMs - now : windowMs;
          throw rateLimited(retry, `Repost limit reached: at most ${limit} reposts per ${what}`);
        }
      }
      await insertPost(trx, {
        id,
        authorId: meId,
        spaceId: null,
        body: input.body ?? '',
        visibility: input.visibility ?? 'public',
        repostOfId: target.id,
        createdAt: new Date(now),
        attachments: [],
        taggedUserIds: [],
        hashtags: extractHashtags(input.body ?? ''),
      });
    });
    return this.reader.get(db, meId, id);
  }

  /** POST /users/me/posts/:postId/share-to-channel and /share-to-dm */
  async share(
    db: Db,
    meId: string,
    postId: string,
    to: { channelId: string; content?: string | undefined } | { conversationId: string },
  ): Promise<unknown> {
    const { post } = await this.reader.visiblePost(db, meId, postId);
    // Sharing copies a link where others read it: only one's own posts, or public ones.
    if (post.author_id !== meId && post.visibility !== 'public' && post.space_id === null)
      throw badRequest('Only public posts can be shared');
    const link = `${this.p.config.PUBLIC_URL.replace(/\/$/, '')}/posts/${postId}`;
    const share = this.deps.share();
    if ('channelId' in to) {
      const content = to.content?.trim() ? `${to.content.trim()}\n${link}` : link;
      return share.toChannel(db, meId, to.channelId, content);
    }
    return share.toDm(db, meId, to.conversationId, link);
  }
}
