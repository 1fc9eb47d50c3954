/**
 * Event organizers (spec "Event Organizers") and the cross-space listings (spec "Aggregated Upcoming
 * Events"). Claim / release flip one occurrence; on a series occurrence they set isOverride so the
 * change survives regeneration. Only per-occurrence flips to organizerNeeded notify.
 */
import { sql } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import { badRequest, forbidden, notFound } from '../../engine/errors.ts';
import { Permission } from '../spaces/index.ts';
import { claimer, member } from './access.ts';
import { eventDto, eventWithSpaceDto, type CalendarEventDto } from './calendar.presenter.ts';
import { eventRow, eventViews } from './events.repository.ts';
import type { EventsService } from './events.service.ts';
import type { CalendarPorts } from './ports.ts';
import { dateIn } from './time.ts';

export class OrganizersService {
  constructor(
    private readonly p: CalendarPorts,
    private readonly events: EventsService,
  ) {}

  private today(tz: string) {
    return dateIn(tz, this.p.clock.now());
  }

  async needing(db: Db, userId: string, spaceId: string): Promise<CalendarEventDto[]> {
    const a = await claimer(db, spaceId, userId);
    const rows = await eventViews(db, userId)
      .where('e.space_id', '=', spaceId)
      .where('e.organizer_needed', '=', true)
      .where('e.is_cancelled', '=', false)
      .where('e.event_date', '>=', this.today(a.tz))
      .orderBy('e.event_date')
      .orderBy('e.event_time')
      .orderBy('e.id')
      .limit(200)
      .execute();
    return rows.map(eventDto);
  }

  async claim(db: Db, userId: string, spaceId: string, eventId: string): Promise<CalendarEventDto> {
    await claimer(db, spaceId, userId);
    const e = await eventRow(db, spaceId, eventId);
    if (!e) throw notFound('Event not found');
    // The flag is re-checked in the update itself: of two concurrent claims exactly one wins.
    const r = await db
      .updateTable('calendar_events')
      .set({
        organizer_id: userId,
        organizer_needed: false,
        is_override: e.series_id !== null ? true : e.is_override,
        updated_at: new Date(this.p.clock.now()),
      })
      .where('id', '=', eventId)
      .where('organizer_needed', '=', true)
      .executeTakeFirst();
    if (!r.numUpdatedRows) throw badRequest('This event is not flagged as needing an organizer');
    const dto = await this.events.view(db, userId, eventId);
    this.events.effects.emit('updated', dto);
    return dto;
  }

  async release(db: Db, userId: string, spaceId: string, eventId: string): Promise<CalendarEventDto> {
    await member(db, spaceId, userId);
    const e = await eventRow(db, spaceId, eventId);
    if (!e) throw notFound('Event not found');
    if (e.organizer_id !== userId) throw forbidden('You are not the organizer of this event');
    if (!e.activity_type) throw badRequest('Only events with an activityType can need an organizer');
    const after = await db
      .updateTable('calendar_events')
      .set({
        organizer_id: null,
        organizer_needed: true,
        is_override: e.series_id !== null ? true : e.is_override,
        updated_at: new Date(this.p.clock.now()),
      })
      .where('id', '=', eventId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await this.events.effects.organizerNeeded(db, after, userId);
    const dto = await this.events.view(db, userId, eventId);
    this.events.effects.emit('updated', dto);
    return dto;
  }

  /** GET /users/me/events/upcoming: spaces with calendarEnabled, without the caller's not_going. */
  async myUpcoming(db: Db, userId: string, limit: number) {
    const rows = await eventViews(db, userId)
      .where(
        sql<boolean>`exists (select 1 from space_members m where m.space_id = e.space_id and m.user_id = ${userId})`,
      )
      .where(sql<boolean>`coalesce((s.settings->>'calendarEnabled')::boolean, false)`)
      .where(
        sql<boolean>`not exists (select 1 from calendar_event_rsvps x where x.event_id = e.id and x.user_id = ${userId} and x.status = 'not_going')`,
      )
      .where('e.is_cancelled', '=', false)
      .where('e.event_date', '>=', await this.userToday(db, userId))
      .orderBy('e.event_date')
      .orderBy('e.event_time')
      .orderBy('e.id')
      .limit(limit)
      .execute();
    return rows.map(eventWithSpaceDto);
  }

  /** GET /users/me/events/needing-organizer: every space where the caller holds CLAIM_EVENTS. */
  async myNeeding(db: Db, userId: string, limit: number) {
    const bit = Permission.CLAIM_EVENTS.toString();
    const rows = await eventViews(db, userId)
      .where(
        sql<boolean>`(s.owner_id = ${userId} or (
          exists (select 1 from space_members m where m.space_id = e.space_id and m.user_id = ${userId})
          and exists (select 1 from space_roles r where r.space_id = e.space_id and (r.permissions & ${bit}::bigint) <> 0
            and (r.is_default or exists (select 1 from space_member_roles mr where mr.role_id = r.id and mr.user_id = ${userId})))))`,
      )
      .where('e.organizer_needed', '=', true)
      .where('e.is_cancelled', '=', false)
      .where('e.event_date', '>=', await this.userToday(db, userId))
      .orderBy('e.event_date')
      .orderBy('e.event_time')
      .orderBy('e.id')
      .limit(limit)
      .execute();
    return rows.map(eventWithSpaceDto);
  }

  private async userToday(db: Db, userId: string): Promise<string> {
    const u = await db
      .selectFrom('user_preferences')
      .select('timezone')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return this.today(u?.timezone ?? 'UTC');
  }
}
