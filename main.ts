/** `npm start`: reef on the configured ports (embedded defaults with no env), drained on SIGTERM/SIGINT. */
import { ConfigError, loadConfig } from './engine/config.ts';
import { createLogger } from './engine/log.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`reef: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
const log = createLogger(config.LOG_LEVEL, { node: config.NODE_ID });
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
process.on('uncaughtException', (err) => log.error({ err }, 'uncaught exception'));

// Loaded after the config check, so a bad variable fails in a second, not after loading the app.
const { startReef } = await import('./http/app.ts');
const reef = await startReef(config, { log });
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const hard = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS + 5000);
    hard.unref();
    reef.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  });
}
