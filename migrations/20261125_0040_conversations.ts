import { sql, type Kysely } from 'kysely';

// Direct messages (spec "Direct Messages"): conversations (1:1 and group), their members with each
// member's state, messages, reactions. The conversation actor owns the decisions; these rows are its
// projection (what listings, unread counts and lookups read).
export async function up(db: Kysely<any>): Promise<void> {
  const statements = [
    // pair_key '<low id>:<high id>' makes the 1:1 conversation of two users unique, so both users
    // opening it at once still get one conversation.
    sql`create table conversations (
      id bigint primary key,
      type text not null check (type in ('dm', 'group')),
      name text,
      created_by bigint references users(id) on delete set null,
      pair_key text unique,
      last_message_id bigint,
      last_message_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
    sql`create table conversation_members (
      conversation_id bigint not null references conversations(id) on delete cascade,
      user_id bigint not null references users(id) on delete cascade,
      status text not null check (status in ('pending', 'accepted', 'declined', 'left')),
      muted boolean not null default false,
      last_read_id bigint not null default 0,
      added_by bigint,
      joined_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (conversation_id, user_id)
    )`,
    sql`create index conversation_members_user_idx on conversation_members (user_id, status)`,
    sql`create table dm_messages (
      id bigint primary key,
      conversation_id bigint not null references conversations(id) on delete cascade,
      author_id bigint references users(id) on delete set null,
      content text not null default '',
      attachments jsonb not null default '[]'::jsonb,
      edited_at timestamptz,
      created_at timestamptz not null default now()
    )`,
    sql`create index dm_messages_conversation_idx on dm_messages (conversation_id, id)`,
    sql`create table dm_reactions (
      message_id bigint not null references dm_messages(id) on delete cascade,
      user_id bigint not null references users(id) on delete cascade,
      emoji text not null,
      created_at timestamptz not null default now(),
      primary key (message_id, user_id, emoji)
    )`,
  ];
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['dm_reactions', 'dm_messages', 'conversation_members', 'conversations'])
    await sql`drop table if exists ${sql.table(t)}`.execute(db);
}
