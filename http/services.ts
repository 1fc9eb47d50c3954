/**
 * The domain services a route may use, built once on the engine. Features add their service here.
 * `start` / `stop` let long-lived services (realtime gateway, actor host) hook into the app's life.
 */
import type uWS from 'uWebSockets.js';
import type { Engine } from '../engine/index.ts';
import { createAccounts, type Accounts } from '../domain/accounts/index.ts';
import { createAuthenticator } from '../domain/accounts/authenticate.ts';
import { createGateway, startGateway, type Gateway } from './realtime/index.ts';

export interface Services {
  accounts: Accounts;
  /** The realtime gateway: room access and socket command registries, presence (http/realtime). */
  realtime: Gateway;
  start?(app: uWS.TemplatedApp): Promise<void>;
  stop?(): Promise<void>;
}

export function createServices(engine: Engine): Services {
  const realtime = createGateway(engine, createAuthenticator(engine));
  return {
    accounts: createAccounts(engine),
    realtime,
    async start(app) {
      startGateway(realtime, app);
    },
    async stop() {
      await realtime.stop();
    },
  };
}
