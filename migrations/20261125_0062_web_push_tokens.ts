import { sql, type Kysely } from 'kysely';

// Web push tokens (issue 7: "FCM for Android and web tokens"; social-graph-api "FCM tokens" takes
// platform web | android | ios). Web tokens are FCM tokens, like Android's.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table devices drop constraint devices_platform_check`.execute(db);
  await sql`alter table devices add constraint devices_platform_check check (platform in ('ios', 'android', 'web'))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from devices where platform = 'web'`.execute(db);
  await sql`alter table devices drop constraint devices_platform_check`.execute(db);
  await sql`alter table devices add constraint devices_platform_check check (platform in ('ios', 'android'))`.execute(
    db,
  );
}
