/**
 * Space calendar events (spec "Calendar Categories", "Calendar Events", "Event RSVP"): categories,
 * create / read / update / delete / cancel, RSVPs, the event image. Organizers: organizers.service.ts;
 * series: series.service.ts.
 */
import sharp from 'sharp';
import type { AuthUser } from '../../engine/auth/types.ts';
import type { Db } from '../../engine/db/index.ts';
import { badRequest, forbidden, notFound } from '../../engine/errors.ts';
import { checkCategory, checkOrganizer, manager, member } from './access.ts';
import { categoryDto, eventDto, type CalendarEventDto, type CategoryDto } from './calendar.presenter.ts';
import type { EventInput, EventPatch } from './calendar.schema.ts';
import { eventRow, eventView, eventViews, type EventRow } from './events.repository.ts';
import { checkShape, eventColumns, settleOrganizer, type EventColumns } from './fields.ts';
import { CalendarEffects } from './notify.ts';
import type { CalendarPorts } from './ports.ts';
import type { RsvpStatus } from './tables.ts';
import { dateIn } from './time.ts';

/** Fields the organizer (CLAIM_EVENTS, not MANAGE_CALENDAR) may edit (spec "PATCH .../events/:id"). */
const ORGANIZER_FIELDS = new Set(['description', 'location', 'routeId']);
/** The longest date range one listing may ask for. */
const MAX_RANGE_DAYS = 400;

export class EventsService {
  readonly effects: CalendarEffects;
  constructor(private readonly p: CalendarPorts) {
    this.effects = new CalendarEffects(p);
  }

  private now() {
    return new Date(this.p.clock.now());
  }

  async view(db: Db, viewerId: string | null, eventId: string): Promise<CalendarEventDto> {
    const r = await eventView(db, viewerId, eventId);
    if (!r) throw notFound('Event not found');
    return eventDto(r);
  }

  private async row(db: Db, spaceId: string, eventId: string): Promise<EventRow> {
    const r = await eventRow(db, spaceId, eventId);
    if (!r) throw notFound('Event not found');
    return r;
  }

  // ---- categories ----
  async categories(db: Db, userId: string, spaceId: string): Promise<CategoryDto[]> {
    await member(db, spaceId, userId);
    const rows = await db
      .selectFrom('calendar_categories')
      .selectAll()
      .where('space_id', '=', spaceId)
      .orderBy('id')
      .execute();
    return rows.map(categoryDto);
  }

  async createCategory(db: Db, userId: string, spaceId: string, i: { name: string; color: string }) {
    await manager(db, spaceId, userId);
    const r = await db
      .insertInto('calendar_categories')
      .values({ id: this.p.ids.next(), space_id: spaceId, name: i.name, color: i.color.toUpperCase() })
      .returningAll()
      .executeTakeFirstOrThrow();
    return categoryDto(r);
  }

  async patchCategory(
    db: Db,
    userId: string,
    spaceId: string,
    id: string,
    i: { name?: string; color?: string },
  ) {
    await manager(db, spaceId, userId);
    const r = await db
      .updateTable('calendar_categories')
      .set({
        ...(i.name !== undefined ? { name: i.name } : {}),
        ...(i.color ? { color: i.color.toUpperCase() } : {}),
      })
      .where('id', '=', id)
      .where('space_id', '=', spaceId)
      .returningAll()
      .executeTakeFirst();
    if (!r) throw notFound('Category not found');
    return categoryDto(r);
  }

  async deleteCategory(db: Db, userId: string, spaceId: string, id: string): Promise<void> {
    await manager(db, spaceId, userId);
    const r = await db
      .deleteFrom('calendar_categories')
      .where('id', '=', id)
      .where('space_id', '=', spaceId)
      .executeTakeFirst();
    if (!r.numDeletedRows) throw notFound('Category not found');
  }

  // ---- reads ----
  async get(db: Db, userId: string, spaceId: string, eventId: string): Promise<CalendarEventDto> {
    await member(db, spaceId, userId);
    await this.row(db, spaceId, eventId);
    return this.view(db, userId, eventId);
  }

  async range(db: Db, userId: string, spaceId: string, q: { from: string; to: string }) {
    await member(db, spaceId, userId);
    return this.inRange(db, userId, spaceId, q, false);
  }

