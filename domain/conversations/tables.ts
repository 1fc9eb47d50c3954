/** Kysely types of the DM tables (migration 20261125_0040_conversations). */
import type { ColumnType } from 'kysely';
import type { Id, Int8, Timestamp, TimestampDefault } from '../../engine/db/schema.ts';

export type ConversationType = 'dm' | 'group';
export type MemberStatus = 'pending' | 'accepted' | 'declined' | 'left';

export interface ConversationsTable {
  id: Id;
  type: ConversationType;
  name: string | null;
  created_by: Id | null;
  /** '<low id>:<high id>' for 1:1 conversations: the unique key of the pair. */
  pair_key: string | null;
  last_message_id: Int8 | null;
  last_message_at: Timestamp | null;
  /** The conversation actor's revision this row reflects (migration 0044). */
  rev: ColumnType<number, number | undefined, number>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface ConversationMembersTable {
  conversation_id: Id;
  user_id: Id;
  status: MemberStatus;
  muted: ColumnType<boolean, boolean | undefined, boolean>;
  last_read_id: ColumnType<string, string | bigint | undefined, string | bigint>;
  added_by: Id | null;
  joined_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface StoredAttachment {
  id: string;
  url: string;
  filename: string;
  mimeType: string;
  size: number;
}

export interface DmMessagesTable {
  id: Id;
  conversation_id: Id;
  author_id: Id | null;
  content: string;
  attachments: ColumnType<StoredAttachment[], string | undefined, string>;
  edited_at: Timestamp | null;
  created_at: TimestampDefault;
}

export interface DmReactionsTable {
  message_id: Id;
  user_id: Id;
  emoji: string;
  created_at: TimestampDefault;
}

declare module '../../engine/db/schema.ts' {
  interface Database {
    conversations: ConversationsTable;
    conversation_members: ConversationMembersTable;
    dm_messages: DmMessagesTable;
    dm_reactions: DmReactionsTable;
  }
}
