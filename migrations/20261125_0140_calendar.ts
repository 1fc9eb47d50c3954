import { sql, type Kysely } from 'kysely';

// Calendar (spec "Calendar", "Recurring Event Series", "Event Organizers", "Personal Events",
// "Personal Event Categories"). Dates are `YYYY-MM-DD` and times `HH:mm` in the space's (or user's)
// time zone (API-DECISIONS "Paths and envelopes"), stored as text so they compare as strings and
// never shift with the server's zone. Series occurrences are plain calendar_events rows; `series_date`
// remembers which rule date an occurrence came from so regeneration can keep overrides
// (`is_override`). Meeting-room fields live on the events; the rooms themselves are another feature's.
export async function up(db: Kysely<any>): Promise<void> {
  const statements = [
    sql`create table calendar_categories (
      id bigint primary key,
      space_id bigint not null references spaces(id) on delete cascade,
      name text not null,
      color text not null,
      created_at timestamptz not null default now()
    )`,
    sql`create index calendar_categories_space_idx on calendar_categories (space_id, id)`,
    sql`create table event_series (
      id bigint primary key,
      space_id bigint not null references spaces(id) on delete cascade,
      name text not null,
      description text,
      event_time text,
      end_time text,
      category_id bigint references calendar_categories(id) on delete set null,
      image_url text,
      is_public boolean not null default false,
      location text,
      activity_type text,
      route_id bigint,
      organizer_id bigint references users(id) on delete set null,
      organizer_needed boolean not null default false,
      freq text not null check (freq in ('weekly', 'monthly')),
      interval integer not null check (interval between 1 and 52),
      by_day jsonb not null default '[]'::jsonb,
      by_set_pos integer,
      dtstart text not null,
      until text not null,
      created_by bigint references users(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
    sql`create index event_series_space_idx on event_series (space_id, id)`,
    sql`create table calendar_events (
      id bigint primary key,
      space_id bigint not null references spaces(id) on delete cascade,
      series_id bigint references event_series(id) on delete cascade,
      series_date text,
      name text not null,
      description text,
      event_date text not null,
      event_time text,
      end_time text,
      category_id bigint references calendar_categories(id) on delete set null,
      image_url text,
      is_public boolean not null default false,
      location text,
      activity_type text,
      route_id bigint,
      organizer_id bigint references users(id) on delete set null,
      organizer_needed boolean not null default false,
      is_override boolean not null default false,
      is_cancelled boolean not null default false,
      meeting_room_enabled boolean not null default false,
      meeting_room_early_entry integer,
      meeting_public_access boolean not null default false,
      meeting_public_chat boolean not null default false,
      meeting_public_participation boolean not null default false,
      meeting_room_password_hash text,
      meeting_identity_mode text not null default 'anonymous'
        check (meeting_identity_mode in ('anonymous', 'email_verify', 'require_login')),
      created_by bigint references users(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
    sql`create index calendar_events_space_date_idx on calendar_events (space_id, event_date, event_time)`,
    sql`create index calendar_events_series_idx on calendar_events (series_id, series_date)`,
    sql`create index calendar_events_needing_idx on calendar_events (event_date) where organizer_needed`,
    sql`create table calendar_event_rsvps (
      event_id bigint not null references calendar_events(id) on delete cascade,
      user_id bigint not null references users(id) on delete cascade,
      status text not null check (status in ('going', 'maybe', 'not_going')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (event_id, user_id)
    )`,
    sql`create index calendar_event_rsvps_user_idx on calendar_event_rsvps (user_id, event_id)`,
    sql`create table personal_event_categories (
      id bigint primary key,
      user_id bigint not null references users(id) on delete cascade,
      name text not null,
      color text not null,
      created_at timestamptz not null default now()
    )`,
    sql`create index personal_event_categories_user_idx on personal_event_categories (user_id, id)`,
    sql`create table personal_events (
      id bigint primary key,
      user_id bigint not null references users(id) on delete cascade,
      name text not null,
      description text,
      event_date text not null,
      event_time text,
      end_time text,
      location text,
      category_id bigint references personal_event_categories(id) on delete set null,
      image_url text,
      activity_type text,
      visibility text not null default 'private'
        check (visibility in ('public', 'followers', 'spaces', 'private')),
      meeting_room_enabled boolean not null default false,
      meeting_room_early_entry integer,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
    sql`create index personal_events_user_date_idx on personal_events (user_id, event_date, event_time)`,
  ];
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'personal_events',
    'personal_event_categories',
    'calendar_event_rsvps',
    'calendar_events',
    'event_series',
    'calendar_categories',
  ])
    await sql`drop table if exists ${sql.table(t)}`.execute(db);
}
