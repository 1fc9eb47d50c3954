/**
 * The state store: every SQL statement of the actor runtime (ACTORS.md "Fencing in Postgres",
 * "Durable timers", "Outbox"). Postgres is the source of truth; NATS only carries messages and leases.
 *
 * Fencing: activation raises the row's epoch to the shard lease's epoch (never lowers it), and every
 * commit is `WHERE epoch = $e AND version = $v`, so a node that lost its lease (paused, partitioned)
 * cannot write once a newer owner has activated the actor.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/index.ts';
import type { ActorAddress, ActorEffect, ActorEvent, ActorState } from './types.ts';
import './tables.ts';

export interface TimerRef {
  generation: string;
  dueAt: number;
}

export interface Restored {
  version: number;
  /** null for a fresh actor (never committed). */
  snapshot: unknown;
  timers: Map<string, TimerRef>;
}

export interface TimerSet {
  key: string;
  due_at: number;
  generation: string;
  event: ActorEvent;
}
/** `generation` null: delete whatever generation is stored (a cancel). */
export interface TimerDelete {
  key: string;
  generation: string | null;
}

export interface CommitInput {
  address: ActorAddress;
  shard: number;
  epoch: string;
  version: number;
  snapshot: string;
  status: string;
  inboxSeqs: string[];
  timerSets: TimerSet[];
  timerDeletes: TimerDelete[];
  effects: Array<{ idx: number; effect: ActorEffect; at: number }>;
  /** The kind's inline writes of this batch (InlineWrites), built over `FENCED`. */
  inline?: RawBuilder<unknown>[];
  /** next_at of new outbox rows (the relay delivers them at once; this is the redelivery time). */
  outboxNextAt: number;
}

export type CommitResult = { ok: true; version: number } | { ok: false; reason: 'stale' | 'conflict' };

export interface DueTimer {
  kind: string;
  id: string;
  key: string;
  shard: number;
  generation: string;
  dueAt: number;
  event: ActorEvent;
}

export interface InboxRow {
  seq: string;
  shard: number;
  kind: string;
  id: string;
  event: ActorEvent;
  at: number;
}

export interface OutboxRow {
  id: string;
  kind: string;
  actorId: string;
  shard: number;
  version: number;
  idx: number;
  effect: ActorEffect;
  at: number;
  attempts: number;
}

/** The condition inline writes are built over: the commit's fenced update matched. */
export const FENCED: RawBuilder<boolean> = sql<boolean>`exists (select 1 from upd)`;

