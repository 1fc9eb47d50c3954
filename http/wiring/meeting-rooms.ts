/**
 * Wiring of the meeting rooms (actor) and public guests feature (issue 10): builds its service on the engine and the services built before it.
 * Owned by that feature; http/services.ts only calls the factory and stops it.
 */
import type { Engine } from '../../engine/index.ts';
import type { Services } from '../services.ts';
import { createMeetingRooms, type MeetingRooms } from '../../domain/meeting-rooms/index.ts';

export interface MeetingRoomsFeature {
  /** Members' rooms (space and personal events), guests, invites, kicks. */
  rooms: MeetingRooms;
  stop?(): Promise<void>;
}

export function createMeetingRoomsFeature(engine: Engine, services: () => Services): MeetingRoomsFeature {
  return {
    rooms: createMeetingRooms(engine, {
      events: () => services().calendar.meetingEvents,
      spaces: () => services().spaces.client,
      online: async (userId) => (await services().realtime.presence.get(userId)) !== 'offline',
    }),
  };
}
