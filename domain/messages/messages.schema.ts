/** Inputs and outputs of "Messages", "Reactions", "Pins", "Threads" and "Forum Threads". */
import * as v from 'valibot';
import type { AttachmentRef, AuthorRef, NewMessage, ReplyRef } from '../../actors/space/space.events.ts';
import { limitParam, snowflake, str, trimmed } from '../spaces/inputs.ts';

export const MAX_CONTENT = 4000;

export const SendInput = v.object({
  content: str(0, MAX_CONTENT),
  replyToId: v.optional(v.nullable(snowflake)),
});
export const EditInput = v.object({ content: str(1, MAX_CONTENT) });
export const ListQuery = v.object({
  before: v.optional(snowflake),
  after: v.optional(snowflake),
  limit: limitParam(50, 100),
});
export const ReadInput = v.object({ messageId: snowflake });
export const SearchQuery = v.object({
  q: str(1, 200),
  limit: limitParam(25, 100),
  before: v.optional(snowflake),
});
/** Emoji: a short unicode sequence or a `:name:` custom emoji; no whitespace or slashes. */
export const emoji = v.pipe(
  str(1, 64),
  v.check((s) => !/[\s/\\]/.test(s), 'must be an emoji'),
);

export const ThreadInput = v.object({ title: trimmed(1, 200), content: str(1, MAX_CONTENT) });
export const ThreadPatch = v.object({
  title: v.optional(trimmed(1, 200)),
  isPinned: v.optional(v.boolean()),
  isLocked: v.optional(v.boolean()),
});
export const ThreadListQuery = v.object({
  before: v.optional(snowflake),
  limit: limitParam(30, 100),
  sort: v.optional(
    v.picklist(['latest', 'newest', 'oldest', 'popular'], 'must be latest, newest, oldest or popular'),
    'latest',
  ),
});
export const PostInput = v.object({
  content: str(1, MAX_CONTENT),
  replyToId: v.optional(v.nullable(snowflake)),
});
export const PostListQuery = v.object({ after: v.optional(snowflake), limit: limitParam(50, 100) });

export interface ReactionDto {
  emoji: string;
  count: number;
  userIds: string[];
  me?: boolean;
}

export interface MessageDto {
  id: string;
  channelId: string;
  spaceId: string;
  authorId: string | null;
  author: AuthorRef | null;
  type: string;
  content: string;
  replyToId: string | null;
  replyTo: ReplyRef | null;
  threadId: string | null;
  attachments: AttachmentRef[];
  reactions: ReactionDto[];
  pinned: boolean;
  pinnedAt: string | null;
  editedAt: string | null;
  createdAt: string;
}

/** A message just written: what message:new carries (no reactions, not pinned, not edited). */
export function newMessageDto(m: NewMessage): MessageDto {
  return {
    id: m.id,
    channelId: m.channelId,
    spaceId: m.spaceId,
    authorId: m.authorId,
    author: m.author,
    type: m.type,
    content: m.content,
    replyToId: m.replyToId,
    replyTo: m.replyTo,
    threadId: m.threadId,
    attachments: m.attachments,
    reactions: [],
    pinned: false,
    pinnedAt: null,
    editedAt: null,
    createdAt: new Date(m.createdAt).toISOString(),
  };
}

/** A forum post (spec "Forum Threads"): a message of a thread. */
export function toPost(m: MessageDto) {
  return {
    id: m.id,
    threadId: m.threadId,
    channelId: m.channelId,
    spaceId: m.spaceId,
    authorId: m.authorId,
    author: m.author,
    content: m.content,
    replyToId: m.replyToId,
    replyTo: m.replyTo,
    attachments: m.attachments,
    reactions: m.reactions,
    editedAt: m.editedAt,
    createdAt: m.createdAt,
  };
}
