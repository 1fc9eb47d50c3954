/**
 * Personal events and their categories (spec "Personal Events", "Personal Event Categories",
 * "Personal Event Meeting Rooms" fields). Another user's events are filtered by the collection
 * visibility rules (domain/social visibility.ts) behind the profile visibility gate.
 */
import type { AuthUser } from '../../engine/auth/types.ts';
import type { Db } from '../../engine/db/index.ts';
import { badRequest, notFound } from '../../engine/errors.ts';
import { visibility } from '../social/index.ts';
import {
  categoryDto,
  personalEventDto,
  type CategoryDto,
  type PersonalEventDto,
} from './calendar.presenter.ts';
import type { PersonalEventInput, PersonalEventPatch, VISIBILITIES } from './calendar.schema.ts';
import type { EventsService } from './events.service.ts';
import { checkShape } from './fields.ts';
import type { CalendarPorts } from './ports.ts';

type Visibility = (typeof VISIBILITIES)[number];

export interface PersonalListQuery {
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  visibility?: Visibility | undefined;
}

function columns(i: PersonalEventPatch) {
  const c: Record<string, unknown> = {};
  const map: Record<string, string> = {
    name: 'name',
    description: 'description',
    eventDate: 'event_date',
    eventTime: 'event_time',
    endTime: 'end_time',
    location: 'location',
    categoryId: 'category_id',
    imageUrl: 'image_url',
    activityType: 'activity_type',
    visibility: 'visibility',
    meetingRoomEnabled: 'meeting_room_enabled',
    meetingRoomEarlyEntry: 'meeting_room_early_entry',
  };
  for (const [k, col] of Object.entries(map)) {
    const val = (i as Record<string, unknown>)[k];
    if (val !== undefined) c[col] = val;
  }
  return c;
}

export class PersonalEventsService {
  constructor(
    private readonly p: CalendarPorts,
    private readonly events: EventsService,
  ) {}

  private now() {
    return new Date(this.p.clock.now());
  }

  private views(db: Db) {
    return db
      .selectFrom('personal_events as e')
      .leftJoin('personal_event_categories as c', 'c.id', 'e.category_id')
      .selectAll('e')
      .select(['c.name as category_name', 'c.color as category_color']);
  }

  private async one(db: Db, userId: string, eventId: string): Promise<PersonalEventDto> {
    const r = await this.views(db)
      .where('e.id', '=', eventId)
      .where('e.user_id', '=', userId)
      .executeTakeFirst();
    if (!r) throw notFound('Event not found');
    return personalEventDto(r);
  }

  private async checkCategory(db: Db, userId: string, categoryId: string | null | undefined) {
    if (!categoryId) return;
    const c = await db
      .selectFrom('personal_event_categories')
      .select('id')
      .where('id', '=', categoryId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!c) throw notFound('Category not found');
  }

  private checkMeeting(e: {
    meeting_room_enabled: boolean;
    event_time: string | null;
    end_time: string | null;
  }) {
    if (e.meeting_room_enabled && (!e.event_time || !e.end_time))
      throw badRequest('A meeting room needs eventTime and endTime', { field: 'meetingRoomEnabled' });
  }

  async listMine(db: Db, userId: string, q: PersonalListQuery): Promise<PersonalEventDto[]> {
    let query = this.views(db).where('e.user_id', '=', userId);
    if (q.from) query = query.where('e.event_date', '>=', q.from);
    if (q.to) query = query.where('e.event_date', '<=', q.to);
    if (q.visibility) query = query.where('e.visibility', '=', q.visibility);
    const rows = await query
      .orderBy('e.event_date')
      .orderBy('e.event_time')
      .orderBy('e.id')
      .limit(q.limit)
      .execute();
    return rows.map(personalEventDto);
  }

  /** GET /users/:userId/collections/events: `{ profilePrivate: true }` behind the profile gate. */
  async listOf(db: Db, viewerId: string, ownerId: string, q: PersonalListQuery) {
    if (viewerId === ownerId) return this.listMine(db, viewerId, q);
    const owner = await db.selectFrom('users').select('id').where('id', '=', ownerId).executeTakeFirst();
    if (!owner) throw notFound('User not found');
    if (!(await this.p.canViewProfile(db, viewerId, ownerId))) return { profilePrivate: true };
    let query = this.views(db)
      .where('e.user_id', '=', ownerId)
      .where(
        visibility.visibleWhere('collection', viewerId, { owner: 'e.user_id', visibility: 'e.visibility' }),
      );
    if (q.from) query = query.where('e.event_date', '>=', q.from);
    if (q.to) query = query.where('e.event_date', '<=', q.to);
    if (q.visibility) query = query.where('e.visibility', '=', q.visibility);
    const rows = await query
      .orderBy('e.event_date')
      .orderBy('e.event_time')
      .orderBy('e.id')
      .limit(q.limit)
      .execute();
    return rows.map(personalEventDto);
  }

