/**
 * Recurring event series (spec "Recurring Event Series"). A series is a template plus a rule; its
 * occurrences are calendar_events rows keyed by (series_id, series_date). Regeneration after an update:
 * - rows marked isOverride (edited, claimed, released, cancelled occurrences) are never touched;
 * - other rows in scope (`all`, or `future` = from today in the space's zone) take the template's
 *   fields, or are deleted when the rule no longer yields their date;
 * - rule dates in scope without a row (and not deleted on their own) get a new row.
 * Series-level organizerNeeded changes do not notify (only per-occurrence flips do).
 */
import type { Selectable } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import { badRequest, notFound } from '../../engine/errors.ts';
import { checkCategory, checkOrganizer, manager, member } from './access.ts';
import { seriesDto, type EventSeriesDto } from './calendar.presenter.ts';
import type { SeriesInput, SeriesPatch } from './calendar.schema.ts';
import { checkShape, sharedColumns, settleOrganizer, type EventColumns } from './fields.ts';
import type { CalendarPorts } from './ports.ts';
import { occurrenceDates } from './recurrence.ts';
import type { EventSeriesTable } from './tables.ts';
import { dateIn } from './time.ts';

type SeriesRow = Selectable<EventSeriesTable>;

/** The template columns copied into every (non-override) occurrence. */
function template(s: SeriesRow) {
  return {
    name: s.name,
    description: s.description,
    event_time: s.event_time,
    end_time: s.end_time,
    category_id: s.category_id,
    image_url: s.image_url,
    is_public: s.is_public,
    location: s.location,
    activity_type: s.activity_type,
    route_id: s.route_id,
    organizer_id: s.organizer_id,
    organizer_needed: s.organizer_needed,
  };
}

export class SeriesService {
  constructor(private readonly p: CalendarPorts) {}

  private now() {
    return new Date(this.p.clock.now());
  }

