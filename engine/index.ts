/**
 * The engine: every port, built from config (embedded defaults, or services when their URL is set).
 * This is what the rest of reef may import from engine/.
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import uWS from 'uWebSockets.js';
import type { Config } from './config.ts';
import { systemClock, type Clock } from './clock.ts';
import { createIds, type Ids } from './ids.ts';
import { createLogger, type Logger } from './log.ts';
import { createDb, type DbPort } from './db/index.ts';
import { migrateToLatest } from './db/migrate.ts';
import type { Bus } from './bus/index.ts';
import { createMemoryBus } from './bus/memory.ts';
import { createNatsBus } from './bus/nats.ts';
import type { Kv } from './kv/index.ts';
import { createMemoryKv } from './kv/memory.ts';
import { createRedisKv } from './kv/redis.ts';
import type { Jobs } from './jobs/index.ts';
import { createInlineJobs } from './jobs/inline.ts';
import { createBullJobs } from './jobs/bullmq.ts';
import { createOutboxMailer, createSmtpMailer, type Email, type Mailer } from './email.ts';
import { createDiskStorage, type Storage } from './storage.ts';
import { Jwt } from './auth/jwt.ts';
import { createRooms, type Rooms } from './rooms.ts';
import { createActorRuntime } from './actors/index.ts';
import type { ActorRuntime } from './actors/types.ts';

export type { Config } from './config.ts';
export { loadConfig, ConfigError, parseRate } from './config.ts';
export type { Clock } from './clock.ts';
export type { Ids } from './ids.ts';
export type { Logger } from './log.ts';
export type { Db, DbPort } from './db/index.ts';
export type { Bus } from './bus/index.ts';
export type { Kv } from './kv/index.ts';
export type { Jobs } from './jobs/index.ts';
export type { Mailer, Email } from './email.ts';
export type { Storage } from './storage.ts';
export { Jwt } from './auth/jwt.ts';
export type { Rooms } from './rooms.ts';
export { room } from './rooms.ts';
export type { ActorRuntime } from './actors/types.ts';

/** Ports a caller (a test, a benchmark) may supply instead of the configured ones. */
export interface EngineOverrides {
  clock?: Clock;
  mailer?: Mailer;
  log?: Logger;
}

export interface EmailService {
  /** Enqueue an email on the jobs port (retried on SMTP failure). */
  send(email: Email): Promise<void>;
}

export interface Engine {
  readonly config: Config;
  readonly log: Logger;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly db: DbPort;
  readonly bus: Bus;
  readonly kv: Kv;
  readonly jobs: Jobs;
  readonly mailer: Mailer;
  readonly email: EmailService;
  readonly storage: Storage;
  readonly jwt: Jwt;
  /** Emit socket events to rooms on every node (see rooms.ts). */
  readonly rooms: Rooms;
  /**
   * The actor host (engine/actors). Features register kinds while Services are built; startReef
   * starts it; close() stops it first (in-flight batches commit, leases are released).
   */
  readonly actors: ActorRuntime;
  /** Stable per-process name used in logs, NATS client names and membership. */
  readonly nodeName: string;
  /** Close every port in dependency order. */
  close(timeoutMs?: number): Promise<void>;
}

/** reef refuses the slow JS fallback of the uWS package (DEPENDENCIES.md). */
export function assertNativeUws(): void {
  if (!String(uWS.App).includes('[native code]')) {
    throw new Error('uWebSockets.js native binary did not load (fallback in use); refusing to start');
  }
}

export async function createEngine(config: Config, overrides: EngineOverrides = {}): Promise<Engine> {
  const nodeName = `${config.NAMESPACE}-${config.NODE_ID}-${process.pid}`;
  const log = overrides.log ?? createLogger(config.LOG_LEVEL, { node: config.NODE_ID });
  const clock = overrides.clock ?? systemClock;
  const ids = createIds(config.NODE_ID, clock);
  const closers: Array<[string, () => Promise<void>]> = [];
  try {
    const db = await createDb(config, log);
    closers.push(['db', () => db.close()]);
    const applied = await migrateToLatest(db.db);
    if (applied.length) log.info({ applied }, 'migrations applied');

    let bus: Bus;
    if (config.NATS_URL) {
      bus = (await createNatsBus(config.NATS_URL, log, nodeName)).bus;
    } else bus = createMemoryBus();
    closers.push(['bus', () => bus.close()]);

    const kv: Kv = config.REDIS_URL
      ? await createRedisKv(config.REDIS_URL, config.NAMESPACE, log)
      : createMemoryKv(clock);
    closers.push(['kv', () => kv.close()]);

    const jobs: Jobs = config.REDIS_URL
      ? createBullJobs(config.REDIS_URL, config.NAMESPACE, log)
      : createInlineJobs(log);
    closers.push(['jobs', () => jobs.close()]);

    const mailer =
      overrides.mailer ??
      (config.SMTP_URL
        ? createSmtpMailer(config.SMTP_URL, config.EMAIL_FROM)
        : createOutboxMailer(path.join(config.DATA_DIR, 'outbox'), log));
    jobs.process<Email>('email', (email) => mailer.send(email), { concurrency: 2 });
    const email: EmailService = { send: (e) => jobs.enqueue('email', e, { attempts: 5, backoffMs: 2000 }) };

    const actors = await createActorRuntime(config, { db: db.db, bus, clock, ids, log, node: nodeName });
    closers.push(['actors', () => actors.stop()]);

    const storage = createDiskStorage(config.UPLOADS_DIR ?? path.join(config.DATA_DIR, 'uploads'));
    const jwt = new Jwt(config.JWT_SECRET ?? (await sharedSecret(db, 'jwt_secret')));

    const engine: Engine = {
      config,
      log,
      clock,
      ids,
      db,
      bus,
      kv,
      jobs,
      mailer,
      email,
      storage,
      jwt,
      rooms: createRooms(bus, config.NAMESPACE),
      actors,
      nodeName,
      async close(timeoutMs = 5000) {
        // Actors first (they commit through db and talk on bus), jobs (they use the others), then bus,
        // kv, and the database last.
        for (const name of ['actors', 'jobs', 'bus', 'kv', 'db']) {
          const c = closers.find(([n]) => n === name);
          if (!c) continue;
          try {
            await Promise.race([c[1](), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
          } catch (err) {
            log.warn({ port: name, err: (err as Error).message }, 'error while closing port');
          }
        }
      },
    };
    return engine;
  } catch (err) {
    for (const [, close] of closers.reverse()) await close().catch(() => undefined);
    throw err;
  }
}

/**
 * A secret shared by every node: read from the database, created by whichever node starts first.
 * (Set JWT_SECRET to manage it yourself.)
 */
async function sharedSecret(db: DbPort, key: string): Promise<string> {
  const candidate = randomBytes(32).toString('base64url');
  await sql`insert into system_settings (key, value) values (${key}, ${candidate}) on conflict (key) do nothing`.execute(
    db.db,
  );
  const row = await sql<{ value: string }>`select value from system_settings where key = ${key}`.execute(
    db.db,
  );
  const value = row.rows[0]?.value;
  if (!value) throw new Error(`could not read shared secret ${key}`);
  return value;
}
