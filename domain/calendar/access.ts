/** Who may do what in a space's calendar (spec "Calendar"; permission bits: API-DECISIONS). */
import type { Db } from '../../engine/db/index.ts';
import { badRequest, notFound } from '../../engine/errors.ts';
import { requireSpace, type SpaceAccess } from '../spaces/access.ts';
import { Permission } from '../spaces/index.ts';
import { has } from '../../actors/space/permissions.ts';
import { isMember } from './events.repository.ts';
import { zone } from './time.ts';

export interface CalendarAccess {
  spaceId: string;
  userId: string;
  manage: boolean;
  claim: boolean;
  /** The space's time zone (a `timezone` admin setting, default UTC). */
  tz: string;
  access: SpaceAccess;
}

function wrap(a: SpaceAccess, userId: string): CalendarAccess {
  const tz = (a.space.settings as Record<string, unknown>)['timezone'];
  return {
    spaceId: a.space.id,
    userId,
    manage: has(a.base, Permission.MANAGE_CALENDAR),
    claim: has(a.base, Permission.CLAIM_EVENTS),
    tz: zone(typeof tz === 'string' ? tz : null),
    access: a,
  };
}

/** 404 without the space, 403 unless a member. */
export async function member(db: Db, spaceId: string, userId: string): Promise<CalendarAccess> {
  return wrap(await requireSpace(db, spaceId, userId, { member: true }), userId);
}

/** 404 without the space, 403 without MANAGE_CALENDAR. */
export async function manager(db: Db, spaceId: string, userId: string): Promise<CalendarAccess> {
  return wrap(await requireSpace(db, spaceId, userId, { need: Permission.MANAGE_CALENDAR }), userId);
}

/** 404 without the space, 403 without CLAIM_EVENTS. */
export async function claimer(db: Db, spaceId: string, userId: string): Promise<CalendarAccess> {
  return wrap(await requireSpace(db, spaceId, userId, { need: Permission.CLAIM_EVENTS }), userId);
}

/** A category id must be one of this space's categories. */
export async function checkCategory(db: Db, spaceId: string, categoryId: string | null | undefined) {
  if (!categoryId) return;
  const c = await db
    .selectFrom('calendar_categories')
    .select('id')
    .where('id', '=', categoryId)
    .where('space_id', '=', spaceId)
    .executeTakeFirst();
  if (!c) throw notFound('Category not found');
}

/** An organizer must be a member of the space (no permission is required of them). */
export async function checkOrganizer(db: Db, spaceId: string, organizerId: string | null | undefined) {
  if (!organizerId) return;
  if (!(await isMember(db, spaceId, organizerId)))
    throw badRequest('organizerId must be a member of the space');
}
