/**
 * CasKv over NATS JetStream KV (distributed mode). Its own connection, so lease renewals never queue
 * behind application traffic on the bus connection.
 *
 * Epoch = (bucket creation time in seconds since REEF_EPOCH) << 32 | revision. Revisions are stream
 * sequences, monotonic within a bucket; if the bucket is ever lost and recreated its sequences start
 * again at 1, and the creation-time prefix keeps the new epochs above every epoch stored in Postgres
 * (a bare revision would fence every actor out forever).
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { REEF_EPOCH } from '../ids.ts';
import type { Logger } from '../log.ts';
import type { CasBucket, CasEntry, CasKv } from './cas-kv.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The CAS refusal: the key exists (create) or moved on (update/delete). */
function isWrongLastSequence(err: unknown): boolean {
  if (!(err instanceof JetStreamApiError)) return false;
  return (
    err.code === JetStreamApiCodes.StreamWrongLastSequence ||
    err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown
  );
}

/** Per key: the new revision, absent on a CAS refusal, null when the request failed (outcome unknown). */
async function settleAll<T>(
  items: T[],
  fn: (item: T) => Promise<[string, number] | null>,
  keyOf: (item: T) => string,
) {
  const out = new Map<string, number | null>();
  const results = await Promise.allSettled(items.map(fn));
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') {
      if (r.value) out.set(r.value[0], r.value[1]);
    } else out.set(keyOf(items[i]!), null);
  });
  return out;
}

export async function createNatsCasKv(url: string, name: string, log: Logger): Promise<CasKv> {
  const nc: NatsConnection = await connect({
    servers: url.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    timeout: 3000,
  });
  const kvm = new Kvm(nc);
  const watchers: Array<{ stop(): void }> = [];
  let closed = false;

  async function openWatchedView(kv: KV, bucketName: string): Promise<Map<string, CasEntry>> {
    // Initial values, then every put/delete. Expiry by max_age sends no event, so an expired key
    // lingers until someone claims it: callers treat this view as a routing hint, not as truth.
    const view = new Map<string, CasEntry>();
    const run = async () => {
      while (!closed) {
        try {
          const iter = await kv.watch();
          watchers.push(iter);
          for await (const e of iter) {
            if (e.operation === 'PUT')
              view.set(e.key, { key: e.key, value: dec.decode(e.value), revision: e.revision });
            else view.delete(e.key);
          }
        } catch (err) {
          if (!closed) log.warn({ err: (err as Error).message, bucketName }, 'kv watch failed; retrying');
        }
        if (!closed) await new Promise((r) => setTimeout(r, 500));
      }
    };
    void run();
    return view;
  }

  return {
    mode: 'nats',
    async bucket(bucketName, ttlMs, opts = {}) {
      const kv: KV = await kvm.create(bucketName, { ttl: ttlMs, history: 1 });
      const status = await kv.status();
      if (status.ttl !== ttlMs) {
        throw new Error(
          `NATS KV bucket ${bucketName} has ttl ${status.ttl} ms but this node is configured for ${ttlMs} ms; ` +
            'every node of a cluster must use the same value',
        );
      }
      const createdSec = Math.floor((Date.parse(status.streamInfo.created) - REEF_EPOCH) / 1000);
      const base = BigInt(Math.max(0, createdSec)) << 32n;
      const view = opts.exactList ? null : await openWatchedView(kv, bucketName);

      const bucket: CasBucket = {
        claim: (keys, value) =>
          settleAll(
            keys,
            async (key) => {
              try {
                return [key, await kv.create(key, enc.encode(value))];
              } catch (err) {
                if (isWrongLastSequence(err)) return null;
                throw err;
              }
            },
            (k) => k,
          ),
        renew: (items, value) =>
          settleAll(
            items,
            async ({ key, revision }) => {
              try {
                return [key, await kv.update(key, enc.encode(value), revision)];
              } catch (err) {
                if (isWrongLastSequence(err)) return null;
                throw err;
              }
            },
            (i) => i.key,
          ),
        async release(items) {
          await Promise.allSettled(
            items.map(({ key, revision }) => kv.delete(key, { previousSeq: revision })),
          );
        },
        async put(key, value) {
          await kv.put(key, enc.encode(value));
        },
        async remove(key) {
          await kv.delete(key);
        },
        async list() {
          if (view) return [...view.values()];
          const keys: string[] = [];
          for await (const k of await kv.keys()) keys.push(k);
          const out: CasEntry[] = [];
          for (const key of keys) {
            const e = await kv.get(key);
            if (e && e.operation === 'PUT')
              out.push({ key, value: dec.decode(e.value), revision: e.revision });
          }
          return out;
        },
        epoch: (revision) => base | BigInt(revision),
      };
      return bucket;
    },
    async close() {
      closed = true;
      for (const w of watchers) w.stop();
      if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
    },
  };
}
