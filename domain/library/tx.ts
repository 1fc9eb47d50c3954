import type { Db } from '../../engine/db/index.ts';

/** Run `fn` in a transaction, or in the caller's transaction when `db` already is one. */
export function inTx<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