  /** Events of a space between two dates inclusive (all, or public ones only). */
  async inRange(
    db: Db,
    viewerId: string | null,
    spaceId: string,
    q: { from: string; to: string },
    publicOnly: boolean,
  ) {
    if (q.to < q.from) throw badRequest('to must not be before from');
    if ((Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 > MAX_RANGE_DAYS)
      throw badRequest(`A range may span at most ${MAX_RANGE_DAYS} days`);
    let query = eventViews(db, viewerId)
      .where('e.space_id', '=', spaceId)
      .where('e.event_date', '>=', q.from)
      .where('e.event_date', '<=', q.to);
    if (publicOnly) query = query.where('e.is_public', '=', true);
    const rows = await query.orderBy('e.event_date').orderBy('e.event_time').orderBy('e.id').execute();
    return rows.map(eventDto);
  }

  async upcoming(db: Db, userId: string, spaceId: string, limit: number): Promise<CalendarEventDto[]> {
    const a = await member(db, spaceId, userId);
    const rows = await eventViews(db, userId)
      .where('e.space_id', '=', spaceId)
      .where('e.event_date', '>=', dateIn(a.tz, this.p.clock.now()))
      .where('e.is_cancelled', '=', false)
      .orderBy('e.event_date')
      .orderBy('e.event_time')
      .orderBy('e.id')
      .limit(limit)
      .execute();
    return rows.map(eventDto);
  }

  // ---- writes ----
  /** POST /spaces/:spaceId/calendar/events (also the target of a personal event copy). */
  async create(db: Db, user: AuthUser, spaceId: string, i: EventInput): Promise<CalendarEventDto> {
    await manager(db, spaceId, user.id);
    await checkCategory(db, spaceId, i.categoryId);
    await checkOrganizer(db, spaceId, i.organizerId);
    const c = await eventColumns(i);
    if (i.organizerId === undefined) c.organizer_id = user.id;
    settleOrganizer(c, i);
    checkShape({
      event_time: c.event_time ?? null,
      end_time: c.end_time ?? null,
      activity_type: c.activity_type ?? null,
      organizer_needed: c.organizer_needed === true,
    });
    const row = await db
      .insertInto('calendar_events')
      .values({
        ...c,
        id: this.p.ids.next(),
        space_id: spaceId,
        name: i.name,
        event_date: i.eventDate,
        created_by: user.id,
        created_at: this.now(),
        updated_at: this.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await this.effects.newEvent(db, row, user.id);
    await this.effects.spacePost(db, row, user.id);
    if (row.organizer_needed) await this.effects.organizerNeeded(db, row, user.id);
    const dto = await this.view(db, user.id, row.id);
    this.effects.emit('created', dto);
    return dto;
  }

  /**
   * PATCH .../events/:id (and .../override with `forceOverride`): managers change anything; the
   * event's organizer holding CLAIM_EVENTS only description, location and routeId (403 otherwise).
   */
  async update(
    db: Db,
    userId: string,
    spaceId: string,
    eventId: string,
    i: EventPatch,
    opts: { override?: boolean } = {},
  ): Promise<CalendarEventDto> {
    const a = await member(db, spaceId, userId);
    const before = await this.row(db, spaceId, eventId);
    if (opts.override && !before.series_id)
      throw badRequest('Only an occurrence of a series can be overridden');
    if (!a.manage) {
      const isOrganizer = a.claim && before.organizer_id === userId && !opts.override;
      if (!isOrganizer) throw forbidden('Requires MANAGE_CALENDAR');
      const extra = Object.keys(i).filter(
        (k) => (i as Record<string, unknown>)[k] !== undefined && !ORGANIZER_FIELDS.has(k),
      );
      if (extra.length)
        throw forbidden('As organizer you may edit only description, location and routeId', {
          fields: extra,
        });
    }
    await checkCategory(db, spaceId, i.categoryId);
    await checkOrganizer(db, spaceId, i.organizerId);
    const c: EventColumns = await eventColumns(i);
    settleOrganizer(c, i);
    checkShape({
      event_time: c.event_time !== undefined ? c.event_time : before.event_time,
      end_time: c.end_time !== undefined ? c.end_time : before.end_time,
      activity_type: c.activity_type !== undefined ? c.activity_type : before.activity_type,
      organizer_needed:
        c.organizer_needed !== undefined ? c.organizer_needed === true : before.organizer_needed,
    });
    // An edited occurrence keeps its edits through later series regenerations.
    if (before.series_id) c.is_override = true;
    const after = await db
      .updateTable('calendar_events')
      .set({ ...c, updated_at: this.now() })
      .where('id', '=', eventId)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (after.organizer_needed && !before.organizer_needed)
      await this.effects.organizerNeeded(db, after, userId);
    const dto = await this.view(db, userId, eventId);
    this.effects.emit('updated', dto);
    return dto;
  }

  /** DELETE: going / maybe RSVPs hear of it first; a series occurrence is never regenerated. */
  async remove(db: Db, userId: string, spaceId: string, eventId: string): Promise<void> {
    await manager(db, spaceId, userId);
    const e = await this.row(db, spaceId, eventId);
    if (!e.is_cancelled) await this.effects.cancelled(db, e, userId);
    await db.transaction().execute(async (trx) => {
      if (e.series_id && e.series_date) {
        const s = await trx
          .selectFrom('event_series')
          .select('excluded_dates')
          .where('id', '=', e.series_id)
          .executeTakeFirst();
        if (s)
          await trx
            .updateTable('event_series')
            .set({ excluded_dates: JSON.stringify([...new Set([...s.excluded_dates, e.series_date])]) })
            .where('id', '=', e.series_id)
            .execute();
      }
      await trx.deleteFrom('calendar_events').where('id', '=', eventId).execute();
    });
    this.effects.emit('deleted', { id: e.id, spaceId, seriesId: e.series_id });
  }

  /** POST .../cancel: isCancelled (and isOverride, so regeneration keeps it); RSVP'd users notified once. */
  async cancel(db: Db, userId: string, spaceId: string, eventId: string): Promise<CalendarEventDto> {
    await manager(db, spaceId, userId);
    const e = await this.row(db, spaceId, eventId);
    if (!e.is_cancelled) {
      await db
        .updateTable('calendar_events')
        .set({ is_cancelled: true, is_override: e.series_id !== null, updated_at: this.now() })
        .where('id', '=', eventId)
        .execute();
      await this.effects.cancelled(db, e, userId);
    }
    const dto = await this.view(db, userId, eventId);
    this.effects.emit('updated', dto);
    return dto;
  }

  // ---- RSVP ----
  async rsvp(db: Db, user: AuthUser, spaceId: string, eventId: string, status: RsvpStatus) {
    await member(db, spaceId, user.id);
    const e = await this.row(db, spaceId, eventId);
    if (e.is_cancelled) throw badRequest('This event is cancelled');
    await db
      .insertInto('calendar_event_rsvps')
      .values({ event_id: eventId, user_id: user.id, status, created_at: this.now(), updated_at: this.now() })
      .onConflict((oc) => oc.columns(['event_id', 'user_id']).doUpdateSet({ status, updated_at: this.now() }))
      .execute();
    const u = await db
      .selectFrom('users')
      .select(['username', 'display_name'])
      .where('id', '=', user.id)
      .executeTakeFirst();
    await this.effects.rsvp(
      db,
      e,
      { id: user.id, username: u?.username ?? '', displayName: u?.display_name ?? u?.username ?? '' },
      status,
    );
    return this.view(db, user.id, eventId);
  }

  async unrsvp(db: Db, userId: string, spaceId: string, eventId: string) {
    await member(db, spaceId, userId);
    await this.row(db, spaceId, eventId);
    await db
      .deleteFrom('calendar_event_rsvps')
      .where('event_id', '=', eventId)
      .where('user_id', '=', userId)
      .execute();
    return this.view(db, userId, eventId);
  }

  async rsvps(db: Db, userId: string, spaceId: string, eventId: string) {
    await member(db, spaceId, userId);
    await this.row(db, spaceId, eventId);
    const rows = await db
      .selectFrom('calendar_event_rsvps as r')
      .innerJoin('users as u', 'u.id', 'r.user_id')
      .select([
        'r.event_id',
        'r.user_id',
        'r.status',
        'r.created_at',
        'r.updated_at',
        'u.username',
        'u.display_name',
        'u.avatar_url',
      ])
      .where('r.event_id', '=', eventId)
      .orderBy('r.created_at')
      .execute();
    return rows.map((r) => ({
      eventId: r.event_id,
      userId: r.user_id,
      status: r.status,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
      user: { id: r.user_id, username: r.username, displayName: r.display_name, avatarUrl: r.avatar_url },
    }));
  }

  // ---- image ----
  /** 16:9 centre crop, at most 1280×720, re-encoded as JPEG (drops metadata such as GPS tags). */
  async uploadImage(db: Db, userId: string, spaceId: string, data: Buffer): Promise<{ url: string }> {
    await manager(db, spaceId, userId);
    let out: Buffer;
    try {
      const img = sharp(data, { failOn: 'error' }).rotate();
      const meta = await img.metadata();
      const w0 = meta.autoOrient?.width ?? meta.width ?? 0;
      const h0 = meta.autoOrient?.height ?? meta.height ?? 0;
      if (!w0 || !h0) throw new Error('no size');
      const width = Math.max(16, Math.min(1280, w0, Math.floor((h0 * 16) / 9)));
      const height = Math.round((width * 9) / 16);
      out = await img
        .resize(width, height, { fit: 'cover', position: 'centre' })
        .jpeg({ quality: 85 })
        .toBuffer();
    } catch {
      throw badRequest('The image field must be an image');
    }
    const stored = await this.p.storage.put('calendar', this.p.ids.next(), 'jpg', out);
    return { url: stored.url };
  }
}
