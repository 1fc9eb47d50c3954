/**
 * The ICS attachment of a meeting invite email (spec "POST .../meeting/invite": "Email to send
 * invite to (with ICS attachment)"): one VEVENT, METHOD:REQUEST, the join link as URL and
 * X-MEETING-URL, times as in the public feed (UTC instants of the space's local date and time).
 */
import ical, { ICalCalendarMethod } from 'ical-generator';
import type { MeetingEventInfo } from './meeting-lookup.ts';
import { instantOf } from './time.ts';

export interface InviteIcsOptions {
  /** The space's IANA time zone (UTC when unset). */
  tz: string;
  /** The invite's join link. */
  url: string;
  /** Host part of the event UID, e.g. the public URL's host. */
  host: string;
  spaceName: string;
}

export function meetingInviteIcs(ev: MeetingEventInfo, o: InviteIcsOptions): string {
  const cal = ical({
    name: o.spaceName,
    prodId: { company: 'reef', product: 'calendar', language: 'EN' },
    method: ICalCalendarMethod.REQUEST,
  });
  const timed = ev.eventTime !== null;
  const start = timed ? new Date(instantOf(ev.eventDate, ev.eventTime!, o.tz)) : dayStart(ev.eventDate, 0);
  const end = timed
    ? ev.endTime
      ? new Date(instantOf(ev.eventDate, ev.endTime, o.tz))
      : new Date(start.getTime() + 3_600_000)
    : dayStart(ev.eventDate, 1);
  const e = cal.createEvent({
    id: `${ev.id}@${o.host}`,
    start,
    end,
    allDay: !timed,
    summary: ev.name,
    description: [ev.description ?? '', `Join the meeting: ${o.url}`].filter(Boolean).join('\n\n'),
    url: o.url,
  });
  e.x([{ key: 'X-MEETING-URL', value: o.url }]);
  return cal.toString();
}

/** A DATE value `days` after `date` (ical-generator writes all-day Dates with their UTC fields). */
function dayStart(date: string, days: number): Date {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d;
}
