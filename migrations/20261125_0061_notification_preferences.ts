import { sql, type Kysely } from 'kysely';

// Notification preferences (social-graph-api "Notification Preferences"): per user and notification
// type, one toggle per channel (email, in_app, mobile). A missing row means the type's defaults.
export async function up(db: Kysely<any>): Promise<void> {
  const statements = [
    sql`create table notification_preferences (
      user_id bigint not null references users(id) on delete cascade,
      type text not null,
      email boolean not null,
      in_app boolean not null,
      mobile boolean not null,
      updated_at timestamptz not null default now(),
      primary key (user_id, type)
    )`,
  ];
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists notification_preferences`.execute(db);
}
