/**
 * Wiring of the pages, library and timeline events feature (issue 8): builds its service on the engine and the services built before it.
 * Owned by that feature; http/services.ts only calls the factory and stops it.
 */
import type { Engine } from '../../engine/index.ts';
import type { Services } from '../services.ts';

export interface TimelineFeature {
  stop?(): Promise<void>;
}

export function createTimelineFeature(_engine: Engine, _services: () => Services): TimelineFeature {
  return {};
}