  async create(db: Db, userId: string, i: PersonalEventInput): Promise<PersonalEventDto> {
    await this.checkCategory(db, userId, i.categoryId);
    const c = columns(i);
    const shape = {
      event_time: i.eventTime ?? null,
      end_time: i.endTime ?? null,
      activity_type: null,
      organizer_needed: false,
      meeting_room_enabled: i.meetingRoomEnabled === true,
    };
    checkShape(shape);
    this.checkMeeting(shape);
    const id = this.p.ids.next();
    await db
      .insertInto('personal_events')
      .values({
        ...(c as Record<string, never>),
        id,
        user_id: userId,
        name: i.name,
        event_date: i.eventDate,
        created_at: this.now(),
        updated_at: this.now(),
      })
      .execute();
    return this.one(db, userId, id);
  }

  async update(db: Db, userId: string, eventId: string, i: PersonalEventPatch): Promise<PersonalEventDto> {
    const before = await db
      .selectFrom('personal_events')
      .selectAll()
      .where('id', '=', eventId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!before) throw notFound('Event not found');
    await this.checkCategory(db, userId, i.categoryId);
    const shape = {
      event_time: i.eventTime !== undefined ? i.eventTime : before.event_time,
      end_time: i.endTime !== undefined ? i.endTime : before.end_time,
      activity_type: null,
      organizer_needed: false,
      meeting_room_enabled: i.meetingRoomEnabled ?? before.meeting_room_enabled,
    };
    checkShape(shape);
    this.checkMeeting(shape);
    await db
      .updateTable('personal_events')
      .set({ ...(columns(i) as Record<string, never>), updated_at: this.now() })
      .where('id', '=', eventId)
      .execute();
    return this.one(db, userId, eventId);
  }

  async remove(db: Db, userId: string, eventId: string): Promise<void> {
    const r = await db
      .deleteFrom('personal_events')
      .where('id', '=', eventId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!r.numDeletedRows) throw notFound('Event not found');
  }

  /** POST .../copy: a new space event from this one (MANAGE_CALENDAR there; the usual side effects). */
  async copy(db: Db, user: AuthUser, eventId: string, spaceId: string) {
    const e = await this.one(db, user.id, eventId);
    return this.events.create(db, user, spaceId, {
      name: e.name,
      eventDate: e.eventDate,
      description: e.description,
      eventTime: e.eventTime,
      endTime: e.endTime,
      location: e.location,
      imageUrl: e.imageUrl,
      activityType: e.activityType as 'ride' | 'run' | 'walk' | null,
      meetingRoomEnabled: e.meetingRoomEnabled,
      meetingRoomEarlyEntry: e.meetingRoomEarlyEntry,
    });
  }

  // ---- categories ----
  async categories(db: Db, userId: string): Promise<CategoryDto[]> {
    const rows = await db
      .selectFrom('personal_event_categories')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute();
    return rows.map(categoryDto);
  }

  async createCategory(db: Db, userId: string, i: { name: string; color: string }): Promise<CategoryDto> {
    const r = await db
      .insertInto('personal_event_categories')
      .values({ id: this.p.ids.next(), user_id: userId, name: i.name, color: i.color.toUpperCase() })
      .returningAll()
      .executeTakeFirstOrThrow();
    return categoryDto(r);
  }

  async patchCategory(db: Db, userId: string, id: string, i: { name?: string; color?: string }) {
    const r = await db
      .updateTable('personal_event_categories')
      .set({
        ...(i.name !== undefined ? { name: i.name } : {}),
        ...(i.color ? { color: i.color.toUpperCase() } : {}),
      })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .returningAll()
      .executeTakeFirst();
    if (!r) throw notFound('Category not found');
    return categoryDto(r);
  }

  async deleteCategory(db: Db, userId: string, id: string): Promise<void> {
    const r = await db
      .deleteFrom('personal_event_categories')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!r.numDeletedRows) throw notFound('Category not found');
  }
}
