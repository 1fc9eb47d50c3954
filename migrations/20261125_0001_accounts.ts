import { sql, type Kysely } from 'kysely';

// Accounts: users, preferences, handles (usernames and space slugs share one namespace), tokens,
// MFA, profile links, blocks, mutes, global bans; and the shared-secret store.
export async function up(db: Kysely<any>): Promise<void> {
  const statements = [
    sql`create table system_settings (key text primary key, value text not null)`,
    sql`create table users (
      id bigint primary key,
      email text not null,
      email_lower text not null unique,
      username text not null,
      username_lower text not null unique,
      display_name text not null,
      password_hash text,
      avatar_url text,
      bio text,
      is_admin boolean not null default false,
      email_verified boolean not null default false,
      totp_secret text,
      totp_enabled boolean not null default false,
      base_color text,
      accent_color text,
      status text not null default 'online',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
    sql`create index users_display_name_lower_idx on users (lower(display_name) text_pattern_ops)`,
    sql`create index users_username_prefix_idx on users (username_lower text_pattern_ops)`,
    // One namespace for user names and space slugs (spec: neither may take the other's), enforced
    // by a unique key rather than a check-then-insert race.
    sql`create table handles (
      handle_lower text primary key,
      kind text not null check (kind in ('user', 'space')),
      owner_id bigint not null
    )`,
    sql`create table user_preferences (
      user_id bigint primary key references users(id) on delete cascade,
      distance_units text not null default 'metric',
      default_visibility text not null default 'public',
      profile_visibility text not null default 'public',
      onboarding_completed boolean not null default false,
      newsletter_enabled boolean not null default false,
      activities_visibility text,
      follow_request_policy text not null default 'accept_all',
      msg_privacy_all text not null default 'accept_all',
      msg_privacy_followed text not null default 'accept_all',
      msg_privacy_spaces text not null default 'accept_all',
      msg_privacy_group_dm text not null default 'accept_all',
      timezone text not null default 'UTC'
    )`,
    sql`create table refresh_tokens (
      id bigint primary key,
      user_id bigint not null references users(id) on delete cascade,
      family_id bigint not null,
      token_hash text not null unique,
      expires_at timestamptz not null,
      revoked_at timestamptz,
      rotated_at timestamptz,
      created_at timestamptz not null default now()
    )`,
    sql`create index refresh_tokens_family_idx on refresh_tokens (family_id)`,
    sql`create index refresh_tokens_user_idx on refresh_tokens (user_id)`,
    sql`create table email_tokens (
      token_hash text primary key,
      user_id bigint not null references users(id) on delete cascade,
      kind text not null check (kind in ('verify', 'magic', 'reset')),
      expires_at timestamptz not null,
      used_at timestamptz,
      created_at timestamptz not null default now()
    )`,
    sql`create index email_tokens_user_idx on email_tokens (user_id, kind)`,
    sql`create table mfa_backup_codes (
      id bigint primary key,
      user_id bigint not null references users(id) on delete cascade,
      code_hash text not null,
      used_at timestamptz
    )`,
    sql`create index mfa_backup_codes_user_idx on mfa_backup_codes (user_id)`,
    sql`create table profile_links (
      id bigint primary key,
      user_id bigint not null references users(id) on delete cascade,
      label text not null,
      url text not null,
      position integer not null,
      created_at timestamptz not null default now()
    )`,
    sql`create index profile_links_user_idx on profile_links (user_id, position)`,
    sql`create table user_blocks (
      blocker_id bigint not null references users(id) on delete cascade,
      blocked_id bigint not null references users(id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (blocker_id, blocked_id)
    )`,
    sql`create index user_blocks_blocked_idx on user_blocks (blocked_id)`,
    sql`create table user_mutes (
      user_id bigint not null references users(id) on delete cascade,
      muted_id bigint not null references users(id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (user_id, muted_id)
    )`,
    sql`create table user_bans (
      user_id bigint primary key references users(id) on delete cascade,
      banned_by bigint references users(id) on delete set null,
      reason text,
      created_at timestamptz not null default now()
    )`,
    // Follows live here because blocks must remove them (accounts) and the social graph builds on them.
    sql`create table follows (
      follower_id bigint not null references users(id) on delete cascade,
      followee_id bigint not null references users(id) on delete cascade,
      status text not null check (status in ('pending', 'accepted')),
      created_at timestamptz not null default now(),
      primary key (follower_id, followee_id)
    )`,
    sql`create index follows_followee_idx on follows (followee_id, status)`,
  ];
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'follows',
    'user_bans',
    'user_mutes',
    'user_blocks',
    'profile_links',
    'mfa_backup_codes',
    'email_tokens',
    'refresh_tokens',
    'user_preferences',
    'handles',
    'users',
    'system_settings',
  ])
    await sql`drop table if exists ${sql.table(t)}`.execute(db);
}
