/** The engine ports the accounts feature uses (a subset of Engine, so tests may pass their own). */
import type { Engine } from '../../engine/index.ts';

export type AccountsPorts = Pick<
  Engine,
  'config' | 'clock' | 'ids' | 'jwt' | 'kv' | 'email' | 'storage' | 'log'
>;
