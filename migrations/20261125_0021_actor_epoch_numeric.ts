import { sql, type Kysely } from 'kysely';

// Fencing epochs outgrow int8: with NATS JetStream KV an epoch is the lease bucket's creation time in
// milliseconds shifted left 40 bits plus the claim's revision (engine/actors/nats-kv.ts), so a bucket
// recreated at any later moment still yields higher epochs than any stored one.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table actors alter column epoch type numeric(40, 0)`.execute(db);
}
