/**
 * The calendar feature (spec "Calendar", "Recurring Event Series", "Event Organizers", "Personal
 * Events", "Aggregated Upcoming Events", "Public Calendar"). Meeting rooms read events through
 * `meetingEventLookup` only.
 *
 *   const calendar = createCalendar(ports);
 *   await calendar.events.create(db, user, spaceId, { name: 'Ride', eventDate: '2026-03-20' });
 */
import { EventsService } from './events.service.ts';
import { OrganizersService } from './organizers.service.ts';
import { PersonalEventsService } from './personal.service.ts';
import type { CalendarPorts } from './ports.ts';
import { PublicCalendarService } from './public.service.ts';
import { SeriesService } from './series.service.ts';

export type { MeetingEventInfo, MeetingEventLookup } from './meeting-lookup.ts';
export { meetingEventLookup } from './meeting-lookup.ts';
export { meetingInviteIcs, type InviteIcsOptions } from './invite-ics.ts';
export type * from './tables.ts';
export type { CalendarPorts } from './ports.ts';
export { meetingUrl } from './ports.ts';
export type {
  CalendarEventDto,
  EventSeriesDto,
  PersonalEventDto,
  CategoryDto,
} from './calendar.presenter.ts';
export * as schema from './calendar.schema.ts';
export { EventsService, OrganizersService, PersonalEventsService, PublicCalendarService, SeriesService };

export interface Calendar {
  events: EventsService;
  organizers: OrganizersService;
  series: SeriesService;
  personal: PersonalEventsService;
  publicCalendar: PublicCalendarService;
}

export function createCalendar(ports: CalendarPorts): Calendar {
  const events = new EventsService(ports);
  return {
    events,
    organizers: new OrganizersService(ports, events),
    series: new SeriesService(ports),
    personal: new PersonalEventsService(ports, events),
    publicCalendar: new PublicCalendarService(ports, events),
  };
}
