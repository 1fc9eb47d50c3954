/**
 * Wiring of the plugins (isolated-vm sandbox, capability API) feature (issue 9): builds its service on the engine and the services built before it.
 * Owned by that feature; http/services.ts only calls the factory and stops it.
 */
import type { Engine } from '../../engine/index.ts';
import type { Services } from '../services.ts';

export interface PluginsFeature {
  stop?(): Promise<void>;
}

export function createPluginsFeature(_engine: Engine, _services: () => Services): PluginsFeature {
  return {};
}
