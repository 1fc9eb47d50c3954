/**
 * Wiring of the calendar, series, RSVP, organizers, personal events, ICS feature (issue 10): builds its service on the engine and the services built before it.
 * Owned by that feature; http/services.ts only calls the factory and stops it.
 */
import type { Engine } from '../../engine/index.ts';
import type { Services } from '../services.ts';
import {
  createCalendar,
  meetingEventLookup,
  type EventsService,
  type MeetingEventLookup,
  type OrganizersService,
  type PersonalEventsService,
  type PublicCalendarService,
  type SeriesService,
} from '../../domain/calendar/index.ts';

export interface CalendarFeature {
  events: EventsService;
  organizers: OrganizersService;
  series: SeriesService;
  personal: PersonalEventsService;
  publicCalendar: PublicCalendarService;
  /** The narrow read of events that meeting rooms use: `spaceEvent(db, id)`, `personalEvent(db, id)`. */
  meetingEvents: MeetingEventLookup;
  stop?(): Promise<void>;
}

export function createCalendarFeature(engine: Engine, services: () => Services): CalendarFeature {
  const calendar = createCalendar({
    ids: engine.ids,
    clock: engine.clock,
    rooms: engine.rooms,
    storage: engine.storage,
    log: engine.log,
    // Resolved per call: the notifier and accounts are built before this feature, but through the getter.
    notifier: { notify: (userId, type, data, opts) => services().notifier.notify(userId, type, data, opts) },
    publicUrl: engine.config.PUBLIC_URL,
    canViewProfile: (db, viewerId, ownerId) =>
      services().accounts.profiles.canViewProfile(db, viewerId, ownerId),
  });
  return { ...calendar, meetingEvents: meetingEventLookup };
}
