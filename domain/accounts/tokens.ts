/**
 * Opaque secrets (refresh tokens, email tokens, backup codes). They come from the CSPRNG, not the ids
 * port: they must be unguessable. Only their SHA-256 is stored, so a database leak does not hand out
 * sessions; a 256-bit random value needs no slow hash.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../engine/db/schema.ts';

export type Db = Kysely<Database>;

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** 32 symbols without look-alikes (no i, l, o, 1) for codes people type; 32 keeps `b & 31` unbiased. */
const CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz023456789';

/** A backup code such as `k7m2p-xq9ta` (50 bits). */
export function backupCode(): string {
  const bytes = randomBytes(10);
  let s = '';
  for (const b of bytes) s += CODE_ALPHABET[b & 31];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

/** How a typed backup code is compared: case and separators do not matter. */
export function normalizeBackupCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

/** Run `fn` in a transaction, or in the caller's transaction when `db` already is one. */
export function inTx<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
