import { sql, type Kysely } from 'kysely';

// Dates of a series whose occurrence was deleted on its own: regeneration must not bring them back.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table event_series add column excluded_dates jsonb not null default '[]'::jsonb`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table event_series drop column excluded_dates`.execute(db);
}
