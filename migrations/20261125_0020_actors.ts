import { sql, type Kysely } from 'kysely';

// Actor runtime (engine/actors): persisted snapshots fenced by lease epochs, the durable inbox of
// `send`, durable timers, the effect outbox, and the CAS key-value table that serves as the lease and
// membership store in embedded mode (NATS JetStream KV takes that role when NATS_URL is set).
// `ns` is the NAMESPACE: clusters sharing one database never see each other's actors.
export async function up(db: Kysely<any>): Promise<void> {
  const statements = [
    // snapshot is null until the first commit (the row is created by the fencing activation).
    sql`create table actors (
      ns text not null,
      kind text not null,
      id text not null,
      shard integer not null,
      epoch bigint not null,
      version bigint not null default 0,
      status text not null default 'new',
      snapshot jsonb,
      updated_at timestamptz not null default now(),
      primary key (ns, kind, id)
    )`,
    sql`create table actor_inbox (
      seq bigint generated always as identity primary key,
      ns text not null,
      shard integer not null,
      kind text not null,
      actor_id text not null,
      event jsonb not null,
      at bigint not null,
      done boolean not null default false,
      done_at timestamptz,
      created_at timestamptz not null default now()
    )`,
    sql`create index actor_inbox_pending_idx on actor_inbox (ns, shard, seq) where not done`,
    sql`create index actor_inbox_done_idx on actor_inbox (done_at) where done`,
    sql`create table actor_timers (
      ns text not null,
      kind text not null,
      id text not null,
      key text not null,
      shard integer not null,
      due_at bigint not null,
      generation bigint not null,
      event jsonb not null,
      primary key (ns, kind, id, key)
    )`,
    sql`create index actor_timers_due_idx on actor_timers (ns, shard, due_at)`,
    sql`create table actor_outbox (
      ns text not null,
      id text not null,
      kind text not null,
      actor_id text not null,
      shard integer not null,
      version bigint not null,
      idx integer not null,
      effect jsonb not null,
      at bigint not null,
      attempts integer not null default 0,
      next_at bigint,
      last_error text,
      created_at timestamptz not null default now(),
      primary key (ns, id)
    )`,
    sql`create index actor_outbox_due_idx on actor_outbox (ns, shard, next_at) where next_at is not null`,
    sql`create sequence actor_kv_revision`,
    sql`create table actor_kv (
      bucket text not null,
      key text not null,
      value text not null,
      revision bigint not null,
      expires_at timestamptz not null,
      primary key (bucket, key)
    )`,
  ];
  for (const s of statements) await s.execute(db);
}
