/**
 * The compare-and-set key-value port that shard leases and membership stand on (ACTORS.md "Shard
 * lease"). Two adapters, one behaviour: NATS JetStream KV when NATS_URL is set (nats-kv.ts), a
 * Postgres table on embedded defaults (below), so embedded mode runs the same claim/renew/fence code.
 *
 * Expiry is per bucket (`ttlMs`): a key that is not written for ttlMs disappears. (nats-server 2.9
 * ignores per-key TTL; the bucket TTL, i.e. the stream's max_age, works on every version.)
 */
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

export interface CasEntry {
  key: string;
  value: string;
  revision: number;
}

export interface CasBucket {
  /**
   * Claim each key that does not exist (create). Per key: the revision when this call created it,
   * absent when it exists, null when the request failed (outcome unknown). Of concurrent claimers of
   * one key exactly one wins. Rejects when the whole call failed.
   */
  claim(keys: string[], value: string): Promise<Map<string, number | null>>;
  /** Renew by CAS. Per key: the new revision, absent when the revision was not current (lost), null unknown. */
  renew(items: Array<{ key: string; revision: number }>, value: string): Promise<Map<string, number | null>>;
  /** Delete each key whose revision is still the given one. */
  release(items: Array<{ key: string; revision: number }>): Promise<void>;
  /** Unconditional write (membership heartbeats). */
  put(key: string, value: string): Promise<void>;
  /** Unconditional delete (leaving the membership). */
  remove(key: string): Promise<void>;
  /** Live entries. The NATS lease view may lag by one watch delivery and keep an expired key until it is claimed. */
  list(): Promise<CasEntry[]>;
  /**
   * The fencing epoch of a claim made at `revision`. Increases with every claim across the whole
   * bucket, including across restarts of the store, so a later owner always fences an earlier one.
   */
  epoch(revision: number): bigint;
  /** Remove the whole bucket (the last node of a cluster leaving). */
  destroy(): Promise<void>;
}

export interface CasKv {
  readonly mode: 'sql' | 'nats';
  /**
   * Open (creating if needed) a bucket whose keys expire `ttlMs` after their last write. `exactList`:
   * `list()` must drop expired keys promptly (membership), at the cost of a scan per call.
   */
  bucket(name: string, ttlMs: number, opts?: { exactList?: boolean }): Promise<CasBucket>;
  close(): Promise<void>;
}

const ms = (n: number) => sql`clock_timestamp() + ${String(n)}::bigint * interval '1 millisecond'`;

/**
 * Postgres/PGlite adapter. Revisions come from one sequence, so epochs are monotonic across buckets
 * and restarts; expiry is judged by the database clock (`clock_timestamp()`), one clock for all
 * nodes. Batch calls are one statement each (256 shard renewals are one round trip).
 */
export function createSqlCasKv(db: Db): CasKv {
  return {
    mode: 'sql',
    async bucket(bucket, ttlMs) {
      return {
        async claim(keys, value) {
          if (keys.length === 0) return new Map<string, number | null>();
          const r = await sql<{ key: string; revision: string }>`
            insert into actor_kv (bucket, key, value, revision, expires_at)
            select ${bucket}, k, ${value}, nextval('actor_kv_revision'), ${ms(ttlMs)}
            from jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb) as k
            on conflict (bucket, key) do update
              set value = excluded.value, revision = excluded.revision, expires_at = excluded.expires_at
              where actor_kv.expires_at <= clock_timestamp()
            returning key, revision`.execute(db);
          return new Map<string, number | null>(r.rows.map((row) => [row.key, Number(row.revision)]));
        },
        async renew(items, value) {
          if (items.length === 0) return new Map<string, number | null>();
          const r = await sql<{ key: string; revision: string }>`
            update actor_kv a set value = ${value}, revision = nextval('actor_kv_revision'), expires_at = ${ms(ttlMs)}
            from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as x(key text, revision bigint)
            where a.bucket = ${bucket} and a.key = x.key and a.revision = x.revision
              and a.expires_at > clock_timestamp()
            returning a.key, a.revision`.execute(db);
          return new Map<string, number | null>(r.rows.map((row) => [row.key, Number(row.revision)]));
        },
        async release(items) {
          if (items.length === 0) return;
          await sql`delete from actor_kv a
            using jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as x(key text, revision bigint)
            where a.bucket = ${bucket} and a.key = x.key and a.revision = x.revision`.execute(db);
        },
        async put(key, value) {
          await sql`insert into actor_kv (bucket, key, value, revision, expires_at)
            values (${bucket}, ${key}, ${value}, nextval('actor_kv_revision'), ${ms(ttlMs)})
            on conflict (bucket, key) do update set value = excluded.value, revision = excluded.revision,
              expires_at = excluded.expires_at`.execute(db);
        },
        async remove(key) {
          await sql`delete from actor_kv where bucket = ${bucket} and key = ${key}`.execute(db);
        },
        async list() {
          const r = await sql<{ key: string; value: string; revision: string }>`
            select key, value, revision from actor_kv
            where bucket = ${bucket} and expires_at > clock_timestamp()`.execute(db);
          return r.rows.map((row) => ({ key: row.key, value: row.value, revision: Number(row.revision) }));
        },
        epoch: (revision) => BigInt(revision),
        async destroy() {
          await sql`delete from actor_kv where bucket = ${bucket}`.execute(db);
        },
      };
    },
    close: async () => undefined,
  };
}
