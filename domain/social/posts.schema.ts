/** Input schemas and output shapes of the spec's "User Posts" (posts, reposts, comments, shares). */
import * as v from 'valibot';
import type { Selectable } from 'kysely';
import type { PostAttachmentsTable, PostsTable } from './tables.ts';
import type { UserSummary } from './follows.schema.ts';
import type { SpaceAuthor } from './ports.ts';
import { limitParam, pageQuery, snowflake, text } from './params.ts';

export type PostRow = Selectable<PostsTable>;
export type AttachmentRow = Selectable<PostAttachmentsTable>;

export const MAX_POST_BODY = 10_000;
export const MAX_POST_FILES = 20;
export const MAX_TAGS = 50;

const visibility = v.picklist(['public', 'followers', 'private'], 'must be public, followers or private');

/** A multipart field holding a JSON array of ids, e.g. taggedUserIds='["1","2"]'. */
const jsonIds = (max: number) =>
  v.pipe(
    v.string(),
    v.check((s) => {
      try {
        return Array.isArray(JSON.parse(s));
      } catch {
        return false;
      }
    }, 'must be a JSON array of ids'),
    v.transform((s) => (JSON.parse(s) as unknown[]).map((x) => (typeof x === 'number' ? String(x) : x))),
    v.array(snowflake),
    v.maxLength(max, `must list at most ${max} ids`),
  );

/** POST /users/me/posts form fields. */
export const CreatePostFields = v.object({
  body: v.optional(text(0, MAX_POST_BODY)),
  visibility: v.optional(visibility),
  taggedUserIds: v.optional(jsonIds(MAX_TAGS)),
  existingGalleryItemIds: v.optional(jsonIds(MAX_POST_FILES)),
  existingRouteItemIds: v.optional(jsonIds(MAX_POST_FILES)),
  spaceId: v.optional(snowflake),
});
export type CreatePostFields = v.InferOutput<typeof CreatePostFields>;

export const PatchPostInput = v.object({
  body: v.optional(text(0, MAX_POST_BODY)),
  visibility: v.optional(visibility),
});
export type PatchPostInput = v.InferOutput<typeof PatchPostInput>;

export const RepostInput = v.object({
  originalPostId: snowflake,
  visibility: v.optional(visibility),
  body: v.optional(text(0, MAX_POST_BODY)),
});
export type RepostInput = v.InferOutput<typeof RepostInput>;

export const CommentInput = v.object({
  body: v.pipe(
    text(1, 4000),
    v.check((s) => s.trim().length > 0, 'must not be blank'),
  ),
  parentCommentId: v.optional(v.nullable(snowflake)),
  spaceId: v.optional(v.nullable(snowflake)),
});
export type CommentInput = v.InferOutput<typeof CommentInput>;

export const ShareToChannelInput = v.object({ channelId: snowflake, content: v.optional(text(0, 4000)) });
export const ShareToDmInput = v.object({ conversationId: snowflake });

export const FeedQuery = pageQuery(10, 50);
export const PostsQuery = pageQuery(20, 50);
export const CommentsQuery = v.object({ before: v.optional(snowflake), limit: limitParam(50, 100) });
export const SearchQuery = v.object({
  q: v.optional(text(1, 200)),
  hashtag: v.optional(
    v.pipe(
      text(1, 65),
      v.transform((s) => s.replace(/^#/, '').toLowerCase()),
    ),
  ),
  before: v.optional(snowflake),
  limit: limitParam(20, 50),
});
export type SearchQuery = v.InferOutput<typeof SearchQuery>;

export interface ReactionDto {
  emoji: string;
  count: number;
  /** Whether the viewer reacted with this emoji. */
  reacted: boolean;
}

export interface AttachmentDto {
  id: string;
  kind: 'upload' | 'gallery' | 'route';
  itemId: string | null;
  url: string;
  filename: string;
  mimeType: string;
  size: number;
}

/** The spec's UserPost object. */
export interface PostDto {
  id: string;
  authorId: string;
  author: UserSummary | null;
  spaceId: string | null;
  spaceAuthor: SpaceAuthor | null;
  body: string;
  visibility: string;
  metadata: Record<string, unknown> | null;
  hashtags: string[];
  attachments: AttachmentDto[];
  tags: UserSummary[];
  reactions: ReactionDto[];
  commentCount: number;
  repostCount: number;
  originalPostId: string | null;
  /** The reposted post as the viewer sees it (never a post the viewer may not see). */
  originalPost: PostDto | null;
  isPinned: boolean;
  pinnedAt: string | null;
  editedAt: string | null;
  createdAt: string;
}

export function toAttachment(r: AttachmentRow): AttachmentDto {
  return {
    id: r.id,
    kind: r.kind,
    itemId: r.item_id,
    url: r.url,
    filename: r.filename,
    mimeType: r.mime_type,
    size: Number(r.size),
  };
}

/** Hashtags of a text: `#word` (letters, digits, underscore), lower-cased, unique, at most 30. */
export function extractHashtags(body: string): string[] {
  const out = new Set<string>();
  for (const m of body.matchAll(/(?:^|[^\p{L}\p{N}_&#])#([\p{L}\p{N}_]{1,64})/gu)) {
    const tag = m[1]!.toLowerCase();
    if (/^\d+$/.test(tag)) continue;
    out.add(tag);
    if (out.size >= 30) break;
  }
  return [...out];
}
