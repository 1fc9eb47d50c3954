import type { Engine } from '../../engine/index.ts';
import type { Services } from '../services.ts';

/** What a route module receives. */
export interface RouteDeps {
  engine: Engine;
  services: Services;
}
