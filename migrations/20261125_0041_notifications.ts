import { sql, type Kysely } from 'kysely';

// Notifications (spec "Notifications"): one row per notification; the social feature extends it.
export async function up(db: Kysely<any>): Promise<void> {
  const statements = [
    sql`create table notifications (
      id bigint primary key,
      user_id bigint not null references users(id) on delete cascade,
      type text not null,
      data jsonb not null default '{}'::jsonb,
      read_at timestamptz,
      created_at timestamptz not null default now()
    )`,
    sql`create index notifications_user_idx on notifications (user_id, id desc)`,
    sql`create index notifications_unread_idx on notifications (user_id) where read_at is null`,
  ];
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists notifications`.execute(db);
}
