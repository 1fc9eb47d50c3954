import { sql, type Kysely } from 'kysely';

// Social graph (spec "User Posts", "Follows"): posts (own, reposts, space-authored), attachments,
// tagged users, hashtags, reactions, comments and comment reactions. The follows table itself is in
// 0001 (blocks remove follows there). space_id has no foreign key: spaces are created by a later
// migration; the spaces feature removes a space's posts when it deletes the space.
export async function up(db: Kysely<any>): Promise<void> {
  const statements = [
    sql`create table posts (
      id bigint primary key,
      author_id bigint not null references users(id) on delete cascade,
      space_id bigint,
      body text not null default '',
      visibility text not null check (visibility in ('public', 'followers', 'private')),
      repost_of_id bigint references posts(id) on delete cascade,
      metadata jsonb,
      pinned_at timestamptz,
      edited_at timestamptz,
      created_at timestamptz not null default now()
    )`,
    // A user's posts newest first (profiles, "own posts", the feed's per-author probes).
    sql`create index posts_author_idx on posts (author_id, id desc)`,
    sql`create index posts_space_idx on posts (space_id, id desc) where space_id is not null`,
    // One pinned post per user (spec "PUT /users/me/posts/:postId/pin").
    sql`create unique index posts_pinned_idx on posts (author_id) where pinned_at is not null`,
    sql`create index posts_repost_of_idx on posts (repost_of_id) where repost_of_id is not null`,
    // The repost limits count a user's reposts of the last hour / day.
    sql`create index posts_reposts_idx on posts (author_id, created_at) where repost_of_id is not null`,
    sql`create index posts_fts_idx on posts using gin (to_tsvector('simple', body))`,
    sql`create table post_attachments (
      id bigint primary key,
      post_id bigint not null references posts(id) on delete cascade,
      kind text not null check (kind in ('upload', 'gallery', 'route')),
      item_id bigint,
      url text not null,
      filename text not null,
      mime_type text not null,
      size bigint not null default 0,
      position integer not null
    )`,
    sql`create index post_attachments_post_idx on post_attachments (post_id, position)`,
    sql`create table post_tags (
      post_id bigint not null references posts(id) on delete cascade,
      user_id bigint not null references users(id) on delete cascade,
      primary key (post_id, user_id)
    )`,
    sql`create index post_tags_user_idx on post_tags (user_id)`,
    sql`create table post_hashtags (
      tag text not null,
      post_id bigint not null references posts(id) on delete cascade,
      primary key (tag, post_id)
    )`,
    sql`create index post_hashtags_post_idx on post_hashtags (post_id)`,
    sql`create table post_reactions (
      post_id bigint not null references posts(id) on delete cascade,
      emoji text not null,
      user_id bigint not null references users(id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (post_id, emoji, user_id)
    )`,
    sql`create table post_comments (
      id bigint primary key,
      post_id bigint not null references posts(id) on delete cascade,
      author_id bigint not null references users(id) on delete cascade,
      parent_id bigint references post_comments(id) on delete cascade,
      space_id bigint,
      body text not null,
      created_at timestamptz not null default now()
    )`,
    sql`create index post_comments_post_idx on post_comments (post_id, id)`,
    sql`create index post_comments_parent_idx on post_comments (parent_id) where parent_id is not null`,
    sql`create table comment_reactions (
      comment_id bigint not null references post_comments(id) on delete cascade,
      emoji text not null,
      user_id bigint not null references users(id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (comment_id, emoji, user_id)
    )`,
  ];
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'comment_reactions',
    'post_comments',
    'post_reactions',
    'post_hashtags',
    'post_tags',
    'post_attachments',
    'posts',
  ])
    await sql`drop table if exists ${sql.table(t)}`.execute(db);
}
