import { sql, type Kysely } from 'kysely';

// Calls (spec "Calls (Voice / Video)"): the call actor's projection. The partial unique indexes are
// a backstop for "one live call per conversation / voice channel"; the actors decide first.
export async function up(db: Kysely<any>): Promise<void> {
  const statements = [
    sql`create table calls (
      id bigint primary key,
      type text not null check (type in ('dm', 'voice_channel')),
      conversation_id bigint references conversations(id) on delete cascade,
      channel_id bigint,
      space_id bigint,
      room_name text not null,
      initiated_by bigint references users(id) on delete set null,
      status text not null check (status in ('ringing', 'active', 'ended')),
      started_at timestamptz,
      ended_at timestamptz,
      created_at timestamptz not null default now()
    )`,
    sql`create unique index calls_live_conversation_idx on calls (conversation_id) where status <> 'ended' and conversation_id is not null`,
    sql`create unique index calls_live_channel_idx on calls (channel_id) where status <> 'ended' and channel_id is not null`,
    sql`create table call_participants (
      call_id bigint not null references calls(id) on delete cascade,
      user_id bigint not null references users(id) on delete cascade,
      status text not null check (status in ('ringing', 'joined', 'declined', 'missed', 'left')),
      joined_at timestamptz,
      left_at timestamptz,
      primary key (call_id, user_id)
    )`,
    sql`create index call_participants_user_idx on call_participants (user_id)`,
  ];
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['call_participants', 'calls']) await sql`drop table if exists ${sql.table(t)}`.execute(db);
}
