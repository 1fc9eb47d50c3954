/**
 * Reads of calendar events with what the CalendarEvent object shows (category, organizer, RSVP counts,
 * the viewer's RSVP, and, for cross-space listings, the space). Rows out; calendar.presenter.ts maps.
 */
import { sql, type Selectable } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import type { CalendarEventsTable } from './tables.ts';

export type EventRow = Selectable<CalendarEventsTable>;

export interface EventViewRow extends EventRow {
  category_name: string | null;
  category_color: string | null;
  organizer_username: string | null;
  organizer_display_name: string | null;
  organizer_avatar_url: string | null;
  going_count: number;
  maybe_count: number;
  not_going_count: number;
  my_rsvp: string | null;
  space_name: string | null;
  space_slug: string | null;
  space_icon_url: string | null;
  space_base_color: string | null;
  space_accent_color: string | null;
}

const NO_USER = '0';

/** The base query of CalendarEvent reads; callers add where / order / limit. */
export function eventViews(db: Db, viewerId: string | null) {
  const viewer = viewerId ?? NO_USER;
  return db
    .selectFrom('calendar_events as e')
    .leftJoin('calendar_categories as c', 'c.id', 'e.category_id')
    .leftJoin('users as o', 'o.id', 'e.organizer_id')
    .innerJoin('spaces as s', 's.id', 'e.space_id')
    .selectAll('e')
    .select([
      'c.name as category_name',
      'c.color as category_color',
      'o.username as organizer_username',
      'o.display_name as organizer_display_name',
      'o.avatar_url as organizer_avatar_url',
      's.name as space_name',
      's.slug as space_slug',
      's.icon_url as space_icon_url',
      sql<string | null>`s.settings->>'baseColor'`.as('space_base_color'),
      sql<string | null>`s.settings->>'accentColor'`.as('space_accent_color'),
      sql<number>`(select count(*)::int from calendar_event_rsvps r where r.event_id = e.id and r.status = 'going')`.as(
        'going_count',
      ),
      sql<number>`(select count(*)::int from calendar_event_rsvps r where r.event_id = e.id and r.status = 'maybe')`.as(
        'maybe_count',
      ),
      sql<number>`(select count(*)::int from calendar_event_rsvps r where r.event_id = e.id and r.status = 'not_going')`.as(
        'not_going_count',
      ),
      sql<
        string | null
      >`(select r.status from calendar_event_rsvps r where r.event_id = e.id and r.user_id = ${viewer})`.as(
        'my_rsvp',
      ),
    ]);
}

export async function eventView(
  db: Db,
  viewerId: string | null,
  eventId: string,
): Promise<EventViewRow | null> {
  const r = await eventViews(db, viewerId).where('e.id', '=', eventId).executeTakeFirst();
  return (r as EventViewRow | undefined) ?? null;
}

export async function eventRow(db: Db, spaceId: string, eventId: string): Promise<EventRow | null> {
  const r = await db
    .selectFrom('calendar_events')
    .selectAll()
    .where('id', '=', eventId)
    .where('space_id', '=', spaceId)
    .executeTakeFirst();
  return r ?? null;
}

/** Users who RSVP'd `going` or `maybe` (they hear of cancellations). */
export async function attendees(db: Db, eventId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('calendar_event_rsvps')
    .select('user_id')
    .where('event_id', '=', eventId)
    .where('status', 'in', ['going', 'maybe'])
    .execute();
  return rows.map((r) => r.user_id);
}

/** Members of a space (owner included), except `exceptId`, with muteAll / muteEvents off. */
export async function memberRecipients(db: Db, spaceId: string, exceptId: string | null): Promise<string[]> {
  const r = await sql<{ user_id: string }>`
    select m.user_id from space_members m
    where m.space_id = ${spaceId} and m.user_id <> ${exceptId ?? NO_USER}
      and not exists (
        select 1 from space_member_settings ms where ms.space_id = m.space_id and ms.user_id = m.user_id
          and (coalesce((ms.settings->>'muteAll')::boolean, false) or coalesce((ms.settings->>'muteEvents')::boolean, false)))
    union
    select s.owner_id from spaces s where s.id = ${spaceId} and s.owner_id <> ${exceptId ?? NO_USER}`.execute(
    db,
  );
  return r.rows.map((x) => x.user_id);
}

/**
 * Members holding a permission bit space-wide (the owner always; otherwise the default role or a held
 * role grants it), except `exceptId`.
 */
export async function holders(
  db: Db,
  spaceId: string,
  bit: bigint,
  exceptId: string | null,
): Promise<string[]> {
  const b = bit.toString();
  const r = await sql<{ user_id: string }>`
    select m.user_id from space_members m
    where m.space_id = ${spaceId} and m.user_id <> ${exceptId ?? NO_USER} and exists (
      select 1 from space_roles r where r.space_id = m.space_id and (r.permissions & ${b}::bigint) <> 0
        and (r.is_default or exists (
          select 1 from space_member_roles mr where mr.role_id = r.id and mr.user_id = m.user_id)))
    union
    select s.owner_id from spaces s where s.id = ${spaceId} and s.owner_id <> ${exceptId ?? NO_USER}`.execute(
    db,
  );
  return r.rows.map((x) => x.user_id);
}

/** Is the user a member (or the owner) of the space? */
export async function isMember(db: Db, spaceId: string, userId: string): Promise<boolean> {
  const r = await sql<{ ok: boolean }>`
    select exists (select 1 from space_members where space_id = ${spaceId} and user_id = ${userId})
      or exists (select 1 from spaces where id = ${spaceId} and owner_id = ${userId}) as ok`.execute(db);
  return r.rows[0]?.ok === true;
}
