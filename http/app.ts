/**
 * The composition root: build the engine from config, the domain services on it, the routes on the
 * router, and serve them with uWS. `startReef` is what `npm start`, the tests and the bench call.
 */
import uWS from 'uWebSockets.js';
import type { Config } from '../engine/config.ts';
import { assertNativeUws, createEngine, type Engine, type EngineOverrides } from '../engine/index.ts';
import { createAuthenticator } from '../domain/accounts/authenticate.ts';
import { HttpEdge } from './server.ts';
import { Router } from './router.ts';
import { registerRootRoutes, registerRoutes } from './routes/index.ts';
import { createServices, type Services } from './services.ts';

export interface Reef {
  readonly engine: Engine;
  readonly services: Services;
  readonly port: number;
  readonly url: string;
  /** Graceful stop: refuse new requests, finish in-flight ones, close ports in order. */
  close(): Promise<void>;
}

export async function startReef(config: Config, overrides: EngineOverrides = {}): Promise<Reef> {
  assertNativeUws();
  const engine = await createEngine(config, overrides);
  const { log } = engine;
  const services = createServices(engine);
  // Actor kinds are registered while Services are built; the actor host joins the cluster now.
  try {
    await engine.actors.start();
  } catch (err) {
    await engine.close();
    throw err;
  }
  const router = new Router();
  registerRoutes(router.scope('/api'), { engine, services });
  registerRootRoutes(router, { engine, services });

  const app = uWS.App();
  const edge = new HttpEdge(router, {
    log,
    kv: engine.kv,
    storage: engine.storage,
    bodyLimit: config.BODY_LIMIT_BYTES,
    uploadLimit: config.UPLOAD_LIMIT_BYTES,
    corsOrigins: config.CORS_ORIGINS.split(',').map((s) => s.trim()),
    trustProxy: config.TRUST_PROXY,
    authenticate: createAuthenticator(engine),
  });
  await services.start?.(app);
  edge.attach(app);

  let listenSocket: uWS.us_listen_socket | null = null;
  try {
    listenSocket = await new Promise<uWS.us_listen_socket>((resolve, reject) =>
      app.listen(config.HOST, config.PORT, (s) =>
        s ? resolve(s) : reject(new Error(`cannot listen on ${config.HOST}:${config.PORT}`)),
      ),
    );
  } catch (err) {
    await engine.close();
    throw err;
  }
  const port = uWS.us_socket_local_port(listenSocket as unknown as uWS.us_socket);
  log.info(
    { port, db: engine.db.mode, bus: engine.bus.mode, kv: engine.kv.mode, jobs: engine.jobs.mode },
    'reef listening',
  );

  let closing: Promise<void> | null = null;
  return {
    engine,
    services,
    port,
    url: `http://127.0.0.1:${port}`,
    close() {
      closing ??= (async () => {
        const timeout = config.SHUTDOWN_TIMEOUT_MS;
        log.info({ inFlight: edge.inFlight }, 'draining');
        // 1. stop accepting connections; requests on open connections get 503 + Connection: close
        if (listenSocket) uWS.us_listen_socket_close(listenSocket);
        listenSocket = null;
        const drained = await edge.drain(timeout);
        if (!drained) log.warn({ inFlight: edge.inFlight }, 'drain timed out; closing anyway');
        // 2. services (realtime, actors) before the ports they use
        await services.stop?.();
        // 3. ports in order: jobs, bus, kv, db
        await engine.close(Math.max(1000, timeout / 2));
        log.info('reef stopped');
      })();
      return closing;
    },
  };
}
