/**
 * The db port: kysely over PGlite (embedded, a directory under DATA_DIR) or over a `pg` pool
 * (DATABASE_URL). The same SQL and the same migrations run on both. int8 comes back as a string
 * from both drivers, so ids stay exact.
 */
import { Kysely, PostgresDialect, PGliteDialect, sql, type Dialect, type Driver } from 'kysely';
import path from 'node:path';
import fs from 'node:fs';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { Mutex } from '../mutex.ts';
import type { Database } from './schema.ts';

export type { Database } from './schema.ts';
export type Db = Kysely<Database>;

export interface DbPort {
  readonly db: Db;
  readonly mode: 'pglite' | 'postgres';
  /** Resolves when a trivial query succeeds within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * PGlite is one connection; kysely's PGlite driver does not lock it, so a query issued while another
 * request's transaction is open would run inside that transaction. Serialise connection use.
 */
function lockedDialect(inner: Dialect): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createDriver(): Driver {
      const driver = inner.createDriver();
      const mutex = new Mutex();
      const releases: Array<() => void> = [];
      return {
        init: (o) => driver.init(o),
        async acquireConnection(o) {
          releases.push(await mutex.lock());
          return driver.acquireConnection(o);
        },
        async releaseConnection(c) {
          await driver.releaseConnection(c);
          releases.shift()?.();
        },
        beginTransaction: (c, s) => driver.beginTransaction(c, s),
        commitTransaction: (c) => driver.commitTransaction(c),
        rollbackTransaction: (c) => driver.rollbackTransaction(c),
        savepoint: driver.savepoint?.bind(driver),
        rollbackToSavepoint: driver.rollbackToSavepoint?.bind(driver),
        releaseSavepoint: driver.releaseSavepoint?.bind(driver),
        destroy: () => driver.destroy(),
      };
    },
  };
}

export async function createDb(config: Config, log: Logger): Promise<DbPort> {
  if (config.DATABASE_URL) {
    const pool = new pg.Pool({
      connectionString: config.DATABASE_URL,
      max: config.DB_POOL_SIZE,
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client that loses its server emits 'error' on the pool; without a listener that would
    // crash the process. The next query gets a fresh connection or a clear 503.
    pool.on('error', (err) => log.warn({ err: err.message }, 'postgres pool client error'));
    // A checked-out client has no pool listener (pg-pool removes it on acquire), yet pg emits 'error'
    // on it when the connection dies, even mid-query: unhandled, that is an uncaught exception. The
    // query itself still fails (503 at the edge) and the broken client is discarded on release.
    pool.on('connect', (client) =>
      client.on('error', (err) => log.warn({ err: err.message }, 'postgres connection lost')),
    );
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      mode: 'postgres',
      ping: (timeoutMs = 2000) =>
        withTimeout(
          sql`select 1`.execute(db).then(() => undefined),
          timeoutMs,
        ),
      close: () => db.destroy(),
    };
  }
  const location = config.PGLITE_PATH ?? path.join(config.DATA_DIR, 'pglite');
  const isNew = location.startsWith('memory://') || !fs.existsSync(path.join(location, 'PG_VERSION'));
  if (!location.startsWith('memory://')) fs.mkdirSync(location, { recursive: true });
  // A seed (a dumped, already-migrated data dir) makes a fresh database start in about a second
  // instead of initdb + every migration; later migrations still run on top of it.
  const loadDataDir =
    isNew && config.PGLITE_SEED ? new Blob([fs.readFileSync(config.PGLITE_SEED)]) : undefined;
  const pglite = new PGlite(location, {
    parsers: { 20: (v: string) => v },
    ...(loadDataDir ? { loadDataDir } : {}),
  });
  await pglite.waitReady;
  const db = new Kysely<Database>({ dialect: lockedDialect(new PGliteDialect({ pglite })) });
  return {
    db,
    mode: 'pglite',
    ping: (timeoutMs = 2000) =>
      withTimeout(
        sql`select 1`.execute(db).then(() => undefined),
        timeoutMs,
      ),
    close: () => db.destroy(),
  };
}

export function withTimeout<T>(p: Promise<T>, ms: number, what = 'operation'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
