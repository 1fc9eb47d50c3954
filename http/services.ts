/**
 * The domain services a route may use, built once on the engine. Features add their service here.
 * `start` / `stop` let long-lived services (realtime gateway, actor host) hook into the app's life.
 */
import type uWS from 'uWebSockets.js';
import type { Engine } from '../engine/index.ts';
import { createAccounts, type Accounts } from '../domain/accounts/index.ts';

export interface Services {
  accounts: Accounts;
  start?(app: uWS.TemplatedApp): Promise<void>;
  stop?(): Promise<void>;
}

export function createServices(engine: Engine): Services {
  return {
    accounts: createAccounts(engine),
  };
}
