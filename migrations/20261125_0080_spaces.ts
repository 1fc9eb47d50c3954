import { sql, type Kysely } from 'kysely';

// Spaces (spec "Spaces" .. "Portals"): spaces, roles, members, bans, invites, channels, overrides,
// categories, messages, reactions, forum threads, reports, portals, per-user settings. The space actor
// (actors/space) owns membership, roles, overrides, bans and invite uses; these rows are what it
// writes through its effects and what listings read. Permission bitfields are bigint.
export async function up(db: Kysely<any>): Promise<void> {
  const statements = [
    sql`create table spaces (
      id bigint primary key,
      name text not null,
      slug text not null,
      slug_lower text not null unique,
      description text,
      icon_url text,
      owner_id bigint not null references users(id) on delete cascade,
      is_public boolean not null default false,
      is_featured boolean not null default false,
      settings jsonb not null default '{}'::jsonb,
      member_count integer not null default 0,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
    sql`create index spaces_public_idx on spaces (is_public, member_count desc, id)`,
    sql`create table space_roles (
      id bigint primary key,
      space_id bigint not null references spaces(id) on delete cascade,
      name text not null,
      color text,
      permissions bigint not null default 0,
      position integer not null default 0,
      is_default boolean not null default false,
      created_at timestamptz not null default now()
    )`,
    sql`create index space_roles_space_idx on space_roles (space_id, position)`,
    sql`create table space_members (
      space_id bigint not null references spaces(id) on delete cascade,
      user_id bigint not null references users(id) on delete cascade,
      invite_code text,
      joined_at timestamptz not null default now(),
      primary key (space_id, user_id)
    )`,
    sql`create index space_members_user_idx on space_members (user_id, space_id)`,
    sql`create table space_member_roles (
      space_id bigint not null references spaces(id) on delete cascade,
      user_id bigint not null,
      role_id bigint not null references space_roles(id) on delete cascade,
      primary key (space_id, user_id, role_id),
      foreign key (space_id, user_id) references space_members(space_id, user_id) on delete cascade
    )`,
    sql`create index space_member_roles_role_idx on space_member_roles (role_id)`,
    sql`create table space_bans (
      space_id bigint not null references spaces(id) on delete cascade,
      user_id bigint not null references users(id) on delete cascade,
      banned_by bigint references users(id) on delete set null,
      reason text,
      created_at timestamptz not null default now(),
      primary key (space_id, user_id)
    )`,
    sql`create table space_invites (
      id bigint primary key,
      space_id bigint not null references spaces(id) on delete cascade,
      code text not null unique,
      created_by bigint references users(id) on delete set null,
      max_uses integer,
      uses integer not null default 0,
      expires_at timestamptz,
      created_at timestamptz not null default now()
    )`,
    sql`create index space_invites_space_idx on space_invites (space_id)`,
    sql`create table space_tags (
      space_id bigint not null references spaces(id) on delete cascade,
      tag text not null,
      tag_lower text not null,
      position integer not null default 0,
      primary key (space_id, tag_lower)
    )`,
    sql`create index space_tags_tag_idx on space_tags (tag_lower)`,
    sql`create table space_mutes (
      user_id bigint not null references users(id) on delete cascade,
      space_id bigint not null references spaces(id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (user_id, space_id)
    )`,
    sql`create table space_member_settings (
      space_id bigint not null references spaces(id) on delete cascade,
      user_id bigint not null references users(id) on delete cascade,
      settings jsonb not null default '{}'::jsonb,
      primary key (space_id, user_id)
    )`,
    sql`create table channel_categories (
      id bigint primary key,
      space_id bigint not null references spaces(id) on delete cascade,
      name text not null,
      position integer not null default 0,
      created_at timestamptz not null default now()
    )`,
    sql`create index channel_categories_space_idx on channel_categories (space_id, position)`,
    sql`create table channels (
      id bigint primary key,
      space_id bigint not null references spaces(id) on delete cascade,
      name text not null,
      topic text,
      type text not null default 'text',
      is_private boolean not null default false,
      is_public boolean not null default false,
      is_admin boolean not null default false,
      category_id bigint references channel_categories(id) on delete set null,
      position integer not null default 0,
      voice jsonb not null default '{}'::jsonb,
      voice_password_hash text,
      last_message_id bigint,
      created_at timestamptz not null default now()
    )`,
    sql`create index channels_space_idx on channels (space_id, position, id)`,
    sql`create table channel_overrides (
      channel_id bigint not null references channels(id) on delete cascade,
      role_id bigint not null references space_roles(id) on delete cascade,
      allow bigint not null default 0,
      deny bigint not null default 0,
      primary key (channel_id, role_id)
    )`,
    sql`create table channel_members (
      channel_id bigint not null references channels(id) on delete cascade,
      user_id bigint not null references users(id) on delete cascade,
      primary key (channel_id, user_id)
    )`,
    sql`create table channel_mutes (
      user_id bigint not null references users(id) on delete cascade,
      channel_id bigint not null references channels(id) on delete cascade,
      primary key (user_id, channel_id)
    )`,
    sql`create table channel_reads (
      user_id bigint not null references users(id) on delete cascade,
      channel_id bigint not null references channels(id) on delete cascade,
      last_read_id bigint not null default 0,
      primary key (user_id, channel_id)
    )`,
    // thread_id: a forum post (its thread); null for a channel message. reply_to_id: a reply.
    sql`create table messages (
      id bigint primary key,
      space_id bigint not null,
      channel_id bigint not null references channels(id) on delete cascade,
      author_id bigint references users(id) on delete set null,
      type text not null default 'default',
      content text not null default '',
      reply_to_id bigint,
      thread_id bigint,
      attachments jsonb not null default '[]'::jsonb,
      pinned_at timestamptz,
      pinned_by bigint,
      edited_at timestamptz,
      created_at timestamptz not null default now()
    )`,
    sql`create index messages_channel_idx on messages (channel_id, id) where thread_id is null`,
    sql`create index messages_thread_idx on messages (thread_id, id) where thread_id is not null`,
    sql`create index messages_reply_idx on messages (reply_to_id, id) where reply_to_id is not null`,
    sql`create index messages_pinned_idx on messages (channel_id, pinned_at) where pinned_at is not null`,
    sql`create index messages_fts_idx on messages using gin (to_tsvector('english', content))`,
    sql`create table message_mentions (
      user_id bigint not null,
      channel_id bigint not null references channels(id) on delete cascade,
      message_id bigint not null references messages(id) on delete cascade,
      primary key (user_id, channel_id, message_id)
    )`,
    sql`create table message_reactions (
      message_id bigint not null references messages(id) on delete cascade,
      user_id bigint not null references users(id) on delete cascade,
      emoji text not null,
      created_at timestamptz not null default now(),
      primary key (message_id, user_id, emoji)
    )`,
    sql`create table forum_threads (
      id bigint primary key,
      space_id bigint not null,
      channel_id bigint not null references channels(id) on delete cascade,
      author_id bigint references users(id) on delete set null,
      title text not null,
      is_pinned boolean not null default false,
      is_locked boolean not null default false,
      post_count integer not null default 0,
      last_post_at timestamptz not null default now(),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
    sql`create index forum_threads_channel_idx on forum_threads (channel_id, is_pinned, last_post_at)`,
    // content_key names the reported item; one pending report per reporter and item.
    sql`create table reports (
      id bigint primary key,
      reporter_id bigint not null references users(id) on delete cascade,
      reported_user_id bigint not null,
      space_id bigint,
      channel_id bigint,
      message_id bigint,
      dm_message_id bigint,
      conversation_id bigint,
      gallery_item_id bigint,
      route_id bigint,
      forum_post_id bigint,
      post_id bigint,
      content_type text,
      content_key text not null,
      reason text not null,
      status text not null default 'pending' check (status in ('pending', 'resolved', 'dismissed')),
      resolved_by bigint,
      resolved_at timestamptz,
      created_at timestamptz not null default now()
    )`,
    sql`create unique index reports_active_uq on reports (reporter_id, content_key) where status = 'pending'`,
    sql`create index reports_space_idx on reports (space_id, status, id)`,
    sql`create table portals (
      id bigint primary key,
      source_space_id bigint not null references spaces(id) on delete cascade,
      channel_id bigint not null references channels(id) on delete cascade,
      target_space_id bigint not null references spaces(id) on delete cascade,
      created_by bigint,
      created_at timestamptz not null default now(),
      unique (channel_id, target_space_id)
    )`,
    sql`create index portals_target_idx on portals (target_space_id)`,
    sql`create table portal_invites (
      id bigint primary key,
      source_space_id bigint not null references spaces(id) on delete cascade,
      channel_id bigint not null references channels(id) on delete cascade,
      target_space_id bigint not null references spaces(id) on delete cascade,
      requested_by bigint,
      status text not null default 'pending' check (status in ('pending', 'accepted', 'rejected')),
      created_at timestamptz not null default now()
    )`,
    sql`create index portal_invites_target_idx on portal_invites (target_space_id, status)`,
  ];
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'portal_invites',
    'portals',
    'reports',
    'forum_threads',
    'message_reactions',
    'message_mentions',
    'messages',
    'channel_reads',
    'channel_mutes',
    'channel_members',
    'channel_overrides',
    'channels',
    'channel_categories',
    'space_member_settings',
    'space_mutes',
    'space_tags',
    'space_invites',
    'space_bans',
    'space_member_roles',
    'space_members',
    'space_roles',
    'spaces',
  ])
    await sql`drop table if exists ${sql.table(t)}`.execute(db);
}
