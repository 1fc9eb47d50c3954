/** Kysely types of the spaces, channels and messages tables (migration 20261125_0080_spaces). */
import type { ColumnType, Generated } from 'kysely';
import type { Id, Int8, Timestamp, TimestampDefault } from '../../engine/db/schema.ts';

type JsonCol<T> = ColumnType<T, string | undefined, string>;
type Bits = ColumnType<string, string | bigint | undefined, string | bigint>;

export interface SpacesTable {
  id: Id;
  name: string;
  slug: string;
  slug_lower: string;
  description: string | null;
  icon_url: string | null;
  owner_id: Id;
  is_public: Generated<boolean>;
  is_featured: Generated<boolean>;
  settings: JsonCol<Record<string, unknown>>;
  member_count: Generated<number>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface SpaceRolesTable {
  id: Id;
  space_id: Id;
  name: string;
  color: string | null;
  permissions: Bits;
  position: Generated<number>;
  is_default: Generated<boolean>;
  created_at: TimestampDefault;
}

export interface SpaceMembersTable {
  space_id: Id;
  user_id: Id;
  invite_code: string | null;
  joined_at: TimestampDefault;
}

export interface SpaceMemberRolesTable {
  space_id: Id;
  user_id: Id;
  role_id: Id;
}

export interface SpaceBansTable {
  space_id: Id;
  user_id: Id;
  banned_by: Id | null;
  reason: string | null;
  created_at: TimestampDefault;
}

export interface SpaceInvitesTable {
  id: Id;
  space_id: Id;
  code: string;
  created_by: Id | null;
  max_uses: number | null;
  uses: Generated<number>;
  expires_at: Timestamp | null;
  created_at: TimestampDefault;
}

export interface SpaceTagsTable {
  space_id: Id;
  tag: string;
  tag_lower: string;
  position: Generated<number>;
}

export interface SpaceMutesTable {
  user_id: Id;
  space_id: Id;
  created_at: TimestampDefault;
}

export interface SpaceMemberSettingsTable {
  space_id: Id;
  user_id: Id;
  settings: JsonCol<Record<string, boolean>>;
}

export interface ChannelCategoriesTable {
  id: Id;
  space_id: Id;
  name: string;
  position: Generated<number>;
  created_at: TimestampDefault;
}

export interface VoiceSettings {
  publicVoiceAccess?: boolean;
  publicVoiceChat?: boolean;
  publicVoiceParticipation?: boolean;
  voiceIdentityMode?: string;
}

export interface ChannelsTable {
  id: Id;
  space_id: Id;
  name: string;
  topic: string | null;
  type: string;
  is_private: Generated<boolean>;
  is_public: Generated<boolean>;
  is_admin: Generated<boolean>;
  category_id: Id | null;
  position: Generated<number>;
  voice: JsonCol<VoiceSettings>;
  voice_password_hash: string | null;
  last_message_id: Int8 | null;
  created_at: TimestampDefault;
}

export interface ChannelOverridesTable {
  channel_id: Id;
  role_id: Id;
  allow: Bits;
  deny: Bits;
}

export interface ChannelMembersTable {
  channel_id: Id;
  user_id: Id;
}

export interface ChannelMutesTable {
  user_id: Id;
  channel_id: Id;
}

export interface ChannelReadsTable {
  user_id: Id;
  channel_id: Id;
  last_read_id: Int8;
}

export interface Attachment {
  id: string;
  url: string;
  filename: string;
  mimeType: string;
  size: number;
}

export interface MessagesTable {
  id: Id;
  space_id: Id;
  channel_id: Id;
  author_id: Id | null;
  type: Generated<string>;
  content: string;
  reply_to_id: Id | null;
  thread_id: Id | null;
  attachments: JsonCol<Attachment[]>;
  pinned_at: Timestamp | null;
  pinned_by: Id | null;
  edited_at: Timestamp | null;
  created_at: TimestampDefault;
}

export interface MessageMentionsTable {
  user_id: Id;
  channel_id: Id;
  message_id: Id;
}

export interface MessageReactionsTable {
  message_id: Id;
  user_id: Id;
  emoji: string;
  created_at: TimestampDefault;
}

export interface ForumThreadsTable {
  id: Id;
  space_id: Id;
  channel_id: Id;
  author_id: Id | null;
  title: string;
  is_pinned: Generated<boolean>;
  is_locked: Generated<boolean>;
  post_count: Generated<number>;
  last_post_at: TimestampDefault;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export type ReportStatus = 'pending' | 'resolved' | 'dismissed';

export interface ReportsTable {
  id: Id;
  reporter_id: Id;
  reported_user_id: Id;
  space_id: Id | null;
  channel_id: Id | null;
  message_id: Id | null;
  dm_message_id: Id | null;
  conversation_id: Id | null;
  gallery_item_id: Id | null;
  route_id: Id | null;
  forum_post_id: Id | null;
  post_id: Id | null;
  content_type: string | null;
  content_key: string;
  reason: string;
  status: ColumnType<ReportStatus, ReportStatus | undefined, ReportStatus>;
  resolved_by: Id | null;
  resolved_at: Timestamp | null;
  created_at: TimestampDefault;
}

export interface PortalsTable {
  id: Id;
  source_space_id: Id;
  channel_id: Id;
  target_space_id: Id;
  created_by: Id | null;
  created_at: TimestampDefault;
}

export interface PortalInvitesTable {
  id: Id;
  source_space_id: Id;
  channel_id: Id;
  target_space_id: Id;
  requested_by: Id | null;
  status: ColumnType<
    'pending' | 'accepted' | 'rejected',
    'pending' | undefined,
    'pending' | 'accepted' | 'rejected'
  >;
  created_at: TimestampDefault;
}

declare module '../../engine/db/schema.ts' {
  interface Database {
    spaces: SpacesTable;
    space_roles: SpaceRolesTable;
    space_members: SpaceMembersTable;
    space_member_roles: SpaceMemberRolesTable;
    space_bans: SpaceBansTable;
    space_invites: SpaceInvitesTable;
    space_tags: SpaceTagsTable;
    space_mutes: SpaceMutesTable;
    space_member_settings: SpaceMemberSettingsTable;
    channel_categories: ChannelCategoriesTable;
    channels: ChannelsTable;
    channel_overrides: ChannelOverridesTable;
    channel_members: ChannelMembersTable;
    channel_mutes: ChannelMutesTable;
    channel_reads: ChannelReadsTable;
    messages: MessagesTable;
    message_mentions: MessageMentionsTable;
    message_reactions: MessageReactionsTable;
    forum_threads: ForumThreadsTable;
    reports: ReportsTable;
    portals: PortalsTable;
    portal_invites: PortalInvitesTable;
  }
}
