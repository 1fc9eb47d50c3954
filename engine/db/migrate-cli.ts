/** `npm run migrate`: apply pending migrations to the configured database and exit. */
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { createDb } from './index.ts';
import { migrateToLatest } from './migrate.ts';

const config = loadConfig();
const log = createLogger(config.LOG_LEVEL, { cmd: 'migrate' });
const port = await createDb(config, log);
try {
  const applied = await migrateToLatest(port.db);
  log.info({ applied, mode: port.mode }, applied.length ? 'migrations applied' : 'database is up to date');
} finally {
  await port.close();
}
