/**
 * The calendar feature (spec "Calendar", "Recurring Event Series", "Event Organizers", "Personal
 * Events", "Aggregated Upcoming Events", "Public Calendar"). Meeting rooms read events through
 * `meetingEvents` only.
 */
export type { MeetingEventInfo, MeetingEventLookup } from './meeting-lookup.ts';
export { meetingEventLookup } from './meeting-lookup.ts';
export type * from './tables.ts';
