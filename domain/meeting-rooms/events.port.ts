/**
 * What meeting rooms need to know about an event (the calendar feature owns events and hands us its
 * narrow lookup, services.calendar.meetingEvents) and about the space it belongs to.
 */
import type { Db } from '../../engine/db/index.ts';

export type { MeetingEventInfo as MeetingEvent, MeetingEventLookup } from '../calendar/index.ts';

export interface SpaceInfo {
  id: string;
  name: string;
  slug: string;
  ownerId: string;
  timezone: string | null;
  allowPublicVoice: boolean;
}

export async function spaceInfo(db: Db, where: { id?: string; slug?: string }): Promise<SpaceInfo | null> {
  let q = db.selectFrom('spaces').select(['id', 'name', 'slug', 'owner_id', 'settings']);
  if (where.id) q = q.where('id', '=', where.id);
  if (where.slug) q = q.where('slug_lower', '=', where.slug.toLowerCase());
  const r = await q.executeTakeFirst();
  if (!r) return null;
  const s = r.settings as Record<string, unknown>;
  return {
    id: r.id,
    name: r.name,
    slug: r.slug,
    ownerId: r.owner_id,
    timezone: typeof s['timezone'] === 'string' ? s['timezone'] : null,
    allowPublicVoice: s['allowPublicVoice'] === true,
  };
}

/** The user's `timezone` preference (personal events' dates and times are in it). */
export async function userTimezone(db: Db, userId: string): Promise<string | null> {
  const r = await db
    .selectFrom('user_preferences')
    .select('timezone')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return r?.timezone ?? null;
}
