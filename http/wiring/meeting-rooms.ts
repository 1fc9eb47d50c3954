/**
 * Wiring of the meeting rooms (actor) and public guests feature (issue 10): builds its service on the engine and the services built before it.
 * Owned by that feature; http/services.ts only calls the factory and stops it.
 */
import type { Engine } from '../../engine/index.ts';
import type { Services } from '../services.ts';

export interface MeetingRoomsFeature {
  stop?(): Promise<void>;
}

export function createMeetingRoomsFeature(_engine: Engine, _services: () => Services): MeetingRoomsFeature {
  return {};
}
