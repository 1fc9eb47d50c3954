import { sql, type Kysely } from 'kysely';

// Push devices (spec "Push Notification Devices"): a token belongs to one user at a time; a device
// may register a standard and a voip token.
export async function up(db: Kysely<any>): Promise<void> {
  const statements = [
    sql`create table devices (
      token text primary key,
      user_id bigint not null references users(id) on delete cascade,
      platform text not null check (platform in ('ios', 'android')),
      token_type text not null default 'standard' check (token_type in ('standard', 'voip')),
      app_version text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
    sql`create index devices_user_idx on devices (user_id)`,
  ];
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists devices`.execute(db);
}
