/**
 * DM inputs (validated once, at the edge) and the objects clients see: the Conversation object
 * (GET /conversations, conversation:created / conversation:updated) and the DM Message object
 * (GET .../messages, dm:new, dm:updated, GET /messages/:messageId).
 */
import * as v from 'valibot';
import { limitParam, snowflake, str, trimmed } from '../../http/validate.ts';
import type { ProfileRow } from './conversations.repository.ts';
import type { MessageRow, ReactionDto } from './messages.repository.ts';
import type { ConversationType, MemberStatus, StoredAttachment } from './tables.ts';
import type { PendingMessage } from '../../actors/conversation/conversation.events.ts';

export const MAX_CONTENT = 4000;

const content = v.pipe(
  str(1, MAX_CONTENT),
  v.check((s) => s.trim().length > 0, 'must not be blank'),
);

export const GroupInput = v.object({
  name: v.optional(v.nullable(trimmed(1, 100))),
  participantIds: v.pipe(
    v.array(snowflake),
    v.minLength(1, 'needs 1 to 9 participants'),
    v.maxLength(9, 'needs 1 to 9 participants'),
  ),
});
export const AddMembersInput = v.object({
  userIds: v.pipe(
    v.array(snowflake),
    v.minLength(1, 'needs at least one user'),
    v.maxLength(9, 'at most 9 users'),
  ),
});
export const RenameInput = v.object({ name: trimmed(1, 100) });
export const SendInput = v.object({ content });
export const EditInput = v.object({ content });
export const UploadFields = v.object({ content: v.optional(v.pipe(str(0, MAX_CONTENT))) });
export const SocketSendInput = v.object({ conversationId: snowflake, content });
export const MessagesQuery = v.object({
  before: v.optional(snowflake),
  after: v.optional(snowflake),
  limit: limitParam(50, 100),
});
/** A reaction emoji from the path: a short string without whitespace. */
export const Emoji = v.pipe(
  v.string(),
  v.minLength(1, 'emoji is required'),
  v.maxLength(64, 'emoji is too long'),
  v.regex(/^\S+$/u, 'emoji must not contain spaces'),
);

export interface UserSummary {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  baseColor: string | null;
  accentColor: string | null;
}

export function toUserSummary(p: ProfileRow): UserSummary {
  return {
    id: p.id,
    username: p.username,
    displayName: p.display_name,
    avatarUrl: p.avatar_url,
    baseColor: p.base_color,
    accentColor: p.accent_color,
  };
}

export interface MessageDto {
  id: string;
  conversationId: string;
  authorId: string | null;
  author: UserSummary | null;
  content: string;
  attachments: StoredAttachment[];
  reactions: ReactionDto[];
  editedAt: string | null;
  createdAt: string;
}

export function toMessageDto(
  m: MessageRow,
  authors: Map<string, ProfileRow>,
  reactions: ReactionDto[] = [],
): MessageDto {
  const author = m.author_id ? authors.get(m.author_id) : undefined;
  return {
    id: m.id,
    conversationId: m.conversation_id,
    authorId: m.author_id,
    author: author ? toUserSummary(author) : null,
    content: m.content,
    attachments: m.attachments,
    reactions,
    editedAt: m.edited_at ? m.edited_at.toISOString() : null,
    createdAt: m.created_at.toISOString(),
  };
}

export interface ConversationMemberDto extends UserSummary {
  userId: string;
  status: MemberStatus;
  joinedAt: string;
}

export interface ConversationDto {
  id: string;
  type: ConversationType;
  name: string | null;
  createdBy: string | null;
  /** The viewer's own state: 'accepted' for a live conversation, 'pending' for a message request. */
  status: MemberStatus;
  muted: boolean;
  /** Members who see the conversation (accepted, or invited and pending). */
  members: ConversationMemberDto[];
  lastMessage: MessageDto | null;
  lastMessageAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What the presenter needs of a conversation, whether it comes from the actor or from rows. */
export interface ConversationShape {
  id: string;
  type: ConversationType;
  name: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastMessageAt: Date | null;
  members: Array<{ userId: string; status: MemberStatus; joinedAt: Date }>;
  viewer: { status: MemberStatus; muted: boolean };
}

export function toConversationDto(
  c: ConversationShape,
  profiles: Map<string, ProfileRow>,
  lastMessage: MessageDto | null,
): ConversationDto {
  const members: ConversationMemberDto[] = [];
  for (const m of c.members) {
    if (m.status !== 'accepted' && m.status !== 'pending') continue;
    const p = profiles.get(m.userId);
    if (!p) continue;
    members.push({
      ...toUserSummary(p),
      userId: m.userId,
      status: m.status,
      joinedAt: m.joinedAt.toISOString(),
    });
  }
  return {
    id: c.id,
    type: c.type,
    name: c.name,
    createdBy: c.createdBy,
    status: c.viewer.status,
    muted: c.viewer.muted,
    members,
    lastMessage,
    lastMessageAt: c.lastMessageAt ? c.lastMessageAt.toISOString() : null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

/** A message as the actor accepted it, before any edit or reaction. */
export function pendingToDto(conversationId: string, m: PendingMessage): MessageDto {
  return {
    id: m.id,
    conversationId,
    authorId: m.authorId,
    author: m.author ?? null,
    content: m.content,
    attachments: m.attachments,
    reactions: [],
    editedAt: null,
    createdAt: new Date(m.createdAt).toISOString(),
  };
}
