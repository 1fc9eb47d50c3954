/**
 * The actor host (ARCHITECTURE "Actor runtime contract", ACTORS.md). Feature code imports the API
 * from here; the engine builds one runtime per process (`engine.actors`), features register their
 * kinds while Services are constructed, and `startReef` starts it before the node serves requests.
 */
import type { Config } from '../config.ts';
import type { Bus } from '../bus/index.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/index.ts';
import type { Ids } from '../ids.ts';
import type { Logger } from '../log.ts';
import { createSqlCasKv, type CasKv } from './cas-kv.ts';
import { createNatsCasKv } from './nats-kv.ts';
import { ActorHost, type ActorRuntimeSettings } from './runtime.ts';
import type { ActorRuntime } from './types.ts';

export * from './types.ts';
export { shardOf, rendezvousOrder } from './placement.ts';
export { createSqlCasKv, type CasKv, type CasBucket } from './cas-kv.ts';
export { createNatsCasKv } from './nats-kv.ts';

export function actorSettings(config: Config): ActorRuntimeSettings {
  return {
    shards: config.ACTOR_SHARDS,
    leaseTtlMs: config.ACTOR_LEASE_TTL_MS,
    memberTtlMs: config.ACTOR_MEMBER_TTL_MS,
    heartbeatMs: config.ACTOR_HEARTBEAT_MS,
    idleMs: config.ACTOR_IDLE_MS,
    askTimeoutMs: config.ACTOR_ASK_TIMEOUT_MS,
    mailboxSize: config.ACTOR_MAILBOX_SIZE,
    batchMax: config.ACTOR_BATCH_MAX,
    inboxPollMs: config.ACTOR_INBOX_POLL_MS,
    inboxRetentionMs: config.ACTOR_INBOX_RETENTION_MS,
    timerPollMs: config.ACTOR_TIMER_POLL_MS,
    timerLookaheadMs: config.ACTOR_TIMER_LOOKAHEAD_MS,
    timerFirePerSecond: config.ACTOR_TIMER_FIRE_RATE,
    outboxPollMs: config.ACTOR_OUTBOX_POLL_MS,
    effectMaxAttempts: config.ACTOR_EFFECT_MAX_ATTEMPTS,
  };
}

export interface ActorRuntimePorts {
  db: Db;
  bus: Bus;
  clock: Clock;
  ids: Ids;
  log: Logger;
  /** Node name: lease owner and bus subject suffix; unique per process. */
  node: string;
}

/**
 * Build (not start) the runtime. Leases and membership live in NATS JetStream KV when NATS_URL is
 * set, else in a Postgres table: the same claim/renew/fence code runs in both modes.
 */
export async function createActorRuntime(config: Config, ports: ActorRuntimePorts): Promise<ActorRuntime> {
  const cas: CasKv = config.NATS_URL
    ? await createNatsCasKv(config.NATS_URL, `${ports.node}-actors`, ports.log)
    : createSqlCasKv(ports.db);
  return new ActorHost(actorSettings(config), {
    namespace: config.NAMESPACE,
    node: ports.node,
    db: ports.db,
    bus: ports.bus,
    cas,
    clock: ports.clock,
    ids: ports.ids,
    log: ports.log.child({ component: 'actors' }),
  });
}