export function createStore(db: Db, ns: string) {
  return {
    /**
     * Fence and load. Re-activation under the epoch the row already carries (after passivation, same
     * lease) is one plain read. Otherwise one upsert raises the row's epoch to `epoch` (creating the
     * row for a fresh actor) and returns the state as of that fence: after it, no older owner can
     * write. Null when a newer epoch owns the actor: this activation is stale.
     */
    async activate(address: ActorAddress, shard: number, epoch: string): Promise<Restored | null> {
      const k = address.kind;
      const id = address.id;
      const timersOf = sql`(select coalesce(json_agg(json_build_object('key', t.key,
          'generation', t.generation::text, 'due_at', t.due_at::text)), '[]'::json)
        from actor_timers t where t.ns = ${ns} and t.kind = ${k} and t.id = ${id})`;
      type Row = {
        version: string;
        snapshot: unknown;
        epoch: string;
        timers: Array<{ key: string; generation: string; due_at: string }>;
      };
      const restored = (row: Row): Restored => {
        const timers = new Map<string, TimerRef>();
        for (const x of row.timers) timers.set(x.key, { generation: x.generation, dueAt: Number(x.due_at) });
        return { version: Number(row.version), snapshot: row.snapshot, timers };
      };
      const cur = await sql<Row>`select version, snapshot, epoch::text as epoch, ${timersOf} as timers
        from actors where ns = ${ns} and kind = ${k} and id = ${id}`.execute(db);
      const seen = cur.rows[0];
      if (seen && seen.epoch === epoch) return restored(seen);
      if (seen && BigInt(seen.epoch) > BigInt(epoch)) return null;
      const up = await sql<{ version: string; snapshot: unknown; inserted: boolean }>`
        insert into actors (ns, kind, id, shard, epoch, version, status, snapshot)
        values (${ns}, ${k}, ${id}, ${shard}, ${epoch}, 0, 'new', null)
        on conflict (ns, kind, id) do update set epoch = excluded.epoch where actors.epoch < excluded.epoch
        returning version, snapshot, (xmax = 0) as inserted`.execute(db);
      const row = up.rows[0];
      if (!row) return null;
      if (row.inserted) return { version: Number(row.version), snapshot: row.snapshot, timers: new Map() };
      // Timers read after the fence (not in the same statement: its snapshot predates a commit of the
      // previous owner that the upsert may have waited for).
      const t = await sql<{ timers: Row['timers'] }>`select ${timersOf} as timers`.execute(db);
      return restored({
        version: row.version,
        snapshot: row.snapshot,
        epoch,
        timers: t.rows[0]?.timers ?? [],
      });
    },

    /**
     * One statement, so one round trip and atomic: the fenced snapshot update, the inbox rows marked
     * done, timer upserts/deletes and outbox rows. Every part is conditioned on the update having
     * matched (`exists (select 1 from upd)`); the update itself also requires every inbox row of
     * the batch to be still pending, so an event is never applied twice.
     */
    async commit(c: CommitInput): Promise<CommitResult> {
      const k = c.address.kind;
      const id = c.address.id;
      const seqs = `{${c.inboxSeqs.join(',')}}`;
      // Only the parts this batch needs: a batch of asks with inline writes (the common case: a busy
      // channel's messages) is the fenced update plus its inline CTEs, which keeps the statement short
      // to send, parse and plan. The fence is the same in every shape.
      const hasSeqs = c.inboxSeqs.length > 0;
      const ctes: RawBuilder<unknown>[] = [
        sql`upd as (
          update actors set snapshot = ${c.snapshot}::jsonb, status = ${c.status}, version = version + 1,
            updated_at = now()
          where ns = ${ns} and kind = ${k} and id = ${id} and epoch = ${c.epoch} and version = ${c.version}
            ${
              hasSeqs
                ? sql`and (select count(*) from actor_inbox where seq = any(${seqs}::bigint[]) and not done)
                = ${c.inboxSeqs.length}`
                : sql``
            }
          returning version
        )`,
      ];
      if (hasSeqs)
        ctes.push(sql`inbox as (
          update actor_inbox set done = true, done_at = now()
          where seq = any(${seqs}::bigint[]) and exists (select 1 from upd) returning seq
        )`);
      if (c.timerDeletes.length)
        ctes.push(sql`tdel as (
          delete from actor_timers t using jsonb_to_recordset(${JSON.stringify(c.timerDeletes)}::jsonb)
            as d(key text, generation bigint)
          where t.ns = ${ns} and t.kind = ${k} and t.id = ${id} and t.key = d.key
            and (d.generation is null or t.generation = d.generation) and exists (select 1 from upd)
          returning t.key
        )`);
      if (c.timerSets.length)
        ctes.push(sql`tset as (
          insert into actor_timers (ns, kind, id, key, shard, due_at, generation, event)
          select ${ns}, ${k}, ${id}, s.key, ${c.shard}, s.due_at, s.generation, s.event
          from jsonb_to_recordset(${JSON.stringify(c.timerSets)}::jsonb)
            as s(key text, due_at bigint, generation bigint, event jsonb)
          where exists (select 1 from upd)
          on conflict (ns, kind, id, key) do update set due_at = excluded.due_at,
            generation = excluded.generation, event = excluded.event, shard = excluded.shard
          returning key
        )`);
      if (c.effects.length)
        ctes.push(sql`obx as (
          insert into actor_outbox (ns, id, kind, actor_id, shard, version, idx, effect, at, next_at)
          select ${ns}, ${k} || ':' || ${id} || ':' || upd.version || ':' || f.idx, ${k}, ${id}, ${c.shard},
            upd.version, f.idx, f.effect, f.at, ${c.outboxNextAt}
          from jsonb_to_recordset(${JSON.stringify(c.effects)}::jsonb) as f(idx int, effect jsonb, at bigint)
          cross join upd
          on conflict (ns, id) do nothing
          returning id
        )`);
      // Data-modifying CTEs run whether or not the final select reads them.
      const r = await sql<{ version: string | null }>`
        with ${sql.join(ctes, sql`, `)}${inlineCtes(c.inline)}
        select (select version from upd) as version`.execute(db);
      const version = r.rows[0]?.version;
      if (version != null) return { ok: true, version: Number(version) };
      // Why did the fence refuse? A newer epoch: this activation is stale. Anything else (a version
      // moved under us, an inbox row already handled): reload from the database.
      const cur = await sql<{
        epoch: string;
      }>`select epoch::text as epoch from actors where ns = ${ns} and kind = ${k} and id = ${id}`.execute(db);
      const epoch = cur.rows[0]?.epoch;
      return { ok: false, reason: epoch !== undefined && epoch !== c.epoch ? 'stale' : 'conflict' };
    },

    async read<C>(address: ActorAddress): Promise<ActorState<C> | null> {
      const r = await sql<{
        version: string;
        status: string;
        snapshot: { value?: unknown; context?: C } | null;
      }>`
        select version, status, snapshot from actors
        where ns = ${ns} and kind = ${address.kind} and id = ${address.id}`.execute(db);
      const row = r.rows[0];
      if (!row?.snapshot) return null;
      return {
        context: row.snapshot.context as C,
        value: row.snapshot.value,
        status: row.status,
        version: Number(row.version),
      };
    },

    /**
     * `send`: the events are accepted once this statement commits. One statement for many sends;
     * rows are inserted in array order, so their seqs ascend in that order.
     */
    async insertInbox(
      rows: Array<{ shard: number; address: ActorAddress; event: ActorEvent; at: number }>,
    ): Promise<string[]> {
      const payload = rows.map((x, ord) => ({
        ord,
        shard: x.shard,
        kind: x.address.kind,
        actor_id: x.address.id,
        event: x.event,
        at: x.at,
      }));
      const r = await sql<{ seq: string }>`
        insert into actor_inbox (ns, shard, kind, actor_id, event, at)
        select ${ns}, x.shard, x.kind, x.actor_id, x.event, x.at
        from jsonb_to_recordset(${JSON.stringify(payload)}::jsonb)
          as x(ord int, shard int, kind text, actor_id text, event jsonb, at bigint)
        order by x.ord
        returning seq`.execute(db);
      const seqs = r.rows.map((x) => x.seq);
      if (seqs.length !== rows.length)
        throw new Error(`inbox insert returned ${seqs.length} of ${rows.length} rows`);
      return seqs.sort((p, q) => (BigInt(p) < BigInt(q) ? -1 : BigInt(p) > BigInt(q) ? 1 : 0));
    },

    /**
     * Pending inbox rows of the owned shards in arrival order, at most `perActor` per actor so one
     * actor's backlog cannot starve the others.
     */
    async pendingInbox(
      shards: number[],
      exclude: string[],
      limit: number,
      perActor: number,
    ): Promise<InboxRow[]> {
      if (shards.length === 0) return [];
      const r = await sql<{
        seq: string;
        shard: number;
        kind: string;
        actor_id: string;
        event: ActorEvent;
        at: string;
      }>`
        select seq, shard, kind, actor_id, event, at from (
          select seq, shard, kind, actor_id, event, at,
            row_number() over (partition by kind, actor_id order by seq) as rn
          from actor_inbox
          where ns = ${ns} and shard = any(${`{${shards.join(',')}}`}::int[]) and not done
            and not (seq = any(${`{${exclude.join(',')}}`}::bigint[]))
        ) pending
        where rn <= ${perActor}
        order by seq limit ${limit}`.execute(db);
      return r.rows.map((x) => ({
        seq: x.seq,
        shard: x.shard,
        kind: x.kind,
        id: x.actor_id,
        event: x.event,
        at: Number(x.at),
      }));
    },

    /** Drop handled inbox rows older than the retention (they only serve diagnosis). */
    async purgeInbox(olderThanMs: number, limit = 5000): Promise<number> {
      const r = await sql`delete from actor_inbox where seq in (
          select seq from actor_inbox where done and ns = ${ns} and done_at < now() - ${String(olderThanMs)}::bigint * interval '1 millisecond'
          limit ${limit})`.execute(db);
      return Number(r.numAffectedRows ?? 0);
    },

    async dueTimers(shards: number[], before: number, limit: number): Promise<DueTimer[]> {
      if (shards.length === 0) return [];
      const r = await sql<{
        kind: string;
        id: string;
        key: string;
        shard: number;
        generation: string;
        due_at: string;
        event: ActorEvent;
      }>`select kind, id, key, shard, generation, due_at, event from actor_timers
         where ns = ${ns} and shard = any(${`{${shards.join(',')}}`}::int[]) and due_at <= ${before}
         order by due_at limit ${limit}`.execute(db);
      return r.rows.map((x) => ({
        kind: x.kind,
        id: x.id,
        key: x.key,
        shard: x.shard,
        generation: x.generation,
        dueAt: Number(x.due_at),
        event: x.event,
      }));
    },

    async dueOutbox(shards: number[], now: number, exclude: string[], limit: number): Promise<OutboxRow[]> {
      if (shards.length === 0) return [];
      const r = await sql<{
        id: string;
        kind: string;
        actor_id: string;
        shard: number;
        version: string;
        idx: number;
        effect: ActorEffect;
        at: string;
        attempts: number;
      }>`select id, kind, actor_id, shard, version, idx, effect, at, attempts from actor_outbox
         where ns = ${ns} and shard = any(${`{${shards.join(',')}}`}::int[]) and next_at is not null and next_at <= ${now}
           and not (id in (select jsonb_array_elements_text(${JSON.stringify(exclude)}::jsonb)))
         order by version, idx limit ${limit}`.execute(db);
      return r.rows.map((x) => ({
        id: x.id,
        kind: x.kind,
        actorId: x.actor_id,
        shard: x.shard,
        version: Number(x.version),
        idx: x.idx,
        effect: x.effect,
        at: Number(x.at),
        attempts: x.attempts,
      }));
    },

    async deleteOutbox(ids: string[]): Promise<void> {
      if (ids.length)
        await sql`delete from actor_outbox
          where ns = ${ns} and id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`.execute(
          db,
        );
    },

    /** Record a failed delivery; `nextAt` null gives up (the row stays for diagnosis). */
    async failOutbox(id: string, attempts: number, nextAt: number | null, error: string): Promise<void> {
      await sql`update actor_outbox set attempts = ${attempts}, next_at = ${nextAt}, last_error = ${error}
        where ns = ${ns} and id = ${id}`.execute(db);
    },
  };
}

/** `, w0 as (<write>), w1 as (...)`: data-modifying CTEs run whether or not they are referenced. */
function inlineCtes(writes: RawBuilder<unknown>[] | undefined): RawBuilder<unknown> {
  if (!writes?.length) return sql``;
  return sql`, ${sql.join(
    writes.map((w, i) => sql`${sql.raw(`w${i}`)} as (${w})`),
    sql`, `,
  )}`;
}

export type Store = ReturnType<typeof createStore>;
