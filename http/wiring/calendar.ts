/**
 * Wiring of the calendar, series, RSVP, organizers, personal events, ICS feature (issue 10): builds its service on the engine and the services built before it.
 * Owned by that feature; http/services.ts only calls the factory and stops it.
 */
import type { Engine } from '../../engine/index.ts';
import type { Services } from '../services.ts';
import { meetingEventLookup, type MeetingEventLookup } from '../../domain/calendar/index.ts';

export interface CalendarFeature {
  /** The narrow read of events that meeting rooms use: `spaceEvent(db, id)`, `personalEvent(db, id)`. */
  meetingEvents: MeetingEventLookup;
  stop?(): Promise<void>;
}

export function createCalendarFeature(_engine: Engine, _services: () => Services): CalendarFeature {
  return { meetingEvents: meetingEventLookup };
}
