import { sql, type Kysely } from 'kysely';

// Pages, library and timeline events (issue 8; social-graph-api "User Library", "Collections";
// following-guide "Following Producers"; timeline-api "User Timeline API").
// - library_likes: one row per liked post, page (a socialEnabled space; following a page IS liking
//   it, as the producer page's Like button) or user. item_id is not a foreign key (three kinds);
//   listings join the live rows, so likes of deleted items drop out.
// - collections / collection_items: curated, ordered lists of posts.
// - timeline_events: recommendation, notification, review, personal_recommendation; recipients for
//   personal ones; per-user hidden events; users approved to post notification events.
export async function up(db: Kysely<any>): Promise<void> {
  const statements = [
    sql`create table library_likes (
      user_id bigint not null references users(id) on delete cascade,
      kind text not null check (kind in ('post', 'page', 'user')),
      item_id bigint not null,
      created_at timestamptz not null default now(),
      primary key (user_id, kind, item_id)
    )`,
    sql`create index library_likes_list_idx on library_likes (user_id, kind, created_at desc, item_id desc)`,
    sql`create index library_likes_item_idx on library_likes (kind, item_id, created_at desc, user_id desc)`,
    sql`create table collections (
      id bigint primary key,
      owner_id bigint not null references users(id) on delete cascade,
      name text not null,
      description text,
      is_public boolean not null default true,
      is_featured boolean not null default false,
      item_count integer not null default 0,
      play_count integer not null default 0,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
    sql`create index collections_owner_idx on collections (owner_id, id desc)`,
    sql`create index collections_public_idx on collections (is_public, id desc)`,
    sql`create table collection_items (
      collection_id bigint not null references collections(id) on delete cascade,
      post_id bigint not null references posts(id) on delete cascade,
      position integer not null,
      added_at timestamptz not null default now(),
      primary key (collection_id, post_id)
    )`,
    sql`create index collection_items_order_idx on collection_items (collection_id, position)`,
    sql`create table timeline_events (
      id bigint primary key,
      user_id bigint not null references users(id) on delete cascade,
      event_type text not null
        check (event_type in ('recommendation', 'notification', 'review', 'personal_recommendation')),
      metadata jsonb not null default '{}'::jsonb,
      created_at timestamptz not null default now()
    )`,
    sql`create index timeline_events_user_idx on timeline_events (user_id, created_at desc, id desc)`,
    sql`create table timeline_event_recipients (
      event_id bigint not null references timeline_events(id) on delete cascade,
      user_id bigint not null references users(id) on delete cascade,
      primary key (event_id, user_id)
    )`,
    sql`create index timeline_event_recipients_user_idx on timeline_event_recipients (user_id, event_id)`,
    sql`create table timeline_hidden_events (
      user_id bigint not null references users(id) on delete cascade,
      event_id bigint not null references timeline_events(id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (user_id, event_id)
    )`,
    sql`create table timeline_approved_users (
      user_id bigint primary key references users(id) on delete cascade,
      approved_by bigint references users(id) on delete set null,
      created_at timestamptz not null default now()
    )`,
  ];
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'timeline_approved_users',
    'timeline_hidden_events',
    'timeline_event_recipients',
    'timeline_events',
    'collection_items',
    'collections',
    'library_likes',
  ])
    await sql`drop table if exists ${sql.table(t)}`.execute(db);
}
