import { sql, type Kysely } from 'kysely';

// Meeting rooms (spec "Meeting Rooms", "Public Meeting Rooms"): the meeting-room actor's projection
// (one row per room target: what listings read), public invite links, and email verifications of
// guests. Guests themselves live in the actor. No foreign keys to the calendar tables (another
// feature's); rooms of deleted events simply stay idle.
export async function up(db: Kysely<any>): Promise<void> {
  const statements = [
    sql`create table meeting_rooms (
      id text primary key,
      kind text not null check (kind in ('event', 'personal', 'voice')),
      space_id bigint,
      event_id bigint,
      voice_channel_id bigint,
      owner_id bigint,
      status text not null check (status in ('idle', 'open')),
      call_id bigint,
      room_name text,
      channel_id bigint,
      participant_count integer not null default 0,
      member_ids jsonb not null default '[]'::jsonb,
      opened_at timestamptz,
      rev integer not null default 0,
      updated_at timestamptz not null default now()
    )`,
    sql`create index meeting_rooms_space_idx on meeting_rooms (space_id, status)`,
    sql`create table meeting_invites (
      id bigint primary key,
      event_id bigint not null,
      space_id bigint not null references spaces(id) on delete cascade,
      token text not null unique,
      email text,
      max_uses integer,
      use_count integer not null default 0,
      expires_at timestamptz,
      created_by bigint,
      created_at timestamptz not null default now()
    )`,
    sql`create index meeting_invites_event_idx on meeting_invites (event_id, id)`,
    sql`create table meeting_email_verifications (
      id bigint primary key,
      token_hash text not null unique,
      email text not null,
      display_name text not null,
      space_id bigint not null references spaces(id) on delete cascade,
      event_id bigint,
      channel_id bigint,
      verified_at timestamptz,
      expires_at timestamptz not null,
      created_at timestamptz not null default now()
    )`,
  ];
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['meeting_email_verifications', 'meeting_invites', 'meeting_rooms'])
    await sql`drop table if exists ${sql.table(t)}`.execute(db);
}
