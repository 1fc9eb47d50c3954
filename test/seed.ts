/**
 * Builds a migrated PGlite data dir once per test run, so every embedded test context starts from it
 * (about a second) instead of running initdb and every migration (several seconds each).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect } from 'kysely';
import { MIGRATIONS_DIR, migrateToLatest } from '../engine/db/migrate.ts';
import type { Database } from '../engine/db/schema.ts';

/** Path of a seed for the current migrations, built if missing. */
export async function ensurePgliteSeed(): Promise<string> {
  const hash = createHash('sha256');
  for (const f of fs.readdirSync(MIGRATIONS_DIR).sort()) {
    hash.update(f);
    hash.update(fs.readFileSync(path.join(MIGRATIONS_DIR, f)));
  }
  const file = path.join(os.tmpdir(), `reef-pglite-seed-${hash.digest('hex').slice(0, 16)}.tar`);
  if (fs.existsSync(file)) return file;
  const pglite = new PGlite('memory://', { parsers: { 20: (v: string) => v } });
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  try {
    await migrateToLatest(db);
    const dump = await pglite.dumpDataDir('none');
    const tmp = `${file}.${process.pid}`;
    fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    fs.renameSync(tmp, file);
  } finally {
    await db.destroy();
  }
  return file;
}
