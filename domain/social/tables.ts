/** Kysely types of the social tables (migration 20261125_0060_social; follows are in accounts). */
import type { ColumnType } from 'kysely';
import type { Id, Int8, Timestamp, TimestampDefault } from '../../engine/db/schema.ts';

export type PostVisibility = 'public' | 'followers' | 'private';

export interface PostsTable {
  id: Id;
  author_id: Id;
  /** Set when the post is authored on behalf of a space (always public). */
  space_id: Id | null;
  body: ColumnType<string, string | undefined, string>;
  visibility: PostVisibility;
  repost_of_id: Id | null;
  metadata: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  pinned_at: Timestamp | null;
  edited_at: Timestamp | null;
  created_at: TimestampDefault;
}

export type AttachmentKind = 'upload' | 'gallery' | 'route';

export interface PostAttachmentsTable {
  id: Id;
  post_id: Id;
  kind: AttachmentKind;
  item_id: Id | null;
  url: string;
  filename: string;
  mime_type: string;
  size: Int8;
  position: number;
}

export interface PostTagsTable {
  post_id: Id;
  user_id: Id;
}

export interface PostHashtagsTable {
  tag: string;
  post_id: Id;
}

export interface PostReactionsTable {
  post_id: Id;
  emoji: string;
  user_id: Id;
  created_at: TimestampDefault;
}

export interface PostCommentsTable {
  id: Id;
  post_id: Id;
  author_id: Id;
  parent_id: Id | null;
  space_id: Id | null;
  body: string;
  created_at: TimestampDefault;
}

export interface CommentReactionsTable {
  comment_id: Id;
  emoji: string;
  user_id: Id;
  created_at: TimestampDefault;
}

declare module '../../engine/db/schema.ts' {
  interface Database {
    posts: PostsTable;
    post_attachments: PostAttachmentsTable;
    post_tags: PostTagsTable;
    post_hashtags: PostHashtagsTable;
    post_reactions: PostReactionsTable;
    post_comments: PostCommentsTable;
    comment_reactions: CommentReactionsTable;
  }
}
