/** Kysely types of the accounts tables (migration 20261125_0001_accounts). */
import type { Generated } from 'kysely';
import type { Id, Timestamp, TimestampDefault } from '../../engine/db/schema.ts';

export interface UsersTable {
  id: Id;
  email: string;
  email_lower: string;
  username: string;
  username_lower: string;
  display_name: string;
  password_hash: string | null;
  avatar_url: string | null;
  bio: string | null;
  is_admin: Generated<boolean>;
  email_verified: Generated<boolean>;
  totp_secret: string | null;
  totp_enabled: Generated<boolean>;
  base_color: string | null;
  accent_color: string | null;
  status: Generated<string>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface HandlesTable {
  handle_lower: string;
  kind: 'user' | 'space';
  owner_id: Id;
}

export interface UserPreferencesTable {
  user_id: Id;
  distance_units: Generated<string>;
  default_visibility: Generated<string>;
  profile_visibility: Generated<string>;
  onboarding_completed: Generated<boolean>;
  newsletter_enabled: Generated<boolean>;
  activities_visibility: string | null;
  follow_request_policy: Generated<string>;
  msg_privacy_all: Generated<string>;
  msg_privacy_followed: Generated<string>;
  msg_privacy_spaces: Generated<string>;
  msg_privacy_group_dm: Generated<string>;
  timezone: Generated<string>;
}

export interface RefreshTokensTable {
  id: Id;
  user_id: Id;
  family_id: Id;
  token_hash: string;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  rotated_at: Timestamp | null;
  created_at: TimestampDefault;
}

export interface EmailTokensTable {
  token_hash: string;
  user_id: Id;
  kind: 'verify' | 'magic' | 'reset';
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: TimestampDefault;
}

export interface MfaBackupCodesTable {
  id: Id;
  user_id: Id;
  code_hash: string;
  used_at: Timestamp | null;
}

export interface ProfileLinksTable {
  id: Id;
  user_id: Id;
  label: string;
  url: string;
  position: number;
  created_at: TimestampDefault;
}

export interface UserBlocksTable {
  blocker_id: Id;
  blocked_id: Id;
  created_at: TimestampDefault;
}

export interface UserMutesTable {
  user_id: Id;
  muted_id: Id;
  created_at: TimestampDefault;
}

export interface UserBansTable {
  user_id: Id;
  banned_by: Id | null;
  reason: string | null;
  created_at: TimestampDefault;
}

export interface FollowsTable {
  follower_id: Id;
  followee_id: Id;
  status: 'pending' | 'accepted';
  created_at: TimestampDefault;
}

export interface SystemSettingsTable {
  key: string;
  value: string;
}

declare module '../../engine/db/schema.ts' {
  interface Database {
    system_settings: SystemSettingsTable;
    users: UsersTable;
    handles: HandlesTable;
    user_preferences: UserPreferencesTable;
    refresh_tokens: RefreshTokensTable;
    email_tokens: EmailTokensTable;
    mfa_backup_codes: MfaBackupCodesTable;
    profile_links: ProfileLinksTable;
    user_blocks: UserBlocksTable;
    user_mutes: UserMutesTable;
    user_bans: UserBansTable;
    follows: FollowsTable;
  }
}
