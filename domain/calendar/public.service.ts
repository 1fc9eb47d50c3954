/**
 * The public calendar (spec "Public Boards" → "Public Calendar"): space info and categories, events,
 * and the ICS feed. Requires allowPublicCalendar; the JSON endpoints also allowAnonymousBrowsing for
 * callers without a token. Members see every event, everyone else public ones only.
 */
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import type { Db } from '../../engine/db/index.ts';
import { notFound, unauthorized } from '../../engine/errors.ts';
import { categoryDto } from './calendar.presenter.ts';
import type { EventsService } from './events.service.ts';
import { eventViews, isMember } from './events.repository.ts';
import { meetingUrl, type CalendarPorts } from './ports.ts';
import { addMonths, dateIn, instantOf, zone } from './time.ts';

interface PublicSpace {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  iconUrl: string | null;
  tz: string;
  member: boolean;
}

export class PublicCalendarService {
  constructor(
    private readonly p: CalendarPorts,
    private readonly events: EventsService,
  ) {}

  private async space(db: Db, slug: string, viewerId: string | null, feed: boolean): Promise<PublicSpace> {
    const s = await db
      .selectFrom('spaces')
      .select(['id', 'name', 'slug', 'description', 'icon_url', 'settings'])
      .where('slug_lower', '=', slug.toLowerCase())
      .executeTakeFirst();
    const settings = (s?.settings ?? {}) as Record<string, unknown>;
    if (!s || settings['allowPublicCalendar'] !== true) throw notFound('Calendar not found');
    if (!feed && !viewerId && settings['allowAnonymousBrowsing'] !== true)
      throw unauthorized('Sign in to see this calendar');
    const tz = settings['timezone'];
    return {
      id: s.id,
      name: s.name,
      slug: s.slug,
      description: s.description,
      iconUrl: s.icon_url,
      tz: zone(typeof tz === 'string' ? tz : null),
      member: viewerId ? await isMember(db, s.id, viewerId) : false,
    };
  }

  async info(db: Db, slug: string, viewerId: string | null) {
    const s = await this.space(db, slug, viewerId, false);
    const cats = await db
      .selectFrom('calendar_categories')
      .selectAll()
      .where('space_id', '=', s.id)
      .orderBy('id')
      .execute();
    return {
      space: { id: s.id, name: s.name, slug: s.slug, description: s.description, iconUrl: s.iconUrl },
      categories: cats.map(categoryDto),
    };
  }

  async list(db: Db, slug: string, viewerId: string | null, q: { from: string; to: string }) {
    const s = await this.space(db, slug, viewerId, false);
    return this.events.inRange(db, viewerId, s.id, q, !s.member);
  }

  /**
   * RFC 5545 feed, 6 months back to 12 forward. Timed events are written as UTC instants (a TZID
   * would need a VTIMEZONE component, RFC 5545 §3.2.19); events without a time are all-day DATE
   * values; an event without endTime lasts an hour. Public-meeting events get X-MEETING-URL and the
   * link appended to DESCRIPTION.
   */
  async feed(db: Db, slug: string, viewerId: string | null): Promise<string> {
    const s = await this.space(db, slug, viewerId, true);
    const today = dateIn(s.tz, this.p.clock.now());
    let q = eventViews(db, viewerId)
      .where('e.space_id', '=', s.id)
      .where('e.event_date', '>=', addMonths(today, -6))
      .where('e.event_date', '<=', addMonths(today, 12));
    if (!s.member) q = q.where('e.is_public', '=', true);
    const rows = await q.orderBy('e.event_date').orderBy('e.event_time').orderBy('e.id').execute();
    const host = new URL(this.p.publicUrl).host || 'reef';
    const cal = ical({
      name: s.name,
      prodId: { company: 'reef', product: 'calendar', language: 'EN' },
      method: ICalCalendarMethod.PUBLISH,
    });
    for (const e of rows) {
      const link =
        e.meeting_public_access && e.meeting_room_enabled ? meetingUrl(this.p.publicUrl, s.slug, e.id) : null;
      const description = [e.description ?? '', link ? `Join the meeting: ${link}` : '']
        .filter(Boolean)
        .join('\n\n');
      const start = e.event_time
        ? new Date(instantOf(e.event_date, e.event_time, s.tz))
        : allDay(e.event_date);
      const end = e.event_time
        ? new Date(instantOf(e.event_date, e.end_time ?? addHour(e.event_time), s.tz))
        : allDay(nextDay(e.event_date));
      const ev = cal.createEvent({
        id: `${e.id}@${host}`,
        start,
        end,
        allDay: !e.event_time,
        summary: e.is_cancelled ? `Cancelled: ${e.name}` : e.name,
        description: description || null,
        location: e.location,
        stamp: e.updated_at,
        created: e.created_at,
        lastModified: e.updated_at,
        ...(e.category_name ? { categories: [{ name: e.category_name }] } : {}),
        ...(link ? { url: link } : {}),
      });
      if (e.is_cancelled) ev.status(ICalEventStatus.CANCELLED);
      if (link) ev.x([{ key: 'X-MEETING-URL', value: link }]);
    }
    return cal.toString();
  }
}

/** A DATE value: ical-generator formats all-day Dates with their UTC fields (not a local-time string). */
function allDay(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}
function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
function addHour(time: string): string {
  const [h, m] = time.split(':').map(Number) as [number, number];
  return h >= 23 ? '23:59' : `${String(h + 1).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}
