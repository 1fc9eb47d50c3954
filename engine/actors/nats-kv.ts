/**
 * CasKv over NATS JetStream KV (distributed mode). Its own connection, so lease renewals never queue
 * behind application traffic on the bus connection.
 *
 * Epoch = (bucket creation time in ms since REEF_EPOCH) << 40 | revision (a numeric column in
 * Postgres). Revisions are stream sequences, monotonic within a bucket; if the bucket is ever lost
 * and recreated its sequences start again at 1, and the creation-time prefix keeps the new epochs
 * above every epoch stored in Postgres (a bare revision would fence every actor out forever).
 *
 * A bucket that disappears (the last node of a cluster removed it on leaving, an operator deleted
 * it, NATS lost its store) is recreated on the next failing call: leases held in the old bucket are
 * then lost (their renewals fail) and claimed again in the new one, under higher epochs.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  JetStreamApiCodes,
  JetStreamApiError,
  jetstreamManager,
  type JetStreamManager,
} from '@nats-io/jetstream';
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
): Promise<{ out: Map<string, number | null>; failed: boolean }> {
  const out = new Map<string, number | null>();
  const results = await Promise.allSettled(items.map(fn));
  let failed = false;
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') {
      if (r.value) out.set(r.value[0], r.value[1]);
    } else {
      out.set(keyOf(items[i]!), null);
      failed = true;
    }
  });
  return { out, failed };
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
  const jsm: JetStreamManager = await jetstreamManager(nc);
  const watchers = new Set<{ stop(): void }>();
  let closed = false;

  return {
    mode: 'nats',
    async bucket(bucketName, ttlMs, opts = {}) {
      let kv!: KV;
      let base = 0n;
      const open = async () => {
        kv = await kvm.create(bucketName, { ttl: ttlMs, history: 1 });
        const status = await kv.status();
        if (status.ttl !== ttlMs) {
          throw new Error(
            `NATS KV bucket ${bucketName} has ttl ${status.ttl} ms but this node is configured for ${ttlMs} ms; ` +
              'every node of a cluster must use the same value',
          );
        }
        const createdMs = Date.parse(status.streamInfo.created) - REEF_EPOCH;
        base = BigInt(Math.max(0, createdMs)) << 40n;
      };
      await open();

      // The watched view (leases): initial values, then every put/delete. Expiry by max_age sends no
      // event, so an expired key lingers until someone claims it: a routing hint, not the truth.
      const view = new Map<string, CasEntry>();
      let current: { stop(): void } | null = null;
      if (!opts.exactList) {
        void (async () => {
          while (!closed) {
            try {
              const iter = await kv.watch();
              current = iter;
              watchers.add(iter);
              view.clear();
              for await (const e of iter) {
                if (e.operation === 'PUT')
                  view.set(e.key, { key: e.key, value: dec.decode(e.value), revision: e.revision });
                else view.delete(e.key);
              }
              watchers.delete(iter);
            } catch (err) {
              if (!closed)
                log.debug({ err: (err as Error).message, bucketName }, 'kv watch failed; retrying');
            }
            if (!closed) await new Promise((r) => setTimeout(r, 250));
          }
        })();
      }

      // After a failed call: if the bucket's stream is gone, recreate it (once at a time).
      let healing: Promise<void> | null = null;
      const heal = (): Promise<void> =>
        (healing ??= (async () => {
          try {
            await jsm.streams.info(`KV_${bucketName}`);
          } catch (err) {
            if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) return;
            log.warn({ bucketName }, 'NATS KV bucket is gone; recreating it');
            await open();
            current?.stop();
          }
        })()
          .catch(() => undefined)
          .finally(() => (healing = null)));

      const bucket: CasBucket = {
        async claim(keys, value) {
          const { out, failed } = await settleAll(
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
          );
          if (failed) await heal();
          return out;
        },
        async renew(items, value) {
          const { out, failed } = await settleAll(
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
          );
          if (failed) await heal();
          return out;
        },
        async release(items) {
          await Promise.allSettled(
            items.map(({ key, revision }) => kv.delete(key, { previousSeq: revision })),
          );
        },
        async put(key, value) {
          try {
            await kv.put(key, enc.encode(value));
          } catch (err) {
            await heal();
            throw err;
          }
        },
        async remove(key) {
          await kv.delete(key);
        },
        async list() {
          if (!opts.exactList) return [...view.values()];
          const out: CasEntry[] = [];
          try {
            const keys: string[] = [];
            for await (const k of await kv.keys()) keys.push(k);
            for (const key of keys) {
              const e = await kv.get(key);
              if (e && e.operation === 'PUT')
                out.push({ key, value: dec.decode(e.value), revision: e.revision });
            }
          } catch (err) {
            await heal();
            throw err;
          }
          return out;
        },
        epoch: (revision) => base | BigInt(revision),
        async destroy() {
          current?.stop();
          await kv.destroy();
        },
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