  private async count(db: Db, seriesId: string): Promise<number> {
    const r = await db
      .selectFrom('calendar_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('series_id', '=', seriesId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async list(db: Db, userId: string, spaceId: string): Promise<EventSeriesDto[]> {
    await member(db, spaceId, userId);
    const rows = await db
      .selectFrom('event_series')
      .selectAll()
      .where('space_id', '=', spaceId)
      .orderBy('id')
      .execute();
    return Promise.all(rows.map(async (r) => seriesDto(r, await this.count(db, r.id))));
  }

  async create(db: Db, userId: string, spaceId: string, i: SeriesInput): Promise<EventSeriesDto> {
    await manager(db, spaceId, userId);
    await checkCategory(db, spaceId, i.categoryId);
    await checkOrganizer(db, spaceId, i.organizerId);
    const c = sharedColumns(i);
    if (i.organizerId === undefined) c.organizer_id = userId;
    settleOrganizer(c, i);
    checkShape({
      event_time: c.event_time ?? null,
      end_time: c.end_time ?? null,
      activity_type: c.activity_type ?? null,
      organizer_needed: c.organizer_needed === true,
    });
    const rule = i.recurrenceRule;
    const dates = occurrenceDates(rule);
    const s = await db.transaction().execute(async (trx) => {
      const s = await trx
        .insertInto('event_series')
        .values({
          ...(c as Record<string, never>),
          id: this.p.ids.next(),
          space_id: spaceId,
          name: i.name,
          freq: rule.freq,
          interval: rule.interval,
          by_day: JSON.stringify(rule.byDay),
          by_set_pos: rule.bySetPos ?? null,
          dtstart: rule.dtstart,
          until: rule.until,
          created_by: userId,
          created_at: this.now(),
          updated_at: this.now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.insertOccurrences(trx, s, dates, userId);
      return s;
    });
    return seriesDto(s, dates.length);
  }

  private async insertOccurrences(db: Db, s: SeriesRow, dates: string[], userId: string): Promise<void> {
    const t = template(s);
    const CHUNK = 200;
    for (let i = 0; i < dates.length; i += CHUNK)
      await db
        .insertInto('calendar_events')
        .values(
          dates.slice(i, i + CHUNK).map((d) => ({
            ...t,
            id: this.p.ids.next(),
            space_id: s.space_id,
            series_id: s.id,
            series_date: d,
            event_date: d,
            created_by: userId,
            created_at: this.now(),
            updated_at: this.now(),
          })),
        )
        .execute();
  }

  async update(
    db: Db,
    userId: string,
    spaceId: string,
    seriesId: string,
    i: SeriesPatch,
  ): Promise<EventSeriesDto> {
    const a = await manager(db, spaceId, userId);
    const before = await db
      .selectFrom('event_series')
      .selectAll()
      .where('id', '=', seriesId)
      .where('space_id', '=', spaceId)
      .executeTakeFirst();
    if (!before) throw notFound('Series not found');
    await checkCategory(db, spaceId, i.categoryId);
    await checkOrganizer(db, spaceId, i.organizerId);
    const { updateMode, recurrenceRule: rule, ...fields } = i;
    const c: EventColumns = sharedColumns(fields);
    settleOrganizer(c, i);
    checkShape({
      event_time: c.event_time !== undefined ? c.event_time : before.event_time,
      end_time: c.end_time !== undefined ? c.end_time : before.end_time,
      activity_type: c.activity_type !== undefined ? c.activity_type : before.activity_type,
      organizer_needed:
        c.organizer_needed !== undefined ? c.organizer_needed === true : before.organizer_needed,
    });
    const dates = rule ? occurrenceDates(rule) : null;
    const from = updateMode === 'future' ? dateIn(a.tz, this.p.clock.now()) : null;
    const s = await db.transaction().execute(async (trx) => {
      const s = await trx
        .updateTable('event_series')
        .set({
          ...(c as Record<string, never>),
          ...(rule
            ? {
                freq: rule.freq,
                interval: rule.interval,
                by_day: JSON.stringify(rule.byDay),
                by_set_pos: rule.bySetPos ?? null,
                dtstart: rule.dtstart,
                until: rule.until,
              }
            : {}),
          updated_at: this.now(),
        })
        .where('id', '=', seriesId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.regenerate(trx, s, dates ?? occurrenceDates(ruleOf(s)), from, userId);
      return s;
    });
    return seriesDto(s, await this.count(db, seriesId));
  }

  /** See the file comment. `from` = null: every occurrence; else only those on or after `from`. */
  private async regenerate(db: Db, s: SeriesRow, dates: string[], from: string | null, userId: string) {
    const inScope = (d: string) => from === null || d >= from;
    const rows = await db
      .selectFrom('calendar_events')
      .select(['id', 'series_date', 'event_date', 'is_override'])
      .where('series_id', '=', s.id)
      .execute();
    const wanted = new Set(dates);
    const have = new Set(rows.map((r) => r.series_date));
    const stale = rows.filter(
      (r) => !r.is_override && inScope(r.event_date) && !wanted.has(r.series_date ?? ''),
    );
    const kept = rows.filter(
      (r) => !r.is_override && inScope(r.event_date) && wanted.has(r.series_date ?? ''),
    );
    if (stale.length)
      await db
        .deleteFrom('calendar_events')
        .where(
          'id',
          'in',
          stale.map((r) => r.id),
        )
        .execute();
    if (kept.length)
      await db
        .updateTable('calendar_events')
        .set({ ...template(s), updated_at: this.now() })
        .where(
          'id',
          'in',
          kept.map((r) => r.id),
        )
        .execute();
    const excluded = new Set(s.excluded_dates);
    const missing = dates.filter((d) => !have.has(d) && !excluded.has(d) && inScope(d));
    await this.insertOccurrences(db, s, missing, userId);
  }

  async remove(db: Db, userId: string, spaceId: string, seriesId: string): Promise<void> {
    await manager(db, spaceId, userId);
    // Occurrences go with it (foreign key on delete cascade).
    const r = await db
      .deleteFrom('event_series')
      .where('id', '=', seriesId)
      .where('space_id', '=', spaceId)
      .executeTakeFirst();
    if (!r.numDeletedRows) throw notFound('Series not found');
  }
}

function ruleOf(s: SeriesRow) {
  if (s.freq !== 'weekly' && s.freq !== 'monthly') throw badRequest('Unknown series frequency');
  return {
    freq: s.freq,
    interval: s.interval,
    byDay: s.by_day,
    bySetPos: s.by_set_pos,
    dtstart: s.dtstart,
    until: s.until,
  };
}
