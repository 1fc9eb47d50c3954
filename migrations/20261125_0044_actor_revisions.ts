import { sql, type Kysely } from 'kysely';

// The conversation and call rows are projections of actor state; `rev` is the actor's revision of
// the row, so a late or repeated projection write never overwrites a newer one.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table conversations add column rev integer not null default 0`.execute(db);
  await sql`alter table calls add column rev integer not null default 0`.execute(db);
  // One live call per conversation is the conversation actor's rule; as an index on a projection
  // that may lag (the old call's end written after the new call's start) it would only get in the way.
  await sql`drop index if exists calls_live_conversation_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create unique index calls_live_conversation_idx on calls (conversation_id) where status <> 'ended' and conversation_id is not null`.execute(
    db,
  );
  await sql`alter table calls drop column rev`.execute(db);
  await sql`alter table conversations drop column rev`.execute(db);
}
